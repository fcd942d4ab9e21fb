// zstd frames come from checkpoints and pods, which may be damaged or
// hostile: a frame's declared size must not decide how much memory is taken.
#include "store/compression.h"

#include <doctest/doctest.h>

#include <string>

using namespace podstack;

namespace {
// A valid zstd frame that declares `declared` bytes of content and holds
// the four raw bytes "abcd" (RFC 8878: magic, frame header with an 8-byte
// Frame_Content_Size and a window descriptor, one raw last block).
std::string lying_frame(uint64_t declared) {
  std::string f = "\x28\xB5\x2F\xFD";  // magic
  f += '\xC0';                          // FCS_Field_Size 8, no single segment, no checksum, no dictionary
  f += '\x00';                          // window 1 KiB
  for (int i = 0; i < 8; ++i) f += static_cast<char>((declared >> (8 * i)) & 0xff);
  f += std::string("\x21\x00\x00", 3);  // last block, raw, 4 bytes
  f += "abcd";
  return f;
}
}  // namespace

TEST_CASE("zstd round trip, large and small") {
  for (size_t n : {size_t(0), size_t(1), size_t(1000), size_t(5) << 20}) {
    std::string in(n, 'x');
    for (size_t i = 0; i < n; i += 7) in[i] = static_cast<char>(i);
    auto out = zstd_decompress(zstd_compress(in));
    REQUIRE(out.is_ok());
    CHECK(*out == in);
  }
}

TEST_CASE("a frame that declares far more than it holds is refused without allocating the claim") {
  auto honest = zstd_decompress(lying_frame(4));
  REQUIRE(honest.is_ok());
  CHECK(*honest == "abcd");
  // 60 GiB: more than this machine can allocate, so taking the claim at its
  // word fails the test with std::bad_alloc instead of a clean corruption.
  auto r = zstd_decompress(lying_frame(60ull << 30));
  REQUIRE_FALSE(r.is_ok());
  CHECK(r.status().code() == Status::Code::kCorruption);
}

TEST_CASE("truncated frames, trailing bytes and non-frames are corruption") {
  std::string z = zstd_compress(std::string(100000, 'q') + "tail");
  CHECK_FALSE(zstd_decompress(z.substr(0, z.size() - 3)).is_ok());
  CHECK_FALSE(zstd_decompress(z + "junk").is_ok());
  CHECK_FALSE(zstd_decompress("not zstd").is_ok());
  CHECK_FALSE(zstd_decompress(lying_frame(3)).is_ok());  // holds more than it declares
}
