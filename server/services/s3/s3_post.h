// Browser-based uploads (POST Object): a multipart/form-data body parsed as
// it arrives, the "file" part streamed into a BodyReceiver like a PutObject
// body, and the POST policy (expiration, conditions, content-length-range)
// evaluated as AWS documents it:
// https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-HTTPPOSTConstructPolicy.html
#pragma once
#include <boost/json.hpp>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "server/protocol/api_error.h"
#include "server/services/s3/s3_body.h"

namespace podstack::s3 {

namespace json = boost::json;

// Fields before the file may total at most this (AWS: 20 KB).
inline constexpr size_t kMaxFormFields = 20 << 10;

// The boundary of a multipart/form-data Content-Type; empty when it is not one.
std::string form_boundary(std::string_view content_type);

class FormReceiver {
 public:
  FormReceiver(BlobStore& blobs, std::string boundary, std::string blob_id);
  std::optional<ApiError> feed(std::string_view data);
  std::optional<ApiError> finish();
  void discard();
  void committed();
  // {"fields": {lower-case name: value}, "filename", "file_content_type",
  //  "file": the received body (as PutObject's Request::body), or absent}
  json::value describe() const;

 private:
  enum class State { kPreamble, kHeaders, kField, kFile, kIgnored, kDone };
  std::optional<ApiError> step();
  std::optional<ApiError> part_headers(std::string_view headers);
  std::optional<ApiError> emit(std::string_view bytes);

  BlobStore& blobs_;
  std::string delim_;  // "\r\n--" + boundary
  std::string blob_id_;
  State state_ = State::kPreamble;
  std::string buf_;
  std::string name_, value_;
  size_t field_bytes_ = 0;
  std::map<std::string, std::string> fields_;
  std::string filename_, file_type_;
  std::unique_ptr<BodyReceiver> file_;
  bool file_done_ = false;
};

// Checks the form against its policy (when there is one): expiration,
// every condition, content-length-range against `size`, and that every
// field is covered by a condition. Throws ApiError as AWS answers.
void check_post_policy(const std::map<std::string, std::string>& fields, std::string_view bucket, uint64_t size,
                       int64_t now_ms);

}  // namespace podstack::s3
