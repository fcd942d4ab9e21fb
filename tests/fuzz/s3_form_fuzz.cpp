// Fuzzes S3's browser-upload (POST Object) decoding: the multipart/form-data
// receiver, the boundary in the Content-Type, and the POST policy check. As
// with aws-chunked, the outcome must not depend on how the body is split, so
// it is fed whole and byte by byte and both must agree.
//
// Input:
//   CONTENT-TYPE\n       "multipart/form-data; boundary=XyZ"
//   BODY
// A form field "x-fuzz-policy" holding JSON becomes the base64 "policy"
// field (a fuzzer rarely writes valid base64 of valid JSON by itself).
#include <boost/json.hpp>
#include <map>

#include "server/protocol/encoding.h"
#include "server/services/s3/s3_post.h"
#include "tests/fuzz/fuzz_input.h"
#include "server/event_store_blobs.h"

using namespace podstack;

namespace {

BlobStore& store() {
  static EventStoreBlobs blobs(fuzz::memory_store());
  return blobs;
}

std::string outcome(s3::FormReceiver& r, std::optional<protocol::ApiError> err) {
  if (!err) err = r.finish();
  if (err) return "error " + err->code;
  return "ok " + boost::json::serialize(r.describe());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in = fuzz::as_view(data, size);
  std::string boundary = s3::form_boundary(fuzz::take_line(in));
  if (boundary.empty()) return 0;

  s3::FormReceiver whole(store(), boundary, "fuzz-form");
  std::string a = outcome(whole, whole.feed(in));

  s3::FormReceiver bytes(store(), boundary, "fuzz-form");
  std::optional<protocol::ApiError> err;
  for (size_t i = 0; i < in.size() && !err; ++i) err = bytes.feed(in.substr(i, 1));
  std::string b = outcome(bytes, err);
  bytes.discard();
  if (a != b) fuzz::violated("the form fed whole gives '" + a + "', fed byte by byte '" + b + "'");

  if (a.rfind("ok ", 0) == 0) {
    boost::json::value d = whole.describe();
    std::map<std::string, std::string> fields;
    for (auto& [k, v] : d.at("fields").as_object()) fields[std::string(k)] = std::string(v.as_string());
    if (auto it = fields.find("x-fuzz-policy"); it != fields.end()) {
      fields["policy"] = protocol::base64_encode(it->second);
      fields.erase(it);
    }
    uint64_t file_size = 0;
    if (auto* f = d.as_object().if_contains("file")) file_size = f->at("size").to_number<uint64_t>();
    try {
      s3::check_post_policy(fields, "bucket", file_size, 1767225600000);  // 2026-01-01
    } catch (const protocol::ApiError&) {
    }
  }
  whole.discard();
  return 0;
}
