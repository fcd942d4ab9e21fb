#include "server/services/s3/s3_http.h"

#include "server/services/s3/s3_errors.h"

namespace podstack::s3 {

std::string virtual_bucket(std::string_view host) {
  if (host.find(']') != std::string_view::npos) return {};  // IPv6 literal
  host = host.substr(0, host.find(':'));
  for (std::string_view s : {".s3.", ".s3-website."}) {
    size_t p = host.find(s);
    if (p != std::string_view::npos && p > 0) return std::string(host.substr(0, p));
  }
  // bucket.localhost (LocalStack's short form)
  constexpr std::string_view kLocal = ".localhost";
  if (host.size() > kLocal.size() && host.substr(host.size() - kLocal.size()) == kLocal) {
    std::string_view b = host.substr(0, host.size() - kLocal.size());
    if (b.find('.') == std::string_view::npos || b.find(".localstack.cloud") == std::string_view::npos) return std::string(b);
  }
  return {};
}

std::string addressed_path(std::string_view host, std::string_view path) {
  std::string bucket = virtual_bucket(host);
  if (bucket.empty()) return std::string(path);
  return "/" + bucket + (path.empty() ? std::string("/") : std::string(path));
}

protocol::ApiError input_error(protocol::ApiError e) {
  if (e.code != "ValidationError" && e.code != "ValidationException") return e;
  if (e.message.find("'storageClass'") != std::string::npos) return invalid_storage_class();
  if (e.message.find("LocationConstraint'") != std::string::npos || e.message.find("'locationConstraint'") != std::string::npos)
    return invalid_location_constraint();
  // Object Lock: a mode header S3 does not know; lock documents in bodies
  // that do not validate.
  if (e.message.find("at 'objectLockMode'") != std::string::npos) {
    std::string value;
    if (size_t a = e.message.find("Value '"); a != std::string::npos) {
      a += 7;
      value = e.message.substr(a, e.message.find("' at '", a) - a);
    }
    return invalid_argument("Unknown wormMode directive.", "x-amz-object-lock-mode", value);
  }
  for (std::string_view doc : {"at 'retention.", "at 'legalHold.", "at 'objectLockConfiguration."})
    if (e.message.find(doc) != std::string::npos) return malformed_xml();
  return invalid_argument(e.message);
}

std::string_view bucket_of(std::string_view path) {
  size_t start = path.find_first_not_of('/');
  if (start == std::string_view::npos) return {};
  path.remove_prefix(start);
  return path.substr(0, path.find('/'));
}

}  // namespace podstack::s3
