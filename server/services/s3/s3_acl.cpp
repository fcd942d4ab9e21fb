// S3 ACLs as requests set them (Put*Acl, and the canned x-amz-acl or
// x-amz-grant-* headers of PutObject, CopyObject, CreateMultipartUpload) and
// as Get*Acl answers them. The handlers are in s3_objects.cpp.
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/acl-overview.html
#include "server/services/s3/s3_acl.h"

#include <array>

#include "server/protocol/encoding.h"
#include "server/services/s3/s3_errors.h"
#include "server/services/s3/s3_util.h"

namespace podstack::s3 {
namespace {

constexpr std::string_view kGroups = "http://acs.amazonaws.com/groups/";
constexpr std::string_view kAllUsers = "http://acs.amazonaws.com/groups/global/AllUsers";
constexpr std::string_view kAuthenticatedUsers = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers";
constexpr std::string_view kLogDelivery = "http://acs.amazonaws.com/groups/s3/LogDelivery";

json::object group(std::string_view uri, std::string_view permission) {
  return json::object{{"Grantee", json::object{{"Type", "Group"}, {"URI", uri}}}, {"Permission", permission}};
}

json::object owner_grant() {
  json::object g = owner_json();
  g["Type"] = "CanonicalUser";
  return json::object{{"Grantee", std::move(g)}, {"Permission", "FULL_CONTROL"}};
}

// The grants of a canned ACL beyond the owner's FULL_CONTROL.
json::array canned(std::string_view name) {
  json::array a;
  if (name == "private" || name == "bucket-owner-full-control" || name == "bucket-owner-read") return a;
  a.push_back(owner_grant());
  if (name == "public-read") {
    a.push_back(group(kAllUsers, "READ"));
  } else if (name == "public-read-write") {
    a.push_back(group(kAllUsers, "READ"));
    a.push_back(group(kAllUsers, "WRITE"));
  } else if (name == "authenticated-read") {
    a.push_back(group(kAuthenticatedUsers, "READ"));
  } else if (name == "log-delivery-write") {
    a.push_back(group(kLogDelivery, "WRITE"));
    a.push_back(group(kLogDelivery, "READ_ACP"));
  } else if (name == "aws-exec-read") {
    // EC2's read access to bundles: an owner-only ACL as far as podstack can tell.
    a.clear();
  } else {
    throw invalid_argument("", "x-amz-acl", std::string(name));
  }
  return a;
}

void check_group(std::string_view uri) {
  if (uri != kAllUsers && uri != kAuthenticatedUsers && uri != kLogDelivery)
    throw invalid_argument("Invalid group uri", "uri", std::string(uri));
}

// x-amz-grant-read: id="...", uri="...", emailAddress="..." (comma separated).
void header_grants(std::string_view value, std::string_view permission, std::string_view header, json::array& out) {
  for (const std::string& one : protocol::split_header_list(value)) {
    size_t eq = one.find('=');
    if (eq == std::string::npos) throw invalid_argument("", std::string(header), one);
    std::string kind = one.substr(0, eq), v = one.substr(eq + 1);
    while (!kind.empty() && kind.back() == ' ') kind.pop_back();
    while (!v.empty() && v.front() == ' ') v.erase(0, 1);
    if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
    json::object grantee;
    if (kind == "id") {
      grantee = {{"Type", "CanonicalUser"}, {"ID", v}};
    } else if (kind == "uri") {
      check_group(v);
      grantee = {{"Type", "Group"}, {"URI", v}};
    } else if (kind == "emailAddress") {
      throw unresolvable_grant_by_email_address();
    } else {
      throw invalid_argument("Argument format not recognized", std::string(header), one);
    }
    out.push_back(json::object{{"Grantee", std::move(grantee)}, {"Permission", permission}});
  }
}

json::array policy_grants(const json::object& policy) {
  json::array out;
  const json::value* grants = policy.if_contains("Grants");
  if (!grants || !grants->is_array()) return out;
  for (const auto& gv : grants->as_array()) {
    if (!gv.is_object()) throw malformed_acl_error();
    const auto& g = gv.as_object();
    const json::value* grantee = g.if_contains("Grantee");
    const json::value* perm = g.if_contains("Permission");
    if (!grantee || !grantee->is_object() || !perm || !perm->is_string()) throw malformed_acl_error();
    const auto& ge = grantee->as_object();
    std::string_view type = ge.if_contains("Type") && ge.at("Type").is_string() ? std::string_view(ge.at("Type").as_string()) : "";
    json::object kept{{"Type", type}};
    if (type == "CanonicalUser") {
      auto* id = ge.if_contains("ID");
      if (!id || !id->is_string()) throw malformed_acl_error();
      kept["ID"] = *id;
      if (auto* dn = ge.if_contains("DisplayName"); dn && dn->is_string()) kept["DisplayName"] = *dn;
    } else if (type == "Group") {
      auto* uri = ge.if_contains("URI");
      if (!uri || !uri->is_string()) throw malformed_acl_error();
      check_group(uri->as_string());
      kept["URI"] = *uri;
    } else if (type == "AmazonCustomerByEmail") {
      throw unresolvable_grant_by_email_address();
    } else {
      throw malformed_acl_error();
    }
    out.push_back(json::object{{"Grantee", std::move(kept)}, {"Permission", *perm}});
  }
  return out;
}

// Only the owner's FULL_CONTROL: what "private" means.
bool owner_only(const json::array& grants) {
  for (const auto& g : grants) {
    const auto& ge = g.as_object().at("Grantee").as_object();
    if (ge.at("Type") != "CanonicalUser" || g.as_object().at("Permission") != "FULL_CONTROL") return false;
  }
  return true;
}

std::string stored(const json::array& grants) { return owner_only(grants) ? std::string() : json::serialize(grants); }

}  // namespace

std::optional<std::string> acl_from_input(const Input& in) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 5> kGrantHeaders = {{
      {"GrantFullControl", "FULL_CONTROL"},
      {"GrantRead", "READ"},
      {"GrantReadACP", "READ_ACP"},
      {"GrantWrite", "WRITE"},
      {"GrantWriteACP", "WRITE_ACP"},
  }};
  const json::object& raw = in.raw();
  const json::value* canned_acl = raw.if_contains("ACL");
  bool any_grant_header = false;
  for (auto& [member, perm] : kGrantHeaders) any_grant_header = any_grant_header || raw.contains(member);
  const json::value* policy = raw.if_contains("AccessControlPolicy");
  if (canned_acl && any_grant_header) throw invalid_request("Specifying both Canned ACLs and Header Grants is not allowed");
  if (policy && (canned_acl || any_grant_header)) throw unexpected_content();
  if (canned_acl && canned_acl->is_string()) return stored(canned(canned_acl->as_string()));
  if (any_grant_header) {
    json::array grants;
    for (auto& [member, perm] : kGrantHeaders)
      if (auto* v = raw.if_contains(member); v && v->is_string())
        header_grants(v->as_string(), perm, "x-amz-grant-" + std::string(member.substr(5)), grants);
    return json::serialize(grants);
  }
  if (policy && policy->is_object()) return stored(policy_grants(policy->as_object()));
  return std::nullopt;
}

json::array acl_grants(const std::string& acl) {
  if (acl.empty()) return json::array{owner_grant()};
  boost::system::error_code ec;
  json::value v = json::parse(acl, ec);
  if (ec || !v.is_array()) return json::array{owner_grant()};
  return std::move(v.as_array());
}

void check_acls_allowed(const BucketState& b, const std::string& acl) {
  if (acl.empty()) return;
  for (auto& c : b.meta.configs())
    if (c.name() == "ownership" && c.value().find("BucketOwnerEnforced") != std::string::npos) throw access_control_list_not_supported();
}

}  // namespace podstack::s3
