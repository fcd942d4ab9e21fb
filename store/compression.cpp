#include "store/compression.h"

#include <zstd.h>

#include <algorithm>
#include <memory>

namespace podstack {

std::string zstd_compress(std::string_view in, int level) {
  std::string out(ZSTD_compressBound(in.size()), '\0');
  size_t n = ZSTD_compress(out.data(), out.size(), in.data(), in.size(), level);
  out.resize(ZSTD_isError(n) ? 0 : n);
  return out;
}

// The content size a frame declares is a claim of bytes that may be damaged
// or hostile (a pod from elsewhere, a checkpoint on a bad disk): a 2 KiB pod
// declaring 3.4 GB made the one-shot decompressor allocate and zero-fill all
// of it before failing (tests/fuzz, pod target). So memory follows the
// output really produced: a first buffer sized for ordinary ratios, doubled
// as needed, never past the declared size.
Result<std::string> zstd_decompress(std::string_view in) {
  unsigned long long size = ZSTD_getFrameContentSize(in.data(), in.size());
  if (size == ZSTD_CONTENTSIZE_ERROR) return Status::corruption("not a zstd frame");
  if (size == ZSTD_CONTENTSIZE_UNKNOWN) return Status::corruption("zstd frame without content size");
  if (size > (1ull << 36)) return Status::corruption("zstd frame claims an implausible size");
  std::unique_ptr<ZSTD_DCtx, size_t (*)(ZSTD_DCtx*)> dctx(ZSTD_createDCtx(), ZSTD_freeDCtx);
  if (!dctx) return Status::io_error("zstd: out of memory");
  std::string out(std::min<unsigned long long>(size, 16ull * in.size() + (1u << 20)), '\0');
  ZSTD_inBuffer src{in.data(), in.size(), 0};
  size_t produced = 0;
  for (;;) {
    if (produced == out.size() && out.size() < size) out.resize(std::min<unsigned long long>(size, 2ull * out.size()));
    ZSTD_outBuffer dst{out.data() + produced, out.size() - produced, 0};
    const size_t consumed_before = src.pos;
    size_t r = ZSTD_decompressStream(dctx.get(), &dst, &src);
    if (ZSTD_isError(r)) return Status::corruption(std::string("zstd: ") + ZSTD_getErrorName(r));
    produced += dst.pos;
    if (r == 0) break;  // the frame is complete
    // No progress: the input ended inside the frame, or the frame holds more
    // than it declared (the output is full at the declared size).
    if (dst.pos == 0 && src.pos == consumed_before) return Status::corruption("zstd frame truncated or longer than declared");
  }
  if (produced != size) return Status::corruption("zstd frame shorter than declared");
  if (src.pos != src.size) return Status::corruption("bytes after the zstd frame");
  out.resize(produced);
  return out;
}

}  // namespace podstack
