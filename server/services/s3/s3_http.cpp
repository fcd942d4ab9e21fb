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

namespace {
// The value a model validation message names: "Value 'X' at 'member' ...".
std::string rejected_value(const std::string& msg) {
  size_t a = msg.find("Value '");
  if (a == std::string::npos) return {};
  a += 7;
  size_t z = msg.find("' at '", a);
  return z == std::string::npos ? std::string() : msg.substr(a, z - a);
}
}  // namespace

// Values outside the model's enums, answered as S3 does (LocalStack's
// AWS-validated snapshots; the SSE message as S3-compatible servers quote it).
protocol::ApiError input_error(protocol::ApiError e) {
  if (e.code != "ValidationError" && e.code != "ValidationException") return e;
  auto at = [&](std::string_view member) { return e.message.find("at '" + std::string(member) + "'") != std::string::npos; };
  if (at("storageClass")) return invalid_storage_class(rejected_value(e.message));
  if (at("serverSideEncryption"))
    return invalid_argument("The encryption method specified is not supported", "x-amz-server-side-encryption",
                            rejected_value(e.message));
  if (at("aCL")) return invalid_argument("", "x-amz-acl", rejected_value(e.message));
  if (at("objectOwnership"))
    return invalid_argument("Invalid x-amz-object-ownership header: " + rejected_value(e.message)).with("ArgumentName",
                                                                                                       "x-amz-object-ownership");
  if (e.message.find("LocationConstraint'") != std::string::npos || e.message.find("'locationConstraint'") != std::string::npos)
    return invalid_location_constraint();
  // Object Lock: a mode header S3 does not know; lock documents in bodies
  // that do not validate.
  if (at("objectLockMode")) return invalid_argument("Unknown wormMode directive.", "x-amz-object-lock-mode", rejected_value(e.message));
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
