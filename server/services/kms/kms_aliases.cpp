// KMS aliases: CreateAlias, UpdateAlias, DeleteAlias, ListAliases. An alias
// name starts with alias/; alias/aws/ is AWS's, for AWS managed keys.
// https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html
#include "server/services/arn.h"
#include "server/services/kms/kms_errors.h"
#include "server/services/kms/kms_service.h"
#include "server/services/kms/kms_util.h"

namespace podstack::kms {
namespace {

std::string alias_arn(const CallContext& ctx, std::string_view name) {
  return arn_prefix(ctx.region) + "kms:" + ctx.region + ":" + ctx.account + ":" + std::string(name);
}

// AWS's rules for an alias a customer names.
void check_alias_name(std::string_view name) {
  if (name.rfind("alias/", 0) != 0 || name.size() == 6)
    throw validation_exception(
        "Alias must start with the prefix \"alias/\". Please see "
        "https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html");
  if (name.rfind("alias/aws/", 0) == 0) throw not_authorized_exception();
}

// An alias points at a key id or key ARN (never another alias), of a key
// that is not pending deletion.
const Key& alias_target(const KmsService& s, const CallContext& ctx, std::string_view id) {
  if (id.rfind("alias/", 0) == 0 || (id.rfind("arn:", 0) == 0 && id.find(":alias/") != std::string_view::npos))
    throw validation_exception("Aliases must refer to keys. Not aliases");
  const Key& k = s.must_find(ctx, id, false);
  KmsService::check_not_pending(k);
  return k;
}

// The alias `name`, unless it is gone: absent, or its key's deletion window
// has ended (the key and its aliases read as deleted before the due-work
// event that deletes them is committed).
const Alias* live_alias(const KmsPartition* p, std::string_view name, const CallContext& ctx) {
  if (!p) return nullptr;
  auto it = p->aliases.find(name);
  if (it == p->aliases.end()) return nullptr;
  if (auto k = p->keys.find(it->second.target_key_id()); k != p->keys.end() && deleted(k->second, ctx)) return nullptr;
  return &it->second;
}

json::object alias_entry(const CallContext& ctx, const Alias& a) {
  json::object o{{"AliasName", a.name()}, {"AliasArn", alias_arn(ctx, a.name())}, {"TargetKeyId", a.target_key_id()}};
  if (a.created() > 0) o["CreationDate"] = a.created();
  if (a.updated() > 0) o["LastUpdatedDate"] = a.updated();
  return o;
}

}  // namespace

void KmsService::create_alias(const Request& req, Decision& d) const {
  std::string name(req.in.str("AliasName"));
  check_alias_name(name);
  const Key& k = alias_target(*this, req.ctx, req.in.str("TargetKeyId"));
  if (live_alias(part(req.ctx), name, req.ctx))
    throw already_exists_exception("An alias with the name " + alias_arn(req.ctx, name) + " already exists");
  Event ev;
  Alias* a = ev.mutable_alias_set()->mutable_alias();
  a->set_name(name);
  a->set_target_key_id(k.key_id());
  a->set_created(req.ctx.now());
  a->set_updated(req.ctx.now());
  d.add(std::move(ev));
  d.output = nullptr;
}

// The new key must be of the same type and usage as the old one (AWS).
void KmsService::update_alias(const Request& req, Decision& d) const {
  std::string name(req.in.str("AliasName"));
  check_alias_name(name);
  const KmsPartition* p = part(req.ctx);
  const Alias* alias = live_alias(p, name, req.ctx);
  if (!alias) throw alias_not_found(alias_arn(req.ctx, name));
  const Key& k = alias_target(*this, req.ctx, req.in.str("TargetKeyId"));
  if (auto old = p->keys.find(alias->target_key_id()); old != p->keys.end()) {
    const Key& o = old->second;
    if (o.key_spec() != k.key_spec() || o.key_usage() != k.key_usage())
      throw validation_exception("Alias " + alias_arn(req.ctx, name) + " cannot be changed from a key of type " +
                                 o.key_spec() + "/" + o.key_usage() + " to " + k.key_spec() + "/" + k.key_usage());
  }
  Event ev;
  Alias* a = ev.mutable_alias_set()->mutable_alias();
  *a = *alias;
  a->set_target_key_id(k.key_id());
  a->set_updated(req.ctx.now());
  d.add(std::move(ev));
  d.output = nullptr;
}

void KmsService::delete_alias(const Request& req, Decision& d) const {
  std::string name(req.in.str("AliasName"));
  check_alias_name(name);
  if (!live_alias(part(req.ctx), name, req.ctx)) throw alias_not_found(alias_arn(req.ctx, name));
  Event ev;
  ev.mutable_alias_deleted()->set_name(name);
  d.add(std::move(ev));
  d.output = nullptr;
}

void KmsService::list_aliases(const Request& req, Decision& d) const {
  std::string key_id;
  if (auto id = req.in.opt_str("KeyId")) key_id = must_find(req.ctx, *id, false).key_id();
  Page page = marker_page(req.in, 50);
  json::array aliases;
  if (const KmsPartition* p = part(req.ctx))
    for (auto it = p->aliases.upper_bound(page.after()); it != p->aliases.end(); ++it) {
      if (!key_id.empty() && it->second.target_key_id() != key_id) continue;
      if (!live_alias(p, it->first, req.ctx)) continue;
      if (page.full(aliases.size(), it->first)) break;
      aliases.push_back(alias_entry(req.ctx, it->second));
    }
  json::object out{{"Aliases", std::move(aliases)}};
  emit_marker(page, out);
  d.output = std::move(out);
}

}  // namespace podstack::kms
