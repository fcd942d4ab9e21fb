// A small synchronous S3 client (Boost.Beast, http and https, SigV4 header
// auth) for pod remotes: Get/Put/Delete object and ListObjectsV2, path-style
// when an endpoint is given (any S3-compatible store: podstack's own S3,
// moto, s3rver, MinIO), virtual-hosted on AWS otherwise. Bodies are sent
// and received whole, with progress reported as bytes move.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "pods/progress.h"
#include "pods/sigv4.h"
#include "base/status.h"

namespace podstack::pods {

struct S3Options {
  std::string endpoint;  // "http://127.0.0.1:4566"; empty: AWS (https://BUCKET.s3.REGION.amazonaws.com)
  std::string region = "us-east-1";
  AwsCredentials credentials;
};

// The AWS_* variables a remote's client uses, as every AWS SDK does. Read by
// the configuration (server/config), which hands them over at startup: pods/
// reads no environment itself.
struct AwsEnvironment {
  std::string access_key_id, secret_access_key, session_token;  // AWS_ACCESS_KEY_ID, ...
  std::string region, default_region;                           // AWS_REGION, AWS_DEFAULT_REGION
  std::string endpoint_url_s3, endpoint_url;                     // AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL
};
void set_aws_environment(AwsEnvironment env);

// From the AWS environment set above: credentials, AWS_REGION (or
// AWS_DEFAULT_REGION), AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL; endpoint_url,
// when not empty, wins over the environment.
S3Options s3_options_for(const std::string& endpoint_url);

struct S3Response {
  int status = 0;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

class S3Client {
 public:
  explicit S3Client(S3Options o) : o_(std::move(o)) {}
  const S3Options& options() const { return o_; }

  // One signed request; a transport failure is an io_error Status, any HTTP
  // answer (also 4xx/5xx) an S3Response.
  Result<S3Response> request(const std::string& method, const std::string& bucket, const std::string& key,
                             const std::vector<std::pair<std::string, std::string>>& query, std::string_view body,
                             const std::vector<std::pair<std::string, std::string>>& headers = {},
                             Progress* progress = nullptr);

  // not_found on 404 (NoSuchKey/NoSuchBucket). range: "bytes=0-65535".
  Result<std::string> get_object(const std::string& bucket, const std::string& key, Progress* progress = nullptr,
                                 const std::string& range = {});
  // if_none_match: the write fails with busy when the key exists (AWS conditional
  // writes: If-None-Match: *, 412 PreconditionFailed).
  Status put_object(const std::string& bucket, const std::string& key, std::string_view body, bool if_none_match,
                    Progress* progress = nullptr);
  Status delete_object(const std::string& bucket, const std::string& key);
  // Every key under prefix (ListObjectsV2, following continuation tokens).
  Result<std::vector<std::string>> list_keys(const std::string& bucket, const std::string& prefix);

 private:
  Status error_of(const S3Response& r, const std::string& what) const;
  S3Options o_;
};

// <Tag>text</Tag> values of a simple XML document, entities decoded.
std::vector<std::string> xml_values(std::string_view xml, std::string_view tag);

}  // namespace podstack::pods
