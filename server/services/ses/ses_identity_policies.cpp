// SES v1 sending authorization policies: PutIdentityPolicy,
// GetIdentityPolicies, ListIdentityPolicies, DeleteIdentityPolicy. They live
// on the identity (Identity.policies, name -> the JSON as given, the store
// v2's Create/Update/Delete/GetEmailIdentityPolicy use too, as in AWS), so
// v2's GetEmailIdentity shows them and DeleteIdentity takes them along.
// https://docs.aws.amazon.com/ses/latest/APIReference/API_PutIdentityPolicy.html
// https://docs.aws.amazon.com/ses/latest/dg/sending-authorization-policies.html
//
// AWS's rules: the identity (by name or ARN) must exist ("This API is for the
// identity owner only. If you have not verified the identity, this API will
// return an error"); a name of at most 64 letters, digits, dashes and
// underscores; a JSON policy of at most 4 KB; at most 20 policies per
// identity; deleting a policy that does not exist succeeds. The policy is
// checked to be a JSON object with a Statement, not evaluated: sending is
// never refused by it.
#include <algorithm>

#include "server/services/ses/ses_errors.h"
#include "server/services/ses/ses_service.h"
#include "server/services/ses/ses_util.h"

namespace podstack::ses {
namespace {

constexpr size_t kMaxPolicies = 20;
constexpr size_t kMaxPolicyBytes = 4096;

// "arn:aws:ses:REGION:ACCOUNT:identity/NAME" -> NAME; anything else as given.
std::string_view identity_name(std::string_view given) {
  if (given.rfind("arn:", 0) != 0) return given;
  size_t at = given.find(":identity/");
  return at == std::string_view::npos ? given : given.substr(at + 10);
}

void check_policy_name(const std::string& name) {
  bool ok = !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
  });
  if (!ok)
    throw invalid_parameter_value("Invalid policy name <" + name +
                                  ">: it must be at most 64 characters: letters, numbers, dashes and underscores.");
}

void check_policy(std::string_view doc) {
  if (doc.size() > kMaxPolicyBytes) throw invalid_policy("Policy exceeds the maximum size of 4 KB.");
  boost::system::error_code ec;
  json::value v = json::parse(doc, ec);
  if (ec) throw invalid_policy("Policy is not valid JSON.");
  if (!v.is_object()) throw invalid_policy("Policy must be a JSON object.");
  auto* st = v.as_object().if_contains("Statement");
  if (!st || !(st->is_array() || st->is_object())) throw invalid_policy("Policy has no Statement.");
}

}  // namespace

void SesService::put_identity_policy(const Request& req, Decision& out) const {
  Identity id = identity_or_throw(req.ctx, identity_name(req.in.str("Identity")), kV1);
  std::string name(req.in.str("PolicyName"));
  std::string_view doc = req.in.str("Policy");
  check_policy_name(name);
  check_policy(doc);
  auto& policies = *id.mutable_policies();
  if (!policies.contains(name) && policies.size() >= kMaxPolicies)
    throw limit_exceeded("Identity " + id.name() + " already has the maximum of 20 sending authorization policies.");
  policies[name] = std::string(doc);
  put_identity(out, std::move(id));
}

void SesService::get_identity_policies(const Request& req, Decision& out) const {
  const Identity& id = identity_or_throw(req.ctx, identity_name(req.in.str("Identity")), kV1);
  json::object found;
  for (auto& name : strings(req.in.array("PolicyNames")))
    if (auto it = id.policies().find(name); it != id.policies().end()) found[name] = it->second;
  out.output = json::object{{"Policies", std::move(found)}};
}

void SesService::list_identity_policies(const Request& req, Decision& out) const {
  const Identity& id = identity_or_throw(req.ctx, identity_name(req.in.str("Identity")), kV1);
  std::vector<std::string> names;
  for (auto& [n, _] : id.policies()) names.push_back(n);
  std::sort(names.begin(), names.end());
  out.output = json::object{{"PolicyNames", to_array(names)}};
}

void SesService::delete_identity_policy(const Request& req, Decision& out) const {
  const Identity& found = identity_or_throw(req.ctx, identity_name(req.in.str("Identity")), kV1);
  std::string name(req.in.str("PolicyName"));
  if (!found.policies().contains(name)) return;  // AWS: succeeds even when there is no such policy
  Identity id = found;
  id.mutable_policies()->erase(name);
  put_identity(out, std::move(id));
}

}  // namespace podstack::ses
