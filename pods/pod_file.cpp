#include "pods/pod_file.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

namespace podstack::pods {
namespace {

constexpr std::string_view kMagic{"PODSTACK", 8};
constexpr std::string_view kTrailer{"PODEND\0\0", 8};
constexpr size_t kDigest = 32;

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

std::string sha256(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
  return std::string(reinterpret_cast<char*>(md), len);
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

Result<PodContent> decode_pod(std::string_view b, const std::string& what) {
  if (b.size() < kMagic.size() || b.substr(0, kMagic.size()) != kMagic)
    return Status::corruption(what + " is not a podstack pod file");
  if (b.size() < 16) return Status::corruption(what + " is truncated");
  uint32_t format = static_cast<uint32_t>(get_le(b.substr(8), 4));
  if (format > kPodFormat)
    return Status::unsupported_version(what + " has pod format " + std::to_string(format) +
                                       "; this podstack reads formats up to " + std::to_string(kPodFormat) + ": upgrade podstack");
  if (format == 0) return Status::corruption(what + " has an invalid pod format version 0");
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

Status write_file_atomic(const std::string& path, std::string_view bytes, bool no_replace) {
  std::filesystem::path p(path);
  std::error_code ec;
  std::filesystem::create_directories(p.parent_path(), ec);
  if (ec) return Status::io_error("cannot create " + p.parent_path().string() + ": " + ec.message());
  std::string tmp = path + ".partial";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return errno_status("cannot write " + tmp);
  size_t off = 0;
  while (off < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + off, bytes.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      Status st = errno_status("cannot write " + tmp);
      ::close(fd);
      ::unlink(tmp.c_str());
      return st;
    }
    off += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    Status st = errno_status("cannot fsync " + tmp);
    ::close(fd);
    ::unlink(tmp.c_str());
    return st;
  }
  ::close(fd);
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

Result<std::string> read_file(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return errno == ENOENT ? Status::not_found(path + " does not exist") : errno_status("cannot read " + path);
  std::string out;
  char buf[1 << 16];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
  bool err = std::ferror(f);
  std::fclose(f);
  if (err) return Status::io_error("cannot read " + path);
  return out;
}

Result<PodContent> read_pod(const std::string& path) {
  auto bytes = read_file(path);
  if (!bytes) return bytes.status();
  return decode_pod(*bytes, path);
}

}  // namespace podstack::pods
