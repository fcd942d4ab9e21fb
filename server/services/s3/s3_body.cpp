#include "server/services/s3/s3_body.h"

#include <atomic>
#include <chrono>

#include <openssl/evp.h>

#include <boost/crc.hpp>
#include <cstring>

#include "server/protocol/encoding.h"
#include "server/random.h"
#include "server/service.h"
#include "base/digest.h"
#include "server/services/s3/s3_errors.h"

namespace podstack::s3 {

std::string chunk_key(std::string_view blob, uint32_t index) {
  std::string k = "s3/";
  k += blob;
  k += '/';
  for (int s = 24; s >= 0; s -= 8) k += static_cast<char>((index >> s) & 0xff);
  return k;
}

Status delete_blob(BlobStore& blobs, std::string_view blob) {
  std::string begin = "s3/" + std::string(blob) + "/";
  std::string end = begin;
  end.back() = '/' + 1;
  return blobs.delete_range(begin, end);
}

std::string hex(std::string_view bytes) {
  static const char* d = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out += d[c >> 4];
    out += d[c & 15];
  }
  return out;
}

// ---- Hasher ----

namespace {
// Digest contexts are reused per thread: creating one (and OpenSSL's
// provider state under it) cost about as much as hashing a 1 KiB body.
// A context is re-initialised for each use (EVP_DigestInit_ex2), which
// keeps the provider state when the digest is the same.
struct ContextPool {
  std::vector<EVP_MD_CTX*> free;
  ~ContextPool() {
    for (auto* c : free) EVP_MD_CTX_free(c);
    free.clear();
    gone = true;
  }
  static thread_local bool gone;  // a hasher destroyed after its thread's pool frees its context itself
};
thread_local bool ContextPool::gone = false;
thread_local ContextPool context_pool;

EVP_MD_CTX* acquire_context() {
  if (ContextPool::gone || context_pool.free.empty()) return EVP_MD_CTX_new();
  EVP_MD_CTX* c = context_pool.free.back();
  context_pool.free.pop_back();
  return c;
}
void release_context(EVP_MD_CTX* c) {
  if (!ContextPool::gone && context_pool.free.size() < 32) context_pool.free.push_back(c);
  else EVP_MD_CTX_free(c);
}
}  // namespace

struct Hasher::Impl {
  EVP_MD_CTX* md = nullptr;
  boost::crc_32_type crc32;
  boost::crc_optimal<32, 0x1EDC6F41, 0xFFFFFFFF, 0xFFFFFFFF, true, true> crc32c;
  boost::crc_optimal<64, 0xAD93D23594C93659ULL, ~0ULL, ~0ULL, true, true> crc64;
  int kind = 0;  // 0 evp, 1 crc32, 2 crc32c, 3 crc64nvme
  ~Impl() {
    if (md) release_context(md);
  }
};

bool Hasher::supported(std::string_view a) {
  return a == "MD5" || a == "CRC32" || a == "CRC32C" || a == "CRC64NVME" || a == "SHA1" || a == "SHA256";
}

Hasher::Hasher(std::string algorithm) : algorithm_(std::move(algorithm)), impl_(std::make_unique<Impl>()) {
  const EVP_MD* md = nullptr;
  if (algorithm_ == "MD5") md = fetched_md(DigestAlgorithm::kMd5);
  else if (algorithm_ == "SHA1") md = fetched_md(DigestAlgorithm::kSha1);
  else if (algorithm_ == "SHA256") md = fetched_md(DigestAlgorithm::kSha256);
  else if (algorithm_ == "CRC32") impl_->kind = 1;
  else if (algorithm_ == "CRC32C") impl_->kind = 2;
  else if (algorithm_ == "CRC64NVME") impl_->kind = 3;
  if (md) {
    impl_->md = acquire_context();
    EVP_DigestInit_ex2(impl_->md, md, nullptr);
  }
}
Hasher::~Hasher() = default;
Hasher::Hasher(Hasher&&) noexcept = default;

void Hasher::update(std::string_view d) {
  switch (impl_->kind) {
    case 0:
      if (impl_->md) EVP_DigestUpdate(impl_->md, d.data(), d.size());
      break;
    case 1: impl_->crc32.process_bytes(d.data(), d.size()); break;
    case 2: impl_->crc32c.process_bytes(d.data(), d.size()); break;
    case 3: impl_->crc64.process_bytes(d.data(), d.size()); break;
  }
}

std::string Hasher::digest() {
  auto be = [](uint64_t v, int bytes) {
    std::string s(bytes, '\0');
    for (int i = bytes - 1; i >= 0; --i, v >>= 8) s[i] = static_cast<char>(v & 0xff);
    return s;
  };
  switch (impl_->kind) {
    case 1: return be(impl_->crc32.checksum(), 4);
    case 2: return be(impl_->crc32c.checksum(), 4);
    case 3: return be(impl_->crc64.checksum(), 8);
    default: {
      if (!impl_->md) return {};
      unsigned char out[EVP_MAX_MD_SIZE];
      unsigned int n = 0;
      EVP_DigestFinal_ex(impl_->md, out, &n);
      return std::string(reinterpret_cast<char*>(out), n);
    }
  }
}

// ---- BodyReceiver ----

namespace {
std::string_view hdr(const boost::beast::http::fields& h, std::string_view name) {
  auto it = h.find(boost::beast::string_view(name.data(), name.size()));
  return it == h.end() ? std::string_view() : std::string_view(it->value().data(), it->value().size());
}
std::string upper(std::string_view s) {
  std::string o(s);
  for (auto& c : o) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return o;
}
}  // namespace

BodyReceiver::BodyReceiver(BlobStore& blobs, const boost::beast::http::fields& h, std::string blob_id)
    : blobs_(blobs) {
  id_ = blob_id;
  body_.blob = std::move(blob_id);
  std::string_view sha = hdr(h, "x-amz-content-sha256");
  std::string_view enc = hdr(h, "content-encoding");
  chunked_ = sha.rfind("STREAMING-", 0) == 0 || enc.find("aws-chunked") != std::string_view::npos;
  if (auto d = hdr(h, "x-amz-decoded-content-length"); !d.empty()) {
    std::string text(d);  // outlives `end`, which points into it
    char* end = nullptr;
    uint64_t v = std::strtoull(text.c_str(), &end, 10);
    if (end && *end == '\0') decoded_length_ = v;
  }
  content_md5_ = std::string(hdr(h, "content-md5"));
  if (!content_md5_.empty()) {
    auto raw = protocol::base64_decode(content_md5_);
    if (!raw || raw->size() != 16)
      header_error_ = invalid_digest(content_md5_);
  }
  // Checksums asked for: x-amz-checksum-<alg> values, x-amz-sdk-checksum-algorithm,
  // x-amz-checksum-algorithm, or announced trailers (x-amz-trailer).
  auto want = [&](std::string alg) {
    if (!Hasher::supported(alg) || alg == "MD5") {
      header_error_ = invalid_request("Checksum algorithm " + alg + " is not supported.");
      return;
    }
    for (auto& hs : hashers_)
      if (hs.algorithm() == alg) return;
    hashers_.emplace_back(alg);
  };
  if (h.find(boost::beast::http::field::content_length) == h.end() &&
      h.find(boost::beast::http::field::transfer_encoding) == h.end())
    header_error_ = missing_content_length();
  constexpr std::string_view kChecksumPrefix = "x-amz-checksum-";
  for (auto& f : h) {
    auto raw_name = f.name_string();
    if (raw_name.size() <= kChecksumPrefix.size() ||
        !boost::beast::iequals(raw_name.substr(0, kChecksumPrefix.size()), kChecksumPrefix))
      continue;
    std::string name(raw_name);
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (name != "x-amz-checksum-algorithm" && name != "x-amz-checksum-type" &&
        name != "x-amz-checksum-mode") {
      std::string alg = upper(name.substr(15));
      if (!expected_.empty())
        header_error_ = invalid_request("Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.");
      auto raw = protocol::base64_decode(std::string(f.value()));
      size_t want_len = alg == "CRC32" || alg == "CRC32C" ? 4 : alg == "CRC64NVME" ? 8 : alg == "SHA1" ? 20 : alg == "SHA256" ? 32 : 0;
      if (Hasher::supported(alg) && (!raw || raw->size() != want_len))
        header_error_ = invalid_request("Value for " + name + " header is invalid.");
      want(alg);
      expected_.emplace_back(alg, std::string(f.value()));
    }
  }
  for (std::string_view n : {"x-amz-sdk-checksum-algorithm", "x-amz-checksum-algorithm"})
    if (auto a = hdr(h, n); !a.empty()) want(upper(a));
  if (auto t = hdr(h, "x-amz-trailer"); !t.empty()) {
    for (std::string lower : protocol::split_header_list(t)) {
      for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (lower.rfind("x-amz-checksum-", 0) == 0) want(upper(lower.substr(15)));
    }
  }
  // Chunks fill up to kChunkSize; reserve what this body needs of it.
  if (auto it = h.find(boost::beast::http::field::content_length); it != h.end())
    buf_.reserve(std::min<uint64_t>(std::strtoull(std::string(it->value()).c_str(), nullptr, 10), kChunkSize));
}

BodyReceiver::~BodyReceiver() = default;

std::string new_blob_id() {
  static std::atomic<uint64_t> counter{0};
  static std::atomic<uint64_t> last_us{0};  // the clock part never goes back within a process
  static constexpr std::string_view kDigits = "0123456789abcdefghijklmnopqrstuvwxyz";
  auto base36 = [](uint64_t v, int width, std::string& out) {
    char buf[16];
    for (int i = width - 1; i >= 0; --i, v /= 36) buf[i] = kDigits[v % 36];
    out.append(buf, static_cast<size_t>(width));
  };
  // Seeded (PODSTACK_SEED), the id is in the state: the clock and the
  // process counter would make it differ between runs.
  if (deterministic_ids()) return random_chars(24, kDigits);
  std::string id;
  id.reserve(24);
  uint64_t now = static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch()).count());
  uint64_t prev = last_us.load(std::memory_order_relaxed);
  while (prev < now && !last_us.compare_exchange_weak(prev, now, std::memory_order_relaxed)) {
  }
  base36(std::max(prev, now), 11, id);
  base36(counter.fetch_add(1, std::memory_order_relaxed), 5, id);
  id += random_chars(8, kDigits);
  return id;
}

std::string pending_key(std::string_view blob) { return "s3-pending/" + std::string(blob); }

std::optional<ApiError> BodyReceiver::flush() {
  if (buf_.empty()) return std::nullopt;
  // First chunk: a marker, so a crash before the commit leaves nothing behind
  // that recovery cannot find (S3Service::recover).
  // A full disk stops the upload cleanly mid-stream: 503 (AWS's
  // ServiceUnavailable/SlowDown family: retry later), and discard() drops
  // the chunks already written.
  auto store_error = [](const Status& s) {
    return s.code() == Status::Code::kNoSpace ? ApiError::unavailable(s.message())
                                              : ApiError::internal("the blob store could not be written: " + s.to_string());
  };
  if (chunks_ == 0) {
    if (Status s = blobs_.admit_write(buf_.size()); !s) return store_error(s);
    if (Status s = blobs_.mark_pending(pending_key(id_)); !s) return store_error(s);
  }
  // Counted before the write: discard() then removes the marker and any
  // part of a chunk that failed.
  if (Status s = blobs_.put_chunk(chunk_key(id_, chunks_++), buf_); !s) return store_error(s);
  buf_.clear();
  return std::nullopt;
}

std::optional<ApiError> BodyReceiver::data(std::string_view bytes) {
  body_.size += bytes.size();
  if (body_.size > kMaxPutSize)
    return entity_too_large(body_.size, kMaxPutSize);
  md5_.update(bytes);
  for (auto& h : hashers_) h.update(bytes);
  while (!bytes.empty()) {
    size_t take = std::min<size_t>(bytes.size(), kChunkSize - buf_.size());
    buf_.append(bytes.data(), take);
    bytes.remove_prefix(take);
    if (buf_.size() == kChunkSize)
      if (auto e = flush()) return e;
  }
  return std::nullopt;
}

std::optional<ApiError> BodyReceiver::trailer_line(std::string_view line) {
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) return incomplete_body();
  std::string name(line.substr(0, colon));
  for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\r')) value.remove_suffix(1);
  if (name.rfind("x-amz-checksum-", 0) == 0) {
    std::string alg = upper(name.substr(15));
    if (!Hasher::supported(alg) || alg == "MD5")
      return invalid_request("Checksum algorithm " + alg + " is not supported.");
    bool have = false;
    for (auto& h : hashers_) have = have || h.algorithm() == alg;
    if (!have) return invalid_request("The trailer " + name + " was not announced in x-amz-trailer.");
    expected_.emplace_back(alg, std::string(value));
  }
  return std::nullopt;  // x-amz-trailer-signature and others: accepted (any credentials)
}

std::optional<ApiError> BodyReceiver::feed(std::string_view in) {
  if (!chunked_) return data(in);
  // aws-chunked: "<hex>[;chunk-signature=..]\r\n<bytes>\r\n" ... "0[;..]\r\n" trailers "\r\n".
  while (!in.empty()) {
    switch (st_) {
      case St::kSize:
      case St::kTrailer: {
        size_t nl = in.find('\n');
        if (line_.size() + (nl == std::string_view::npos ? in.size() : nl) > 4096) return incomplete_body();
        if (nl == std::string_view::npos) {
          line_.append(in);
          in = {};
          break;
        }
        line_.append(in.substr(0, nl));
        in.remove_prefix(nl + 1);
        if (!line_.empty() && line_.back() == '\r') line_.pop_back();
        std::string line = std::move(line_);
        line_.clear();
        if (st_ == St::kTrailer) {
          if (line.empty()) {
            st_ = St::kDone;
            break;
          }
          if (auto e = trailer_line(line)) return e;
          break;
        }
        std::string_view size_text = std::string_view(line).substr(0, line.find(';'));
        if (size_text.empty() || size_text.size() > 16 || size_text.find_first_not_of("0123456789abcdefABCDEF") != std::string_view::npos)
          return incomplete_body();
        remaining_ = std::stoull(std::string(size_text), nullptr, 16);
        st_ = remaining_ == 0 ? St::kTrailer : St::kData;
        break;
      }
      case St::kData: {
        size_t take = static_cast<size_t>(std::min<uint64_t>(remaining_, in.size()));
        if (auto e = data(in.substr(0, take))) return e;
        in.remove_prefix(take);
        remaining_ -= take;
        if (remaining_ == 0) st_ = St::kDataEnd;
        break;
      }
      case St::kDataEnd: {
        // "\r\n" after the chunk's bytes
        size_t nl = in.find('\n');
        if (nl == std::string_view::npos) {
          if (in.find_first_not_of('\r') != std::string_view::npos) return incomplete_body();
          in = {};
          break;
        }
        if (in.substr(0, nl).find_first_not_of('\r') != std::string_view::npos) return incomplete_body();
        in.remove_prefix(nl + 1);
        st_ = St::kSize;
        break;
      }
      case St::kDone:
        return invalid_request("Unexpected bytes after the final aws-chunked chunk");
    }
  }
  return std::nullopt;
}

std::optional<ApiError> BodyReceiver::finish() {
  if (header_error_) return header_error_;
  // A body whose final chunk (or its trailer section) never came is truncated.
  if (chunked_ && st_ != St::kDone) return incomplete_body();
  if (decoded_length_ && *decoded_length_ != body_.size) return incomplete_body();
  if (chunks_ == 0 && buf_.size() <= kInlineMax) {
    if (!buf_.empty()) body_.inline_data = std::move(buf_);
    buf_.clear();
  } else if (auto e = flush()) {
    return e;
  }
  body_.md5 = md5_.digest();
  if (!content_md5_.empty() && protocol::base64_encode(body_.md5) != content_md5_) {
    auto given = protocol::base64_decode(content_md5_);
    return bad_digest("The Content-MD5 you specified did not match what we received.")
        .with("CalculatedDigest", protocol::base64_encode(body_.md5))
        .with("ExpectedDigest", part_ || !given ? content_md5_ : hex(*given));
  }
  for (auto& h : hashers_) {
    std::string got = protocol::base64_encode(h.digest());
    for (auto& [alg, want] : expected_)
      if (alg == h.algorithm() && want != got)
        return bad_digest("The " + alg + " you specified did not match the calculated checksum.");
    body_.checksums.emplace_back(h.algorithm(), got);
  }
  if (body_.size == 0) body_.blob.clear();
  return std::nullopt;
}

void BodyReceiver::discard() {
  if (discarded_) return;
  discarded_ = true;
  if (chunks_ > 0) {
    delete_blob(blobs_, id_).ignore_error();
    blobs_.unmark_pending(pending_key(id_)).ignore_error();
  }
}

void BodyReceiver::committed() {
  if (chunks_ > 0 && !discarded_) blobs_.unmark_pending(pending_key(id_)).ignore_error();
}

// ---- BlobReader ----

BlobReader::BlobReader(BlobStore& blobs, std::vector<SegmentRef> segments, uint64_t offset, uint64_t length,
                       std::function<void()> settle)
    : blobs_(blobs), segs_(std::move(segments)), length_(length), left_(length), settle_(std::move(settle)) {
  // Skip to `offset`.
  while (seg_ < segs_.size() && offset >= segs_[seg_].size) {
    offset -= segs_[seg_].size;
    ++seg_;
  }
  pos_ = offset;
}

Result<std::string> BlobReader::next() {
  if (left_ == 0 || seg_ >= segs_.size()) return std::string();
  const SegmentRef& s = segs_[seg_];
  uint64_t at = s.offset + pos_;  // offset in the blob
  uint32_t index = static_cast<uint32_t>(at / kChunkSize);
  uint64_t within = at % kChunkSize;
  auto chunk = blobs_.get_chunk(chunk_key(s.blob, index));
  if (!chunk && settle_) {
    settle_();
    settle_ = nullptr;
    chunk = blobs_.get_chunk(chunk_key(s.blob, index));
  }
  if (!chunk) return Status::corruption("object body chunk " + std::to_string(index) + " of blob " + s.blob + " is missing");
  std::string& c = *chunk;
  if (within > c.size()) return Status::corruption("object body chunk " + std::to_string(index) + " of blob " + s.blob + " is short");
  uint64_t take = std::min<uint64_t>({c.size() - within, s.size - pos_, left_});
  if (take == 0) return Status::corruption("object body of blob " + s.blob + " is short");
  std::string out = within == 0 && take == c.size() ? std::move(c) : c.substr(within, take);
  pos_ += take;
  left_ -= take;
  if (pos_ == s.size) {
    ++seg_;
    pos_ = 0;
  }
  return out;
}

}  // namespace podstack::s3
