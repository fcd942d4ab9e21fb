// AWS Signature Version 4 for the S3 remote's requests (header auth).
// https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
// Tested against AWS's published test vectors (tests/unit/pods/sigv4_test.cpp).
#pragma once
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace podstack::pods {

struct AwsCredentials {
  std::string access_key, secret_key, session_token;
};

struct SigV4Request {
  std::string method;
  std::string path;  // the URI path as sent, already percent-encoded ("/bucket/a%20b.pod")
  std::vector<std::pair<std::string, std::string>> query;    // decoded; encoded and sorted when signing
  std::vector<std::pair<std::string, std::string>> headers;  // every header to sign, host and x-amz-date included
  std::string payload_hash;                                  // hex SHA-256 of the body, or UNSIGNED-PAYLOAD
};

struct SigV4Signature {
  std::string canonical_request, string_to_sign, signature;
  std::string authorization;  // the Authorization header value
};

// amz_date: "20150830T123600Z"
SigV4Signature sigv4_sign(const SigV4Request& r, const AwsCredentials& c, const std::string& region,
                          const std::string& service, const std::string& amz_date);

// RFC 3986 unreserved characters stay, everything else %XX; '/' too unless keep_slash.
std::string uri_encode(std::string_view s, bool keep_slash);
// "20150830T123600Z" for the current time.
std::string amz_date_now();

}  // namespace podstack::pods
