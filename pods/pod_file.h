// The pod file format: a versioned, checksummed, compressed snapshot of state.
//
//   offset  size  field
//   0       8     magic "PODSTACK"
//   8       4     format version, u32 little-endian (kPodFormat)
//   12      4     header length H, u32 LE
//   16      H     PodHeader (proto/pod.proto)
//   16+H    8     state length S, u64 LE
//   24+H    S     zstd frame of podstack.proto.StateSnapshot
//   24+H+S  8     blob stream length B, u64 LE (0 until S3 bodies exist)
//   32+H+S  B     blob stream
//   ...     8     trailer magic "PODEND\0\0"
//   ...     32    SHA-256 of every byte before the trailer magic
//
// Writers go through a `.partial` file, fsync it, rename it into place and
// fsync the directory, so a pod file either exists whole or not at all.
// Readers check magic, version and checksum before anything else sees the
// content: a newer format, a truncated file, a wrong checksum and a foreign
// file each become one clear Status.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "pods/progress.h"
#include "proto/pod.pb.h"
#include "store/status.h"

namespace podstack::pods {

inline constexpr uint32_t kPodFormat = 1;

struct PodContent {
  proto::PodHeader header;
  std::string state;  // zstd(StateSnapshot), as stored
  std::string blobs;
};

// Serializes a pod to bytes (header, frames, trailer).
std::string encode_pod(const PodContent& pod);
// Parses and verifies pod bytes; `what` names the source in error messages.
Result<PodContent> decode_pod(std::string_view bytes, const std::string& what);
// Only the header, from the first bytes of a pod file (no checksum: for
// listings; anything loaded goes through decode_pod).
Result<proto::PodHeader> decode_pod_header(std::string_view head, const std::string& what);

// Crash-safe file I/O: write PATH.PID.partial, fsync, rename (or link(2),
// which never replaces an existing file, when no_replace), fsync the
// directory. The pid in the name lets a cleaner tell a crashed writer's
// leftover from a concurrent writer's file in progress.
Status write_file_atomic(const std::string& path, std::string_view bytes, bool no_replace, Progress* progress = nullptr);
// True for a `.partial` file whose writer no longer runs (or that has no pid).
bool is_stale_partial(const std::string& filename);
Result<std::string> read_file(const std::string& path, Progress* progress = nullptr);
Result<PodContent> read_pod(const std::string& path, Progress* progress = nullptr);

}  // namespace podstack::pods
