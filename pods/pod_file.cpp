#include "pods/pod_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <algorithm>
#include <csignal>
#include <filesystem>

#include "store/digest.h"
#include "store/test_hook.h"

namespace podstack::pods {
namespace {

constexpr std::string_view kMagic{"PODSTACK", 8};
constexpr std::string_view kTrailer{"PODEND\0\0", 8};
constexpr size_t kDigest = 32;
constexpr size_t kChunk = 1 << 20;  // write/read granularity: progress updates, the half-way test hook

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

}  // namespace

std::string encode_pod(const PodContent& pod) {
  std::string header = pod.header.SerializeAsString();
  std::string out;
  out.reserve(64 + header.size() + pod.state.size() + pod.blobs.size());
  out += kMagic;
  put_u32(out, kPodFormat);
  put_u32(out, static_cast<uint32_t>(header.size()));
  out += header;
  put_u64(out, pod.state.size());
  out += pod.state;
  put_u64(out, pod.blobs.size());
  out += pod.blobs;
  std::string digest = sha256(out);
  out += kTrailer;
  out += digest;
  return out;
}

namespace {
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
}  // namespace

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
  size_t body_end = b.size() - kTrailer.size() - kDigest;
  if (b.substr(body_end, kTrailer.size()) != kTrailer) return Status::corruption(what + " is truncated (no trailer)");
  if (sha256(b.substr(0, body_end)) != b.substr(body_end + kTrailer.size()))
    return Status::checksum_mismatch(what + " fails its checksum: the file is damaged");
  std::string_view body = b.substr(0, body_end);
  size_t pos = 12;
  auto take = [&](size_t n, std::string_view& out) {
    if (body.size() - pos < n) return false;
    out = body.substr(pos, n);
    pos += n;
    return true;
  };
  std::string_view h, len, state, blobs;
  if (!take(4, len)) return Status::corruption(what + " is truncated");
  if (!take(get_le(len, 4), h)) return Status::corruption(what + " is truncated");
  PodContent pod;
  if (!pod.header.ParseFromArray(h.data(), static_cast<int>(h.size())))
    return Status::corruption(what + " has a header that does not parse");
  if (!take(8, len) || !take(get_le(len, 8), state)) return Status::corruption(what + " is truncated");
  if (!take(8, len) || !take(get_le(len, 8), blobs)) return Status::corruption(what + " is truncated");
  if (pos != body.size()) return Status::corruption(what + " has trailing bytes");
  pod.state = std::string(state);
  pod.blobs = std::string(blobs);
  return pod;
}

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
