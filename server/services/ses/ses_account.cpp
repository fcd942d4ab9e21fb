// SES identity policies (v2 Create/Update/Delete/GetEmailIdentityPolicy(ies)),
// dedicated IP pools (v2 Create/Get/Delete/ListDedicatedIpPool(s), GetDedicatedIps:
// pools are stored, no IPs are leased), the MAIL FROM domain (v1
// SetIdentityMailFromDomain, v2 PutEmailIdentityMailFromAttributes: a
// subdomain of the identity's domain) and v1's
// UpdateConfigurationSetReputationMetricsEnabled.
// https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_CreateEmailIdentityPolicy.html
// https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_CreateDedicatedIpPool.html
// https://docs.aws.amazon.com/ses/latest/APIReference/API_SetIdentityMailFromDomain.html
#include <map>
#include <string>

#include "server/services/ses/ses_errors.h"
#include "server/services/ses/ses_service.h"
#include "server/services/ses/ses_util.h"

namespace podstack::ses {
namespace {

constexpr int kMaxPoliciesPerIdentity = 20;  // "You can attach a maximum of 20 policies to an identity"

void put_pool(Decision& out, DedicatedIpPool pool) {
  Event ev;
  *ev.mutable_dedicated_ip_pool_put()->mutable_pool() = std::move(pool);
  out.add(std::move(ev));
}

// The MAIL FROM domain must be a subdomain of the identity's domain (of its
// address's domain, for an address); empty: the custom domain is removed.
void check_mail_from(const Identity& id, const std::string& mail_from, const Errors& err) {
  if (mail_from.empty()) return;
  std::string domain = id.type() == "Domain" ? id.name() : id.name().substr(id.name().find('@') + 1);
  std::string want = lower("." + domain);
  std::string got = lower(mail_from);
  if (got.size() <= want.size() || got.compare(got.size() - want.size(), want.size(), want) != 0)
    throw err.invalid(not_a_mail_from_subdomain(mail_from, domain));
}

}  // namespace

// ---- identity policies ----

void SesService::v2_create_identity_policy(const Request& req, Decision& out) const {
  Identity id = identity_or_throw(req.ctx, req.in.str("EmailIdentity"), kV2);
  std::string name(req.in.str("PolicyName"));
  if (id.policies().count(name)) throw already_exists_exception("Policy <" + name + "> already exists");
  if (id.policies_size() >= kMaxPoliciesPerIdentity)
    throw limit_exceeded_exception("Number of policies for <" + id.name() +
                                   "> exceeds max allowed number of policies per resource");
  (*id.mutable_policies())[name] = std::string(req.in.str("Policy"));
  put_identity(out, std::move(id));
}

void SesService::v2_update_identity_policy(const Request& req, Decision& out) const {
  Identity id = identity_or_throw(req.ctx, req.in.str("EmailIdentity"), kV2);
  std::string name(req.in.str("PolicyName"));
  if (!id.policies().count(name)) throw identity_policy_not_found(name);
  (*id.mutable_policies())[name] = std::string(req.in.str("Policy"));
  put_identity(out, std::move(id));
}

void SesService::v2_delete_identity_policy(const Request& req, Decision& out) const {
  Identity id = identity_or_throw(req.ctx, req.in.str("EmailIdentity"), kV2);
  std::string name(req.in.str("PolicyName"));
  if (!id.policies().count(name)) throw identity_policy_not_found(name);
  id.mutable_policies()->erase(name);
  put_identity(out, std::move(id));
}

void SesService::v2_get_identity_policies(const Request& req, Decision& out) const {
  const Identity& id = identity_or_throw(req.ctx, req.in.str("EmailIdentity"), kV2);
  json::object policies;
  for (auto& [k, v] : std::map<std::string, std::string>(id.policies().begin(), id.policies().end())) policies[k] = v;
  out.output = json::object{{"Policies", std::move(policies)}};
}

// ---- dedicated IP pools ----

void SesService::v2_create_dedicated_ip_pool(const Request& req, Decision& out) const {
  std::string name(req.in.str("PoolName"));
  if (const SesPartition* p = part(req.ctx); p && p->ip_pools.count(name))
    throw already_exists_exception("The pool <" + name + "> already exists.");
  std::string mode = req.in.str_or("ScalingMode", "STANDARD");
  if (mode != "STANDARD" && mode != "MANAGED") throw bad_request_exception("The ScalingMode parameter is invalid.");
  DedicatedIpPool pool;
  pool.set_name(name);
  pool.set_scaling_mode(mode);
  if (auto* tags = req.in.array("Tags"))
    for (auto& t : *tags)
      (*pool.mutable_tags())[std::string(t.as_object().at("Key").as_string())] = std::string(t.as_object().at("Value").as_string());
  pool.set_created_ms(req.ctx.now_ms);
  put_pool(out, std::move(pool));
}

void SesService::v2_delete_dedicated_ip_pool(const Request& req, Decision& out) const {
  std::string name(req.in.str("PoolName"));
  const SesPartition* p = part(req.ctx);
  if (!p || !p->ip_pools.count(name)) throw dedicated_ip_pool_not_found(name);
  Event ev;
  ev.mutable_dedicated_ip_pool_deleted()->set_name(name);
  out.add(std::move(ev));
}

void SesService::v2_list_dedicated_ip_pools(const Request& req, Decision& out) const {
  const SesPartition* p = part(req.ctx);
  out.output = page_of(req.in, 1000, "PageSize", p ? &p->ip_pools : nullptr, "DedicatedIpPools",
                       [](auto& name, auto&) { return json::value(name); });
}

void SesService::v2_get_dedicated_ip_pool(const Request& req, Decision& out) const {
  std::string name(req.in.str("PoolName"));
  const SesPartition* p = part(req.ctx);
  if (!p || !p->ip_pools.count(name)) throw dedicated_ip_pool_not_found(name);
  const DedicatedIpPool& pool = p->ip_pools.find(name)->second;
  out.output = json::object{{"DedicatedIpPool", json::object{{"PoolName", pool.name()}, {"ScalingMode", pool.scaling_mode()}}}};
}

// podstack leases no dedicated IPs: every pool (and the account) has none.
void SesService::v2_get_dedicated_ips(const Request& req, Decision& out) const {
  if (auto name = req.in.opt_str("PoolName")) {
    const SesPartition* p = part(req.ctx);
    if (!p || !p->ip_pools.count(*name)) throw dedicated_ip_pool_not_found(*name);
  }
  out.output = json::object{{"DedicatedIps", json::array()}};
}

// ---- MAIL FROM ----

void SesService::set_mail_from_domain(const Request& req, Decision& out) const {
  Identity id = identity_or_throw(req.ctx, req.in.str("Identity"), kV1);
  std::string mail_from = req.in.str_or("MailFromDomain", "");
  check_mail_from(id, mail_from, kV1);
  id.set_mail_from_domain(mail_from);
  id.set_mail_from_behavior(req.in.str_or("BehaviorOnMXFailure", "UseDefaultValue"));
  put_identity(out, std::move(id));
}

void SesService::v2_put_mail_from_attributes(const Request& req, Decision& out) const {
  Identity id = identity_or_throw(req.ctx, req.in.str("EmailIdentity"), kV2);
  std::string mail_from = req.in.str_or("MailFromDomain", "");
  check_mail_from(id, mail_from, kV2);
  id.set_mail_from_domain(mail_from);
  id.set_mail_from_behavior(req.in.str_or("BehaviorOnMxFailure", "USE_DEFAULT_VALUE") == "REJECT_MESSAGE"
                                ? "RejectMessage"
                                : "UseDefaultValue");
  put_identity(out, std::move(id));
}

// ---- reputation metrics (v1; v2's GetConfigurationSet shows them too) ----

void SesService::update_reputation_metrics_enabled(const Request& req, Decision& out) const {
  ConfigurationSet cs = config_set_or_throw(req.ctx, req.in.str("ConfigurationSetName"), kV1);
  json::object options = cs.options_json().empty() ? json::object() : json::parse(cs.options_json()).as_object();
  json::object rep;
  if (auto* r = options.if_contains("ReputationOptions"); r && r->is_object()) rep = r->as_object();
  rep["ReputationMetricsEnabled"] = req.in.flag("Enabled");
  options["ReputationOptions"] = std::move(rep);
  cs.set_options_json(json::serialize(options));
  put_config_set(out, std::move(cs));
}

}  // namespace podstack::ses
