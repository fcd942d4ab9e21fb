#include "store/compression.h"

#include <zstd.h>

namespace podstack {

std::string zstd_compress(std::string_view in, int level) {
  std::string out(ZSTD_compressBound(in.size()), '\0');
  size_t n = ZSTD_compress(out.data(), out.size(), in.data(), in.size(), level);
  out.resize(ZSTD_isError(n) ? 0 : n);
  return out;
}

Result<std::string> zstd_decompress(std::string_view in) {
  unsigned long long size = ZSTD_getFrameContentSize(in.data(), in.size());
  if (size == ZSTD_CONTENTSIZE_ERROR) return Status::corruption("not a zstd frame");
  if (size == ZSTD_CONTENTSIZE_UNKNOWN) return Status::corruption("zstd frame without content size");
  if (size > (1ull << 36)) return Status::corruption("zstd frame claims an implausible size");
  std::string out(size, '\0');
  size_t n = ZSTD_decompress(out.data(), out.size(), in.data(), in.size());
  if (ZSTD_isError(n)) return Status::corruption(std::string("zstd: ") + ZSTD_getErrorName(n));
  if (n != size) return Status::corruption("zstd frame shorter than declared");
  return out;
}

}  // namespace podstack
