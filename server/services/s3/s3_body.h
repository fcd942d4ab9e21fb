// S3 object bodies on the blob store.
//
//   request body ──▶ BodyReceiver ──▶ aws-chunked decoding (signed chunks,
//                    │                 trailing checksums)
//                    ├─▶ MD5 + x-amz-checksum-* hashers
//                    └─▶ 1 MiB chunks ──▶ blobs CF "s3/<id>/<u32 BE index>"
//
// A body is written to the blob store as it arrives, so a 5 GiB upload
// needs one chunk of memory. The chunks are unreferenced until the event
// that names the blob commits; a failed or rejected upload deletes them.
// Reading walks an object's segments chunk by chunk (BlobReader).
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/beast/http/fields.hpp>

#include "server/protocol/api_error.h"
#include "base/status.h"
#include "server/blob_store.h"

namespace podstack::s3 {

using protocol::ApiError;

inline constexpr uint64_t kChunkSize = 1 << 20;
inline constexpr uint64_t kMaxPutSize = 5ull << 30;  // 5 GiB: PutObject and UploadPart
// Bodies up to this size are not written ahead: they travel with their event
// and are written in the same group commit (ReceivedBody::inline_data).
inline constexpr uint64_t kInlineMax = 64 << 10;

std::string chunk_key(std::string_view blob, uint32_t index);
// A new blob id: 24 characters of [0-9a-z] that sort by creation time (11
// of wall-clock microseconds, 5 of a per-process counter, 8 random), so new
// chunks land at the end of the blobs memtable (RocksDB's skip list appends
// sequential keys without a search; random ids cost ~5% of a 1 KiB
// PutObject in cache misses) and flushed files do not overlap. Uniqueness
// rests on the counter within a process and the random part across them.
// With PODSTACK_SEED: 24 seeded random characters instead (reproducible).
std::string new_blob_id();
// The pending mark of a body written but not yet committed (BlobStore::mark_pending):
// "s3-pending/<blob>", the key older versions wrote, so their marks still recover.
std::string pending_key(std::string_view blob);
inline constexpr std::string_view kPendingPrefix = "s3-pending/";
// Deletes every chunk of a blob.
Status delete_blob(BlobStore& blobs, std::string_view blob);

// Incremental checksums, S3's algorithms. Values are base64 of the big-endian digest.
class Hasher {
 public:
  explicit Hasher(std::string algorithm);  // MD5 | CRC32 | CRC32C | CRC64NVME | SHA1 | SHA256
  ~Hasher();
  Hasher(Hasher&&) noexcept;
  void update(std::string_view data);
  std::string digest();  // raw bytes
  const std::string& algorithm() const { return algorithm_; }
  static bool supported(std::string_view algorithm);

 private:
  struct Impl;
  std::string algorithm_;
  std::unique_ptr<Impl> impl_;
};

// Composite checksum of a multipart object: checksum of the parts' raw checksums, "-N".
std::string hex(std::string_view bytes);

struct ReceivedBody {
  std::string blob;     // empty: no bytes were stored (empty body)
  uint64_t size = 0;
  std::string md5;      // raw
  std::vector<std::pair<std::string, std::string>> checksums;  // algorithm -> base64, verified
  std::optional<std::string> inline_data;  // the whole body (chunk 0), not yet written
};

class BodyReceiver {
 public:
  // `headers` of the request (Content-MD5, x-amz-checksum-*, aws-chunked, ...).
  BodyReceiver(BlobStore& blobs, const boost::beast::http::fields& headers, std::string blob_id);
  ~BodyReceiver();
  // Bytes of the HTTP body as they arrive (after HTTP chunked decoding).
  std::optional<ApiError> feed(std::string_view data);
  // The whole body arrived: checks lengths, Content-MD5 and checksums.
  std::optional<ApiError> finish();
  const ReceivedBody& body() const { return body_; }
  // The upload was rejected or not committed: delete its chunks.
  void discard();
  // The referencing event is durable: the body is no longer pending.
  void committed();
  // A header error known before any byte (bad Content-MD5, unknown algorithm, ...).
  const std::optional<ApiError>& header_error() const { return header_error_; }
  // A part of a multipart upload: a Content-MD5 mismatch reports the expected
  // digest as given (base64), not in hex as PutObject's does.
  void set_part(bool part) { part_ = part; }

 private:
  std::optional<ApiError> data(std::string_view bytes);
  std::optional<ApiError> flush();
  std::optional<ApiError> trailer_line(std::string_view line);

  BlobStore& blobs_;
  std::string id_;
  ReceivedBody body_;
  std::string buf_;
  uint32_t chunks_ = 0;
  Hasher md5_{"MD5"};
  std::vector<Hasher> hashers_;
  std::vector<std::pair<std::string, std::string>> expected_;  // algorithm -> base64 (headers or trailers)
  std::string content_md5_;                                    // base64 from the header
  std::optional<uint64_t> decoded_length_;
  std::optional<ApiError> header_error_;
  bool chunked_ = false;
  bool discarded_ = false;
  bool part_ = false;
  // aws-chunked decoder
  enum class St { kSize, kData, kDataEnd, kTrailer, kDone } st_ = St::kSize;
  std::string line_;
  uint64_t remaining_ = 0;
};

// Reads `length` bytes starting at `offset` of an object's segments, one
// piece (at most a chunk) at a time.
struct SegmentRef {
  std::string blob;
  uint64_t offset = 0, size = 0;
};
class BlobReader {
 public:
  // `settle`: called once when a chunk is missing, before looking again (the
  // chunk may be in a group commit still on its way to the store).
  BlobReader(BlobStore& blobs, std::vector<SegmentRef> segments, uint64_t offset, uint64_t length,
             std::function<void()> settle = {});
  uint64_t length() const { return length_; }
  // The next piece; empty when done.
  Result<std::string> next();

 private:
  BlobStore& blobs_;
  std::vector<SegmentRef> segs_;
  uint64_t length_, left_;
  size_t seg_ = 0;
  uint64_t pos_ = 0;  // offset within the current segment
  std::function<void()> settle_;
};

}  // namespace podstack::s3
