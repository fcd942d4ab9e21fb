#include "pods/pod_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <cstdio>
#include <cstring>
#include <algorithm>
#include <csignal>
#include <filesystem>

#include "store/compression.h"
#include "store/test_hook.h"

namespace podstack::pods {
namespace {

constexpr std::string_view kMagic{"PODSTACK", 8};
constexpr std::string_view kTrailer{"PODEND\0\0", 8};
constexpr size_t kDigest = 32;
constexpr size_t kChunk = 1 << 20;  // write/read granularity: progress updates, the half-way test hook
// A frame larger than this (compressed or not) is damage, not data: a blob
// entry is at most an S3 chunk, a frame a few of them.
constexpr uint64_t kMaxFrame = 1ull << 30;
// Blobs compress at level 1: S3 bodies are often compressed already, and
// the pod is written at disk speed rather than at zstd's.
constexpr int kBlobLevel = 1;

void put_u32(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out += static_cast<char>((v >> (8 * i)) & 0xff);
}
void put_u64(std::string& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out += static_cast<char>((v >> (8 * i)) & 0xff);
}
uint64_t get_le(std::string_view s, size_t n) {
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i) v |= static_cast<uint64_t>(static_cast<unsigned char>(s[i])) << (8 * i);
  return v;
}

Status errno_status(const std::string& what) { return Status::io_error(what + ": " + std::strerror(errno)); }

Status damaged(const std::string& what) { return Status::checksum_mismatch(what + " fails its checksum: the file is damaged"); }

// Entries of one decompressed frame (or of a format-1 stream) to visit, in
// batches of about kBlobFrameBytes.
Status visit_entries(std::string_view stream, const BlobVisitor& visit) {
  BlobBatch batch;
  uint64_t batch_bytes = 0;
  while (!stream.empty()) {
    if (stream.size() < 4) return Status::corruption("the pod's blob stream is truncated");
    uint64_t kl = get_le(stream, 4);
    stream.remove_prefix(4);
    if (stream.size() < kl || stream.size() - kl < 8) return Status::corruption("the pod's blob stream is truncated");
    std::string_view key = stream.substr(0, kl);
    stream.remove_prefix(kl);
    uint64_t vl = get_le(stream, 8);
    stream.remove_prefix(8);
    if (stream.size() < vl) return Status::corruption("the pod's blob stream is truncated");
    batch.emplace_back(key, stream.substr(0, vl));
    batch_bytes += kl + vl;
    stream.remove_prefix(vl);
    if (batch_bytes >= kBlobFrameBytes) {
      if (Status st = visit(batch); !st) return st;
      batch.clear();
      batch_bytes = 0;
    }
  }
  if (!batch.empty()) return visit(batch);
  return Status::ok();
}

// One format-2 frame: decompressed (which checks its content checksum) into
// `scratch`, then its entries visited.
Status visit_frame(ZSTD_DCtx* dctx, std::string_view frame, std::string& scratch, const BlobVisitor& visit,
                   const std::string& what) {
  unsigned long long size = ZSTD_getFrameContentSize(frame.data(), frame.size());
  if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN || size > kMaxFrame) return damaged(what);
  scratch.resize(size);
  size_t n = ZSTD_decompressDCtx(dctx, scratch.data(), scratch.size(), frame.data(), frame.size());
  if (ZSTD_isError(n) || n != size) return damaged(what);
  if (!visit) return Status::ok();
  return visit_entries(scratch, visit);
}

struct DCtx {
  ZSTD_DCtx* p = ZSTD_createDCtx();
  ~DCtx() { ZSTD_freeDCtx(p); }
};

// Magic and format version: the checks every reader makes first.
Status check_preamble(std::string_view b, const std::string& what) {
  if (b.size() < kMagic.size() || b.substr(0, kMagic.size()) != kMagic)
    return Status::corruption(what + " is not a podstack pod file");
  if (b.size() < 16) return Status::corruption(what + " is truncated");
  uint32_t format = static_cast<uint32_t>(get_le(b.substr(8), 4));
  if (format > kPodFormat)
    return Status::unsupported_version(what + " has pod format " + std::to_string(format) +
                                       "; this podstack reads formats up to " + std::to_string(kPodFormat) + ": upgrade podstack");
  if (format == 0) return Status::corruption(what + " has an invalid pod format version 0");
  return Status::ok();
}

// The header as a format-2 writer stores it: no padding of its own.
std::string plain_header(const proto::PodHeader& h) {
  proto::PodHeader c = h;
  c.clear_padding();
  return c.SerializeAsString();
}

// magic, format, H, header
std::string preamble(uint32_t format, std::string_view header) {
  std::string out;
  out.reserve(16 + header.size());
  out += kMagic;
  put_u32(out, format);
  put_u32(out, static_cast<uint32_t>(header.size()));
  out += header;
  return out;
}

}  // namespace

std::string encode_pod(const PodContent& pod) {
  if (pod.format == 1) {
    std::string header = pod.header.SerializeAsString();
    std::string out = preamble(1, header);
    out.reserve(64 + header.size() + pod.state.size() + pod.blobs.size());
    put_u64(out, pod.state.size());
    out += pod.state;
    put_u64(out, pod.blobs.size());
    out += pod.blobs;
    std::string digest = sha256(out);
    out += kTrailer;
    out += digest;
    return out;
  }
  std::string pre = preamble(kPodFormat, plain_header(pod.header));
  std::string out = pre;
  out.reserve(pre.size() + 64 + pod.state.size() + pod.blobs.size());
  put_u64(out, pod.state.size());
  out += pod.state;
  out += pod.blobs;
  put_u32(out, 0);
  Sha256 h;
  h.update(std::string_view(out).substr(pre.size()));
  h.update(pre);
  out += kTrailer;
  out += h.digest();
  return out;
}

Result<proto::PodHeader> decode_pod_header(std::string_view b, const std::string& what) {
  if (Status st = check_preamble(b, what); !st) return st;
  uint64_t h = get_le(b.substr(12), 4);
  if (b.size() - 16 < h) return Status::corruption(what + " is truncated");
  proto::PodHeader header;
  if (!header.ParseFromArray(b.data() + 16, static_cast<int>(h))) return Status::corruption(what + " has a header that does not parse");
  return header;
}

Result<PodContent> decode_pod(std::string_view b, const std::string& what) {
  if (Status st = check_preamble(b, what); !st) return st;
  if (b.size() < kTrailer.size() + kDigest + 16) return Status::corruption(what + " is truncated");
  uint32_t format = static_cast<uint32_t>(get_le(b.substr(8), 4));
  size_t body_end = b.size() - kTrailer.size() - kDigest;
  if (b.substr(body_end, kTrailer.size()) != kTrailer) return Status::corruption(what + " is truncated (no trailer)");
  std::string_view body = b.substr(0, body_end);
  std::string_view digest = b.substr(body_end + kTrailer.size());
  uint64_t h_len = get_le(b.substr(12), 4);
  if (format == 1) {
    if (sha256(body) != digest) return damaged(what);
  } else {
    if (h_len > body_end - 16) return damaged(what);
    Sha256 h;
    h.update(body.substr(16 + h_len));
    h.update(body.substr(0, 16 + h_len));
    if (h.digest() != digest) return damaged(what);
  }
  size_t pos = 16;
  auto take = [&](size_t n, std::string_view& out) {
    if (body.size() - pos < n) return false;
    out = body.substr(pos, n);
    pos += n;
    return true;
  };
  std::string_view h, len, state, blobs;
  if (!take(h_len, h)) return Status::corruption(what + " is truncated");
  PodContent pod;
  pod.format = format;
  if (!pod.header.ParseFromArray(h.data(), static_cast<int>(h.size())))
    return Status::corruption(what + " has a header that does not parse");
  if (!take(8, len) || !take(get_le(len, 8), state)) return Status::corruption(what + " is truncated");
  if (format == 1) {
    if (!take(8, len) || !take(get_le(len, 8), blobs)) return Status::corruption(what + " is truncated");
  } else {
    size_t start = pos;
    for (;;) {
      if (!take(4, len)) return Status::corruption(what + " is truncated");
      uint64_t n = get_le(len, 4);
      if (n == 0) break;
      std::string_view frame;
      if (!take(n, frame)) return Status::corruption(what + " is truncated");
    }
    blobs = body.substr(start, pos - 4 - start);
  }
  if (pos != body.size()) return Status::corruption(what + " has trailing bytes");
  pod.state = std::string(state);
  pod.blobs = std::string(blobs);
  return pod;
}

Status for_each_blob(const PodContent& pod, const BlobVisitor& visit) {
  if (pod.blobs.empty()) return Status::ok();
  if (pod.format == 1) {
    auto raw = zstd_decompress(pod.blobs);
    if (!raw) return raw.status();
    return visit_entries(*raw, visit);
  }
  DCtx dctx;
  std::string scratch;
  std::string_view s = pod.blobs;
  while (!s.empty()) {
    if (s.size() < 4) return Status::corruption("the pod's blob stream is truncated");
    uint64_t n = get_le(s, 4);
    if (s.size() - 4 < n) return Status::corruption("the pod's blob stream is truncated");
    if (Status st = visit_frame(dctx.p, s.substr(4, n), scratch, visit, "the pod's blob stream"); !st) return st;
    s.remove_prefix(4 + n);
  }
  return Status::ok();
}

std::string encode_blob_frames(const std::vector<std::pair<std::string, std::string>>& entries) {
  std::string out, raw;
  auto flush = [&] {
    std::string z(ZSTD_compressBound(raw.size()), '\0');
    ZSTD_CCtx* c = ZSTD_createCCtx();
    ZSTD_CCtx_setParameter(c, ZSTD_c_compressionLevel, kBlobLevel);
    ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, 1);
    size_t n = ZSTD_compress2(c, z.data(), z.size(), raw.data(), raw.size());
    ZSTD_freeCCtx(c);
    z.resize(n);
    put_u32(out, static_cast<uint32_t>(z.size()));
    out += z;
    raw.clear();
  };
  for (auto& [k, v] : entries) {
    put_u32(raw, static_cast<uint32_t>(k.size()));
    raw += k;
    put_u64(raw, v.size());
    raw += v;
    if (raw.size() >= kBlobFrameBytes) flush();
  }
  if (!raw.empty()) flush();
  return out;
}

// ---- PodWriter ----

// The writing side of a PodWriter: a thread that hashes the body and writes
// it while the caller compresses the next frame.
class PodWriter::Sink {
 public:
  Sink(std::string path, int fd, Progress* progress) : path_(std::move(path)), fd_(fd), progress_(progress) {
    thread_ = std::thread([this] { run(); });
  }
  ~Sink() {
    {
      std::lock_guard lk(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
    if (fd_ >= 0) ::close(fd_);
  }

  // Queues bytes to write next (hashed as body unless `header`); blocks
  // while kFramesInFlight are queued. The first write error, once known.
  Status push(std::string bytes, bool header = false) {
    std::unique_lock lk(mu_);
    cv_.wait(lk, [this] { return queue_.size() < kFramesInFlight || !error_.is_ok(); });
    if (!error_.is_ok()) return error_;
    queue_.push_back({std::move(bytes), header});
    cv_.notify_all();
    return Status::ok();
  }
  // Waits until everything queued is written.
  Status drain() {
    std::unique_lock lk(mu_);
    cv_.wait(lk, [this] { return (queue_.empty() && !busy_) || !error_.is_ok(); });
    return error_;
  }
  uint64_t size() const { return offset_; }               // after drain()
  const Sha256& body_hash() const { return body_hash_; }  // after drain()
  int fd() const { return fd_; }
  void close_fd() {
    ::close(fd_);
    fd_ = -1;
  }

 private:
  struct Item {
    std::string bytes;
    bool header;
  };
  void run() {
    std::unique_lock lk(mu_);
    for (;;) {
      cv_.wait(lk, [this] { return stop_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping
      Item item = std::move(queue_.front());
      queue_.pop_front();
      busy_ = true;
      cv_.notify_all();
      lk.unlock();
      Status st = append(item);
      lk.lock();
      busy_ = false;
      if (!st && error_.is_ok()) error_ = st;
      cv_.notify_all();
    }
  }
  Status append(const Item& item) {
    if (!item.header) body_hash_.update(item.bytes);
    const char* p = item.bytes.data();
    size_t n = item.bytes.size();
    while (n > 0) {
      ssize_t w = ::write(fd_, p, n);
      if (w < 0) {
        if (errno == EINTR) continue;
        return errno_status("cannot write " + path_);
      }
      p += w;
      n -= static_cast<size_t>(w);
      offset_ += static_cast<uint64_t>(w);
    }
    if (progress_) progress_->update(offset_);
    return Status::ok();
  }

  std::string path_;
  int fd_;
  Progress* progress_;
  uint64_t offset_ = 0;  // bytes in the file
  Sha256 body_hash_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Item> queue_;
  bool stop_ = false, busy_ = false;
  Status error_;
  std::thread thread_;
};

PodWriter::PodWriter(std::string partial, std::unique_ptr<Sink> sink, proto::PodHeader header)
    : partial_(std::move(partial)), sink_(std::move(sink)), header_(std::move(header)) {
  ZSTD_CCtx* c = ZSTD_createCCtx();
  ZSTD_CCtx_setParameter(c, ZSTD_c_compressionLevel, kBlobLevel);
  ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, 1);
  cctx_ = c;
}

PodWriter::~PodWriter() {
  ZSTD_freeCCtx(static_cast<ZSTD_CCtx*>(cctx_));
  sink_.reset();
  if (!published_) ::unlink(partial_.c_str());
}

Result<std::unique_ptr<PodWriter>> PodWriter::create(const std::string& partial, proto::PodHeader header,
                                                     std::string_view state, Progress* progress) {
  std::filesystem::path p(partial);
  std::error_code ec;
  std::filesystem::create_directories(p.parent_path(), ec);
  if (ec) return Status::io_error("cannot create " + p.parent_path().string() + ": " + ec.message());
  int fd = ::open(partial.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return errno_status("cannot write " + partial);
  auto sink = std::make_unique<Sink>(partial, fd, progress);
  std::unique_ptr<PodWriter> w(new PodWriter(partial, std::move(sink), std::move(header)));
  // The room the header will take: every field known now, the ones filled in
  // at publish() at their largest, and enough for the smallest padding field
  // (tag, length, at least one byte, so that proto3 serializes it).
  proto::PodHeader widest = w->header_;
  widest.clear_padding();
  widest.set_version(UINT64_MAX);
  widest.set_compressed_bytes(UINT64_MAX);
  widest.set_blob_bytes(UINT64_MAX);
  widest.set_blob_count(UINT64_MAX);
  w->reserved_ = static_cast<uint32_t>(widest.ByteSizeLong() + 3);
  w->header_.set_compressed_bytes(state.size());
  std::string len;
  put_u64(len, state.size());
  if (Status st = w->sink_->push(std::string(16 + w->reserved_, '\0'), /*header=*/true); !st) return st;  // written for real by publish()
  if (Status st = w->sink_->push(std::move(len)); !st) return st;
  if (Status st = w->sink_->push(std::string(state)); !st) return st;
  if (Status st = w->sink_->drain(); !st) return st;
  test_hook("pod-write-half");  // the state written, the blob stream and the trailer not yet
  return w;
}

Status PodWriter::add_blob(std::string_view key, std::string_view value) {
  if (ended_) return Status::invalid_argument("the pod's blob stream has ended");
  put_u32(frame_, static_cast<uint32_t>(key.size()));
  frame_ += key;
  put_u64(frame_, value.size());
  frame_ += value;
  header_.set_blob_count(header_.blob_count() + 1);
  header_.set_blob_bytes(header_.blob_bytes() + 12 + key.size() + value.size());
  if (frame_.size() >= kBlobFrameBytes) return flush_frame();
  return Status::ok();
}

Status PodWriter::flush_frame() {
  if (frame_.empty()) return Status::ok();
  std::string out(4 + ZSTD_compressBound(frame_.size()), '\0');
  size_t n = ZSTD_compress2(static_cast<ZSTD_CCtx*>(cctx_), out.data() + 4, out.size() - 4, frame_.data(), frame_.size());
  if (ZSTD_isError(n)) return Status::io_error(std::string("zstd: ") + ZSTD_getErrorName(n));
  for (int i = 0; i < 4; ++i) out[i] = static_cast<char>((n >> (8 * i)) & 0xff);
  out.resize(4 + n);
  header_.set_compressed_bytes(header_.compressed_bytes() + n);
  frame_.clear();
  return sink_->push(std::move(out));
}

Status PodWriter::publish(const std::string& path, uint64_t version, bool no_replace) {
  if (!ended_) {
    if (Status st = flush_frame(); !st) return st;
    std::string end;
    put_u32(end, 0);
    if (Status st = sink_->push(std::move(end)); !st) return st;
    ended_ = true;
  }
  if (Status st = sink_->drain(); !st) return st;
  header_.set_version(version);
  header_.clear_padding();
  size_t plain = header_.ByteSizeLong();
  if (plain + 3 > reserved_) return Status::io_error("pod header outgrew its reserved room");
  // Tag (1 byte for field 15), a 1-byte length (the slack is at most a few
  // dozen bytes), then the filler.
  header_.set_padding(std::string(reserved_ - plain - 2, '\0'));
  std::string pre = preamble(kPodFormat, header_.SerializeAsString());
  if (pre.size() != 16 + reserved_) return Status::io_error("pod header does not fill its reserved room");
  Sha256 h = sink_->body_hash();
  h.update(pre);
  std::string trailer(kTrailer);
  trailer += h.digest();
  int fd = sink_->fd();
  for (auto [bytes, at] : {std::pair<std::string_view, uint64_t>{pre, 0}, {trailer, sink_->size()}}) {
    if (::pwrite(fd, bytes.data(), bytes.size(), static_cast<off_t>(at)) != static_cast<ssize_t>(bytes.size()))
      return errno_status("cannot write " + partial_);
  }
  if (::fdatasync(fd) != 0) return errno_status("cannot fsync " + partial_);
  test_hook("pod-write-fsynced");
  if (no_replace) {
    // link() fails if the target exists: concurrent savers cannot take the same version.
    if (::link(partial_.c_str(), path.c_str()) != 0)
      return errno == EEXIST ? Status::busy(path + " already exists") : errno_status("cannot create " + path);
    ::unlink(partial_.c_str());
  } else if (::rename(partial_.c_str(), path.c_str()) != 0) {
    return errno_status("cannot rename " + partial_);
  }
  published_ = true;
  sink_->close_fd();
  int dfd = ::open(std::filesystem::path(path).parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return Status::ok();
}

// ---- PodReader ----

PodReader::PodReader(std::string path, int fd, Progress* progress) : path_(std::move(path)), fd_(fd), progress_(progress) {}

PodReader::~PodReader() {
  if (fd_ >= 0) ::close(fd_);
}

Status PodReader::read_exact(std::string& out, uint64_t n) {
  if (body_end_ - pos_ < n) return Status::corruption(path_ + " is truncated");
  out.resize(n);
  size_t off = 0;
  while (off < n) {
    ssize_t r = ::read(fd_, out.data() + off, std::min<size_t>(n - off, kChunk * 16));
    if (r < 0) {
      if (errno == EINTR) continue;
      return errno_status("cannot read " + path_);
    }
    if (r == 0) return Status::corruption(path_ + " is truncated");
    off += static_cast<size_t>(r);
    pos_ += static_cast<uint64_t>(r);
    if (progress_) progress_->update(pos_);
  }
  return Status::ok();
}

Result<std::unique_ptr<PodReader>> PodReader::open(const std::string& path, Progress* progress) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errno == ENOENT ? Status::not_found(path + " does not exist") : errno_status("cannot read " + path);
  std::unique_ptr<PodReader> r(new PodReader(path, fd, progress));
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  struct stat sb;
  if (::fstat(fd, &sb) != 0) return errno_status("cannot read " + path);
  uint64_t size = static_cast<uint64_t>(sb.st_size);
  if (progress) progress->set_total(size);
  r->body_end_ = std::min<uint64_t>(size, 16);
  std::string pre;
  if (Status st = r->read_exact(pre, r->body_end_); !st) return st;
  if (Status st = check_preamble(pre, path); !st) return st;
  r->format_ = static_cast<uint32_t>(get_le(std::string_view(pre).substr(8), 4));
  if (r->format_ == 1) {
    // Format 1 was written in one piece; it is read the same way.
    auto pod = read_pod(path, progress);
    if (!pod) return pod.status();
    r->whole_ = std::make_unique<PodContent>(std::move(*pod));
    r->header_ = r->whole_->header;
    r->state_ = r->whole_->state;
    return r;
  }
  if (size < 16 + kTrailer.size() + kDigest) return Status::corruption(path + " is truncated");
  std::string tail(kTrailer.size() + kDigest, '\0');
  if (::pread(fd, tail.data(), tail.size(), static_cast<off_t>(size - tail.size())) != static_cast<ssize_t>(tail.size()))
    return errno_status("cannot read " + path);
  if (std::string_view(tail).substr(0, kTrailer.size()) != kTrailer) return Status::corruption(path + " is truncated (no trailer)");
  r->expected_digest_ = tail.substr(kTrailer.size());
  r->body_end_ = size - tail.size();
  uint64_t h_len = get_le(std::string_view(pre).substr(12), 4);
  std::string head, len;
  if (Status st = r->read_exact(head, h_len); !st) return r->damaged_or(st);
  r->prefix_ = pre + head;
  if (!r->header_.ParseFromString(head)) return r->damaged_or(Status::corruption(path + " has a header that does not parse"));
  if (Status st = r->read_exact(len, 8); !st) return r->damaged_or(st);
  r->hash_.update(len);
  if (Status st = r->read_exact(r->state_, get_le(len, 8)); !st) return r->damaged_or(st);
  r->hash_.update(r->state_);
  return r;
}

Status PodReader::check_digest() {
  if (pos_ != body_end_) return Status::corruption(path_ + " has trailing bytes");
  Sha256 h = hash_;
  h.update(prefix_);
  if (h.digest() != expected_digest_) return damaged(path_);
  return Status::ok();
}

Status PodReader::damaged_or(Status st) {
  // Hash what is left; the prefix is whatever the header length said.
  if (prefix_.empty()) {
    // The header itself could not be read: bytes [0, pos) are the prefix.
    if (::lseek(fd_, 0, SEEK_SET) != 0) return st;
    pos_ = 0;
    std::string pre;
    if (!read_exact(pre, 16)) return st;
    uint64_t h_len = get_le(std::string_view(pre).substr(12), 4);
    if (h_len > body_end_ - 16) return damaged(path_);
    std::string head;
    if (!read_exact(head, h_len)) return damaged(path_);
    prefix_ = pre + head;
    hash_ = Sha256();
  } else if (::lseek(fd_, static_cast<off_t>(prefix_.size()), SEEK_SET) != static_cast<off_t>(prefix_.size())) {
    return st;
  } else {
    pos_ = prefix_.size();
    hash_ = Sha256();
  }
  std::string buf;
  while (pos_ < body_end_) {
    if (!read_exact(buf, std::min<uint64_t>(body_end_ - pos_, kChunk))) return st;
    hash_.update(buf);
  }
  if (Status d = check_digest(); !d) return d;
  return st;
}

Status PodReader::read_blobs(const BlobVisitor& visit) {
  if (blobs_read_) return Status::invalid_argument("the pod's blobs were read already");
  blobs_read_ = true;
  if (whole_) return visit ? for_each_blob(*whole_, visit) : Status::ok();  // verified when read
  DCtx dctx;
  std::string len, frame, scratch;
  for (;;) {
    if (Status st = read_exact(len, 4); !st) return damaged_or(st);
    hash_.update(len);
    uint64_t n = get_le(len, 4);
    if (n == 0) break;
    if (n > kMaxFrame) return damaged_or(Status::corruption(path_ + " has an implausible blob frame"));
    if (Status st = read_exact(frame, n); !st) return damaged_or(st);
    hash_.update(frame);
    Status st = visit_frame(dctx.p, frame, scratch, visit, path_);
    if (!st) return st.code() == Status::Code::kChecksumMismatch || st.code() == Status::Code::kCorruption ? damaged_or(st) : st;
  }
  return check_digest();
}

// ---- files ----

std::string partial_path(const std::string& path) { return path + "." + std::to_string(::getpid()) + ".partial"; }

bool is_stale_partial(const std::string& filename) {
  if (filename.size() < 8 || filename.substr(filename.size() - 8) != ".partial") return false;
  std::string stem = filename.substr(0, filename.size() - 8);
  auto dot = stem.rfind('.');
  std::string pid = dot == std::string::npos ? "" : stem.substr(dot + 1);
  if (pid.empty() || pid.size() > 9 || pid.find_first_not_of("0123456789") != std::string::npos) return true;
  // Its writer still runs: a concurrent save, not a leftover.
  return ::kill(static_cast<pid_t>(std::stoul(pid)), 0) != 0 && errno == ESRCH;
}

Status write_file_atomic(const std::string& path, std::string_view bytes, bool no_replace, Progress* progress) {
  std::filesystem::path p(path);
  std::error_code ec;
  std::filesystem::create_directories(p.parent_path(), ec);
  if (ec) return Status::io_error("cannot create " + p.parent_path().string() + ": " + ec.message());
  std::string tmp = partial_path(path);
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return errno_status("cannot write " + tmp);
  if (progress) progress->set_total(bytes.size());
  size_t off = 0;
  bool halfway = false;
  while (off < bytes.size()) {
    if (!halfway && off >= bytes.size() / 2 && off > 0) {
      halfway = true;
      test_hook("pod-write-half");
    }
    size_t chunk = std::min<size_t>(bytes.size() - off, kChunk);
    if (!halfway) chunk = std::min(chunk, std::max<size_t>(bytes.size() / 2 - off, 1));  // stop at the half-way point once
    ssize_t n = ::write(fd, bytes.data() + off, chunk);
    if (n < 0) {
      if (errno == EINTR) continue;
      Status st = errno_status("cannot write " + tmp);
      ::close(fd);
      ::unlink(tmp.c_str());
      return st;
    }
    off += static_cast<size_t>(n);
    if (progress) progress->update(off);
  }
  if (::fsync(fd) != 0) {
    Status st = errno_status("cannot fsync " + tmp);
    ::close(fd);
    ::unlink(tmp.c_str());
    return st;
  }
  ::close(fd);
  test_hook("pod-write-fsynced");
  if (no_replace) {
    // link() fails if the target exists: concurrent savers cannot take the same version.
    if (::link(tmp.c_str(), path.c_str()) != 0) {
      Status st = errno == EEXIST ? Status::busy(path + " already exists") : errno_status("cannot create " + path);
      ::unlink(tmp.c_str());
      return st;
    }
    ::unlink(tmp.c_str());
  } else if (::rename(tmp.c_str(), path.c_str()) != 0) {
    Status st = errno_status("cannot rename " + tmp);
    ::unlink(tmp.c_str());
    return st;
  }
  int dfd = ::open(p.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return Status::ok();
}

Result<std::string> read_file(const std::string& path, Progress* progress) {
  FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return errno == ENOENT ? Status::not_found(path + " does not exist") : errno_status("cannot read " + path);
  std::string out;
  struct stat sb;
  if (::fstat(::fileno(f), &sb) == 0 && S_ISREG(sb.st_mode)) {
    out.reserve(static_cast<size_t>(sb.st_size));
    if (progress) progress->set_total(static_cast<uint64_t>(sb.st_size));
  }
  std::string buf(kChunk, '\0');
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), f)) > 0) {
    out.append(buf.data(), n);
    if (progress) progress->update(out.size());
  }
  bool err = std::ferror(f);
  std::fclose(f);
  if (err) return Status::io_error("cannot read " + path);
  return out;
}

Result<PodContent> read_pod(const std::string& path, Progress* progress) {
  auto bytes = read_file(path, progress);
  if (!bytes) return bytes.status();
  return decode_pod(*bytes, path);
}

}  // namespace podstack::pods
