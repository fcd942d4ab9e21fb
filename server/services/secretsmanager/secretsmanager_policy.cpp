// Secrets Manager resource policies: GetResourcePolicy, PutResourcePolicy,
// DeleteResourcePolicy, ValidateResourcePolicy. The policy is kept as sent;
// podstack checks that it is a JSON object, and does not evaluate it (so
// BlockPublicPolicy never rejects one).
// https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_GetResourcePolicy.html
#include <string>

#include "server/services/secretsmanager/secretsmanager_errors.h"
#include "server/services/secretsmanager/secretsmanager_service.h"
#include "server/services/secretsmanager/secretsmanager_util.h"

namespace podstack::secretsmanager {
namespace {

bool is_policy_document(std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  return !ec && v.is_object();
}

void set_policy(const Secret& s, std::string policy, double now, Decision& d) {
  Event ev;
  auto* p = ev.mutable_policy_set();
  p->set_name(s.name());
  p->set_policy(std::move(policy));
  p->set_changed(now);
  d.add(std::move(ev));
}

}  // namespace

// A secret without a policy answers ARN and Name only.
void SecretsManagerService::get_resource_policy(const Request& req, Decision& d) const {
  const Secret& s = must_find(req.in, req.ctx);
  json::object out{{"ARN", s.arn()}, {"Name", s.name()}};
  if (!s.resource_policy().empty()) out["ResourcePolicy"] = s.resource_policy();
  d.output = std::move(out);
}

void SecretsManagerService::put_resource_policy(const Request& req, Decision& d) const {
  const Secret& s = must_find_primary(req.in, req.ctx);
  std::string policy(req.in.str("ResourcePolicy"));
  if (!is_policy_document(policy)) throw malformed_policy_document_exception();
  if (scheduled(s)) throw marked_for_deletion();
  set_policy(s, std::move(policy), req.ctx.now(), d);
  d.output = json::object{{"ARN", s.arn()}, {"Name", s.name()}};
}

void SecretsManagerService::delete_resource_policy(const Request& req, Decision& d) const {
  const Secret& s = must_find_primary(req.in, req.ctx);
  if (!s.resource_policy().empty()) set_policy(s, "", req.ctx.now(), d);
  d.output = json::object{{"ARN", s.arn()}, {"Name", s.name()}};
}

// SecretId is optional here; when given, the secret must exist.
void SecretsManagerService::validate_resource_policy(const Request& req, Decision& d) const {
  if (req.in.has("SecretId")) must_find(req.in, req.ctx);
  if (!is_policy_document(req.in.str("ResourcePolicy"))) throw malformed_policy_document_exception();
  d.output = json::object{{"PolicyValidationPassed", true}, {"ValidationErrors", json::array()}};
}

}  // namespace podstack::secretsmanager
