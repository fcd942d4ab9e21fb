// valid_utf8 is the gate between requests and the event log: a string it
// accepts must be one protobuf's proto3 `string` parsing accepts.
#include <doctest/doctest.h>

#include <string>

#include "server/protocol/encoding.h"

using podstack::protocol::valid_utf8;

TEST_CASE("valid_utf8 accepts well-formed text") {
  CHECK(valid_utf8(""));
  CHECK(valid_utf8("plain ascii, long enough for the 8-byte fast path"));
  CHECK(valid_utf8("caf\xC3\xA9"));                 // U+00E9
  CHECK(valid_utf8("\xE2\x82\xAC"));                // U+20AC
  CHECK(valid_utf8("\xED\x9F\xBF"));                // U+D7FF, just below the surrogates
  CHECK(valid_utf8("\xF0\x9F\x98\x80 emoji"));      // U+1F600
  CHECK(valid_utf8("\xF4\x8F\xBF\xBF"));            // U+10FFFF
  CHECK(valid_utf8(std::string("nul\0inside", 10)));  // NUL is valid UTF-8
}

TEST_CASE("valid_utf8 rejects what proto3 parsing rejects") {
  CHECK_FALSE(valid_utf8("a\xFF" "b"));             // the issue's %ff
  CHECK_FALSE(valid_utf8("\x80"));                  // lone continuation byte
  CHECK_FALSE(valid_utf8("\xC3"));                  // truncated sequence
  CHECK_FALSE(valid_utf8("abcdefgh\xC3"));          // truncated after the fast path
  CHECK_FALSE(valid_utf8("\xC0\xAF"));              // overlong '/'
  CHECK_FALSE(valid_utf8("\xE0\x80\xAF"));          // overlong, 3 bytes
  CHECK_FALSE(valid_utf8("\xF0\x80\x80\xAF"));      // overlong, 4 bytes
  CHECK_FALSE(valid_utf8("\xED\xA0\x80"));          // U+D800, a surrogate
  CHECK_FALSE(valid_utf8("\xF4\x90\x80\x80"));      // above U+10FFFF
  CHECK_FALSE(valid_utf8("\xF5\x80\x80\x80"));
  CHECK_FALSE(valid_utf8("\xE2\x82" "A"));          // bad continuation
}
