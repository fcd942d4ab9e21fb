// The pod file format: a versioned, checksummed, compressed snapshot of state.
//
// Format 2 (written since podstack streams pods; see docs/decisions.md, Pods):
//
//   offset  size  field
//   0       8     magic "PODSTACK"
//   8       4     format version, u32 little-endian (kPodFormat)
//   12      4     header length H, u32 LE
//   16      H     PodHeader (proto/pod.proto)
//   16+H    8     state length S, u64 LE
//   24+H    S     zstd frame of podstack.proto.StateSnapshot
//   24+H+S        blob frames, each { u32 LE length n > 0, n bytes: one zstd
//                 frame with its content checksum }, then u32 0
//   ...     8     trailer magic "PODEND\0\0"
//   ...     32    SHA-256 of bytes [16+H, trailer) followed by bytes [0, 16+H)
//
// The blob stream is the blob store entries the state references, sorted by
// key, each { u32 LE key length, key, u64 LE value length, value }; a frame
// holds whole entries (about kBlobFrameBytes of them), so a reader holds one
// frame at a time and hands on only entries whose frame passed its checksum.
//
// A writer streams: it cannot know the header's sizes (blob bytes, count,
// compressed bytes) and version before the blobs are written, so it reserves
// H bytes for the header, streams the state and the blobs, and writes the
// header last, filled to exactly H bytes with its `padding` field. That is
// also why the checksum takes the body first and the header last.
//
// Format 1 (read only): the same up to the state, then u64 LE blob stream
// length B and B bytes (one zstd frame of the whole blob stream, or none),
// then the trailer with the SHA-256 of every byte before it.
//
// Writers go through a `.partial` file, fsync it, rename it into place and
// fsync the directory, so a pod file either exists whole or not at all.
// Readers check magic, version and checksum before anything is loaded: a
// newer format, a truncated file, a wrong checksum and a foreign file each
// become one clear Status.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "pods/progress.h"
#include "proto/pod.pb.h"
#include "base/digest.h"
#include "base/status.h"

namespace podstack::pods {

inline constexpr uint32_t kPodFormat = 2;
// Raw bytes of blob entries per frame: the unit of memory, of a reader's
// checksum and of a restore's write batch.
inline constexpr size_t kBlobFrameBytes = 4 << 20;
inline constexpr size_t kFramesInFlight = 4;

struct PodContent {
  proto::PodHeader header;
  std::string state;  // zstd(StateSnapshot), as stored
  std::string blobs;  // the blob section as stored: format 1 one zstd frame, format 2 the frames without the end mark
  uint32_t format = kPodFormat;
};

// Blob entries (key, value), valid during one visit.
using BlobBatch = std::vector<std::pair<std::string_view, std::string_view>>;
using BlobVisitor = std::function<Status(const BlobBatch&)>;

// Serializes a pod to bytes (header, frames, trailer) in pod.format.
std::string encode_pod(const PodContent& pod);
// Parses and verifies pod bytes; `what` names the source in error messages.
Result<PodContent> decode_pod(std::string_view bytes, const std::string& what);
// Only the header, from the first bytes of a pod file (no checksum: for
// listings; anything loaded goes through decode_pod or PodReader).
Result<proto::PodHeader> decode_pod_header(std::string_view head, const std::string& what);
// The blob entries of a decoded pod, in batches of at most a frame.
Status for_each_blob(const PodContent& pod, const BlobVisitor& visit);
// The blob section of format 2 for entries given in key order (tests, tools).
std::string encode_blob_frames(const std::vector<std::pair<std::string, std::string>>& entries);

// Writes a format-2 pod file as it is produced: header fields and the state
// first, then blob entries one by one, then publish() completes the header
// and trailer and moves the file into place. A writer dropped before
// publish() removes its file.
//
// Frames are compressed on the caller's thread while a writer thread hashes
// and writes the previous ones (at most kFramesInFlight: memory stays a few
// frames).
class PodWriter {
 public:
  // `partial`: a path ending in .PID.partial (see is_stale_partial). The
  // header's version and blob sizes are filled in later.
  static Result<std::unique_ptr<PodWriter>> create(const std::string& partial, proto::PodHeader header,
                                                   std::string_view state, Progress* progress = nullptr);
  ~PodWriter();
  PodWriter(const PodWriter&) = delete;
  PodWriter& operator=(const PodWriter&) = delete;

  Status add_blob(std::string_view key, std::string_view value);
  // The header as it is (and, after publish(), as written).
  const proto::PodHeader& header() const { return header_; }
  // Ends the blob stream and writes header (with `version`) and trailer,
  // fsyncs, then links (no_replace: busy if `path` exists, and the writer
  // can publish again under another path) or renames the file to `path` and
  // fsyncs the directory.
  Status publish(const std::string& path, uint64_t version, bool no_replace);

 private:
  class Sink;
  PodWriter(std::string partial, std::unique_ptr<Sink> sink, proto::PodHeader header);
  Status flush_frame();

  std::string partial_;
  std::unique_ptr<Sink> sink_;
  proto::PodHeader header_;
  uint32_t reserved_ = 0;  // H
  bool ended_ = false, published_ = false;
  std::string frame_;
  void* cctx_ = nullptr;  // ZSTD_CCtx
};

// Reads a pod file with bounded memory: open() checks the preamble, finds
// the trailer and reads the header and the state; read_blobs() streams the
// blob entries and verifies the checksum at its end. Format 1 files are read
// whole (as their writer made them) and verified at open.
class PodReader {
 public:
  static Result<std::unique_ptr<PodReader>> open(const std::string& path, Progress* progress = nullptr);
  ~PodReader();
  PodReader(const PodReader&) = delete;
  PodReader& operator=(const PodReader&) = delete;

  proto::PodHeader& header() { return header_; }
  const std::string& state() const { return state_; }
  uint32_t format() const { return format_; }
  // Hands each frame's entries to visit once the frame passed its own
  // checksum; ends with the file's checksum. A damaged or truncated file is
  // checksum_mismatch / corruption whatever the first symptom was. Once.
  Status read_blobs(const BlobVisitor& visit);

 private:
  PodReader(std::string path, int fd, Progress* progress);
  Status read_exact(std::string& out, uint64_t n);
  // A structural error found before the checksum: if the file fails its
  // checksum, that is the error to report (the file is damaged).
  Status damaged_or(Status st);
  Status check_digest();

  std::string path_;
  int fd_ = -1;
  Progress* progress_;
  uint32_t format_ = 0;
  proto::PodHeader header_;
  std::string state_;
  std::string prefix_;  // bytes [0, 16+H), hashed last
  std::string expected_digest_;
  uint64_t pos_ = 0, body_end_ = 0;
  Sha256 hash_;
  std::unique_ptr<PodContent> whole_;  // format 1
  bool blobs_read_ = false;
};

// Crash-safe file I/O: write PATH.PID.partial, fsync, rename (or link(2),
// which never replaces an existing file, when no_replace), fsync the
// directory. The pid in the name lets a cleaner tell a crashed writer's
// leftover from a concurrent writer's file in progress.
Status write_file_atomic(const std::string& path, std::string_view bytes, bool no_replace, Progress* progress = nullptr);
// PATH.PID.partial
std::string partial_path(const std::string& path);
// True for a `.partial` file whose writer no longer runs (or that has no pid).
bool is_stale_partial(const std::string& filename);
Result<std::string> read_file(const std::string& path, Progress* progress = nullptr);
// The whole pod in memory, verified (inspect, diff, import, push).
Result<PodContent> read_pod(const std::string& path, Progress* progress = nullptr);

}  // namespace podstack::pods
