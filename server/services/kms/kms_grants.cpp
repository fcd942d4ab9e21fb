// KMS grants: CreateGrant, ListGrants, ListRetirableGrants, RetireGrant,
// RevokeGrant. Grants are recorded and listed; podstack does not enforce
// them (nor key policies): every caller may use every key.
// https://docs.aws.amazon.com/kms/latest/developerguide/grants.html
#include "server/services/arn.h"
#include "server/services/kms/kms_errors.h"
#include "server/services/kms/kms_service.h"
#include "server/services/kms/kms_util.h"

namespace podstack::kms {
namespace {

constexpr std::string_view kHex = "0123456789abcdef";
constexpr std::string_view kTokenChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

json::object grant_entry(const Key& k, const Grant& g) {
  json::array ops;
  for (auto& o : g.operations()) ops.push_back(json::string(o));
  json::object e{{"KeyId", k.arn()},
                 {"GrantId", g.grant_id()},
                 {"CreationDate", g.created()},
                 {"GranteePrincipal", g.grantee_principal()},
                 {"IssuingAccount", g.issuing_account()},
                 {"Operations", std::move(ops)}};
  if (!g.name().empty()) e["Name"] = g.name();
  if (!g.retiring_principal().empty()) e["RetiringPrincipal"] = g.retiring_principal();
  if (!g.constraints_json().empty()) {
    boost::system::error_code ec;
    json::value c = json::parse(g.constraints_json(), ec);
    if (!ec) e["Constraints"] = std::move(c);
  }
  return e;
}

bool same_grant(const Grant& a, const Grant& b) {
  return a.grantee_principal() == b.grantee_principal() && a.retiring_principal() == b.retiring_principal() &&
         a.constraints_json() == b.constraints_json() && a.operations_size() == b.operations_size() &&
         std::equal(a.operations().begin(), a.operations().end(), b.operations().begin());
}

void remove(const Key& k, const Grant& g, Decision& d) {
  Event ev;
  ev.mutable_grant_removed()->set_key_id(k.key_id());
  ev.mutable_grant_removed()->set_grant_id(g.grant_id());
  d.add(std::move(ev));
  d.output = nullptr;
}

const Grant* grant_by_id(const Key& k, std::string_view id) {
  for (auto& g : k.grants())
    if (g.grant_id() == id) return &g;
  return nullptr;
}

}  // namespace

void KmsService::create_grant(const Request& req, Decision& d) const {
  const Input& in = req.in;
  const Key& k = must_find(req.ctx, in.str("KeyId"), false);
  check_not_pending(k);
  Grant g;
  g.set_grantee_principal(std::string(in.str("GranteePrincipal")));
  g.set_retiring_principal(in.str_or("RetiringPrincipal", ""));
  g.set_name(in.str_or("Name", ""));
  if (auto* ops = in.array("Operations"))
    for (auto& o : *ops)
      if (o.is_string()) g.add_operations(std::string(o.as_string()));
  if (g.operations_size() == 0) throw validation_exception("Operations must not be empty.");
  if (auto* c = in.object("Constraints")) g.set_constraints_json(json::serialize(*c));
  if (in.flag("DryRun")) throw dry_run_exception();
  // A retried CreateGrant with the same name and parameters answers the
  // grant it made (AWS's idempotency by Name).
  if (!g.name().empty())
    for (auto& existing : k.grants())
      if (existing.name() == g.name() && same_grant(existing, g)) {
        d.output = json::object{{"GrantToken", existing.grant_token()}, {"GrantId", existing.grant_id()}};
        return;
      }
  g.set_grant_id(random_chars(64, kHex));
  g.set_grant_token(random_chars(128, kTokenChars));
  g.set_created(req.ctx.now());
  g.set_issuing_account(arn_prefix(req.ctx.region) + "iam::" + req.ctx.account + ":root");
  d.output = json::object{{"GrantToken", g.grant_token()}, {"GrantId", g.grant_id()}};
  Event ev;
  ev.mutable_grant_created()->set_key_id(k.key_id());
  *ev.mutable_grant_created()->mutable_grant() = std::move(g);
  d.add(std::move(ev));
}

void KmsService::list_grants(const Request& req, Decision& d) const {
  const Key& k = must_find(req.ctx, req.in.str("KeyId"), false);
  std::string id = req.in.str_or("GrantId", ""), grantee = req.in.str_or("GranteePrincipal", "");
  Page page = marker_page(req.in, 50);
  json::array grants;
  for (int i = 0; i < k.grants_size(); ++i) {
    const Grant& g = k.grants(i);
    if ((!id.empty() && g.grant_id() != id) || (!grantee.empty() && g.grantee_principal() != grantee)) continue;
    std::string key = index_key(i);
    if (!page.after().empty() && key <= page.after()) continue;
    if (page.full(grants.size(), key)) break;
    grants.push_back(grant_entry(k, g));
  }
  json::object out{{"Grants", std::move(grants)}};
  emit_marker(page, out);
  d.output = std::move(out);
}

void KmsService::list_retirable_grants(const Request& req, Decision& d) const {
  std::string retiring(req.in.str("RetiringPrincipal"));
  Page page = marker_page(req.in, 50);
  json::array grants;
  if (const KmsPartition* p = part(req.ctx))
    for (auto& [kid, k] : p->keys)
      for (int i = 0; i < k.grants_size(); ++i) {
        if (k.grants(i).retiring_principal() != retiring) continue;
        std::string key = kid + "/" + index_key(i);
        if (!page.after().empty() && key <= page.after()) continue;
        if (page.full(grants.size(), key)) goto done;
        grants.push_back(grant_entry(k, k.grants(i)));
      }
done:
  json::object out{{"Grants", std::move(grants)}};
  emit_marker(page, out);
  d.output = std::move(out);
}

// By GrantToken, or by KeyId and GrantId.
void KmsService::retire_grant(const Request& req, Decision& d) const {
  if (auto token = req.in.opt_str("GrantToken")) {
    if (const KmsPartition* p = part(req.ctx))
      for (auto& [kid, k] : p->keys)
        for (auto& g : k.grants())
          if (g.grant_token() == *token) {
            if (req.in.flag("DryRun")) throw dry_run_exception();
            return remove(k, g, d);
          }
    throw invalid_grant_token_exception();
  }
  auto key_id = req.in.opt_str("KeyId");
  auto grant_id = req.in.opt_str("GrantId");
  if (!key_id || !grant_id) throw validation_exception("Either GrantToken, or both KeyId and GrantId must be specified.");
  const Key& k = must_find(req.ctx, *key_id, false);
  const Grant* g = grant_by_id(k, *grant_id);
  if (!g) throw invalid_grant_id_exception();
  if (req.in.flag("DryRun")) throw dry_run_exception();
  remove(k, *g, d);
}

void KmsService::revoke_grant(const Request& req, Decision& d) const {
  const Key& k = must_find(req.ctx, req.in.str("KeyId"), false);
  const Grant* g = grant_by_id(k, req.in.str("GrantId"));
  if (!g) throw invalid_grant_id_exception();
  if (req.in.flag("DryRun")) throw dry_run_exception();
  remove(k, *g, d);
}

}  // namespace podstack::kms
