#include "server/services/sts/sts_service.h"

#include "base/access_key.h"
#include "server/services/sts/sts_errors.h"
#include "server/services/sts/sts_util.h"

namespace podstack {
std::unique_ptr<Service> make_sts_service() { return std::make_unique<sts::StsService>(); }
}  // namespace podstack

namespace podstack::sts {

const StsService::Table& StsService::operations() {
  static const Table t = {
      {"GetCallerIdentity", read(&StsService::get_caller_identity)},
      {"GetAccessKeyInfo", read(&StsService::get_access_key_info)},
      {"GetSessionToken", read(&StsService::get_session_token)},
      {"AssumeRole", read(&StsService::assume_role)},
      {"AssumeRoleWithWebIdentity", read(&StsService::assume_role_with_web_identity)},
      {"AssumeRoleWithSAML", read(&StsService::assume_role_with_saml)},
      {"GetFederationToken", read(&StsService::get_federation_token)},
  };
  return t;
}

void StsService::get_caller_identity(const Request& req, Decision& d) const {
  Principal p = caller(req.ctx);
  json::object o;
  o["UserId"] = p.user_id;
  o["Account"] = p.account;
  o["Arn"] = p.arn;
  d.output = std::move(o);
}

// The account AWS encodes in the key id (base/access_key.h); a key id not of
// that form (LocalStack's 12-digit ids are too short for the model) names the
// default account, as the gateway reads it.
void StsService::get_access_key_info(const Request& req, Decision& d) const {
  std::string_view key = req.in.str("AccessKeyId");
  auto a = access_key_account(key);
  json::object o;
  o["Account"] = a ? account_digits(*a) : std::string("000000000000");
  d.output = std::move(o);
}

// The caller's own identity, for a limited time (GetCallerIdentity with the
// credentials answers the caller).
void StsService::get_session_token(const Request& req, Decision& d) const {
  int64_t duration = req.in.opt_int("DurationSeconds").value_or(43200);
  json::object o;
  o["Credentials"] = issue_credentials(req.ctx, caller(req.ctx), duration);
  d.output = std::move(o);
}

}  // namespace podstack::sts
