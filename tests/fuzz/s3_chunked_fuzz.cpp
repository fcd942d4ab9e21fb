// Fuzzes S3's request body receiver: the aws-chunked decoder (chunk sizes,
// chunk signatures, trailers), Content-MD5 and the x-amz-checksum-* headers
// and trailers. The HTTP server feeds a body in whatever pieces the socket
// gives, so the outcome must not depend on them: the body is fed whole to
// one receiver and byte by byte to another, and both must agree.
//
// Input: "Header: value" lines, a blank line, the body.
#include <boost/json.hpp>

#include "server/services/s3/s3_body.h"
#include "tests/fuzz/fuzz_input.h"
#include "server/event_store_blobs.h"

using namespace podstack;

namespace {

BlobStore& store() {
  static EventStoreBlobs blobs(fuzz::memory_store());
  return blobs;
}

// What a receiver ended with, comparable.
std::string outcome(s3::BodyReceiver& r, std::optional<protocol::ApiError> err) {
  if (!err) err = r.finish();
  if (err) return "error " + err->code;
  const s3::ReceivedBody& b = r.body();
  std::string o = "ok size=" + std::to_string(b.size) + " md5=" + s3::hex(b.md5) + " blob=" + b.blob;
  for (auto& [alg, v] : b.checksums) o += " " + alg + "=" + v;
  if (b.inline_data) o += " data=" + s3::hex(*b.inline_data);
  return o;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in = fuzz::as_view(data, size);
  boost::beast::http::fields headers;
  fuzz::take_headers(in, headers);

  s3::BodyReceiver whole(store(), headers, "fuzz-whole");
  std::optional<protocol::ApiError> err = whole.header_error() ? std::nullopt : whole.feed(in);
  std::string a = outcome(whole, err);
  whole.discard();

  s3::BodyReceiver bytes(store(), headers, "fuzz-whole");
  err.reset();
  if (!bytes.header_error())
    for (size_t i = 0; i < in.size() && !err; ++i) err = bytes.feed(in.substr(i, 1));
  std::string b = outcome(bytes, err);
  bytes.discard();

  if (a != b) fuzz::violated("the body fed whole gives '" + a + "', fed byte by byte '" + b + "'");
  return 0;
}
