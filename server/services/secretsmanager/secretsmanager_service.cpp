// Secrets Manager: the operation table, the factory, and the secret lookups
// the handler files share.
#include "server/services/secretsmanager/secretsmanager_service.h"

#include "server/services/secretsmanager/secretsmanager_errors.h"
#include "server/services/secretsmanager/secretsmanager_util.h"

namespace podstack {
std::unique_ptr<Service> make_secretsmanager_service() { return std::make_unique<secretsmanager::SecretsManagerService>(); }
}  // namespace podstack

namespace podstack::secretsmanager {

const SecretsManagerService::Table& SecretsManagerService::operations() {
  static const Table t = {
      {"CreateSecret", write(&SecretsManagerService::create_secret)},
      {"GetSecretValue", read(&SecretsManagerService::get_secret_value)},
      {"PutSecretValue", write(&SecretsManagerService::put_secret_value)},
      {"UpdateSecret", write(&SecretsManagerService::update_secret)},
      {"DescribeSecret", read(&SecretsManagerService::describe_secret)},
      {"ListSecrets", read(&SecretsManagerService::list_secrets)},
      {"DeleteSecret", write(&SecretsManagerService::delete_secret)},
      {"RestoreSecret", write(&SecretsManagerService::restore_secret)},
      {"UpdateSecretVersionStage", write(&SecretsManagerService::update_version_stage)},
      {"ListSecretVersionIds", read(&SecretsManagerService::list_version_ids)},
      {"TagResource", write(&SecretsManagerService::tag_resource)},
      {"UntagResource", write(&SecretsManagerService::untag_resource)},
      {"GetRandomPassword", read(&SecretsManagerService::get_random_password)},
      {"GetResourcePolicy", read(&SecretsManagerService::get_resource_policy)},
      {"PutResourcePolicy", write(&SecretsManagerService::put_resource_policy)},
      {"DeleteResourcePolicy", write(&SecretsManagerService::delete_resource_policy)},
      {"ValidateResourcePolicy", read(&SecretsManagerService::validate_resource_policy)},
      {"BatchGetSecretValue", read(&SecretsManagerService::batch_get_secret_value)},
      {"RotateSecret", write(&SecretsManagerService::rotate_secret)},
      {"CancelRotateSecret", write(&SecretsManagerService::cancel_rotate_secret)},
      {"ReplicateSecretToRegions", write(&SecretsManagerService::replicate_secret_to_regions)},
      {"RemoveRegionsFromReplication", write(&SecretsManagerService::remove_regions_from_replication)},
      {"StopReplicationToReplica", write(&SecretsManagerService::stop_replication_to_replica)},
  };
  return t;
}

const Secret* SecretsManagerService::lookup(const CallContext& ctx, std::string_view id) const {
  const SecretPartition* p = part(ctx);
  if (!p) return nullptr;
  const Secret* found = nullptr;
  if (id.rfind("arn:", 0) == 0) {
    // arn:PARTITION:secretsmanager:REGION:ACCOUNT:secret:NAME[-XXXXXX]; the
    // stored ARN decides (region and account included). A complete ARN wins
    // over a partial one that happens to name a secret ending in "-XXXXXX".
    constexpr std::string_view kMarker = ":secret:";
    auto at = id.find(kMarker);
    if (at == std::string_view::npos) return nullptr;
    std::string_view rest = id.substr(at + kMarker.size());
    auto named = [&](std::string_view n) -> const Secret* {
      auto it = p->secrets.find(n);
      return it == p->secrets.end() ? nullptr : &it->second;
    };
    if (rest.size() > 7 && rest[rest.size() - 7] == '-')
      if (const Secret* s = named(rest.substr(0, rest.size() - 7)); s && s->arn() == id) found = s;
    if (!found)
      if (const Secret* s = named(rest); s && s->arn().size() == id.size() + 7 && s->arn().compare(0, id.size(), id) == 0)
        found = s;
  } else {
    auto it = p->secrets.find(id);
    if (it != p->secrets.end()) found = &it->second;
  }
  if (found && expired(*found, ctx.now())) return nullptr;
  return found;
}

const Secret& SecretsManagerService::must_find(const Input& in, const CallContext& ctx) const {
  const Secret* s = lookup(ctx, in.str("SecretId"));
  if (!s) throw resource_not_found_exception();
  return *s;
}

const Secret& SecretsManagerService::must_find_primary(const Input& in, const CallContext& ctx) const {
  const Secret& s = must_find(in, ctx);
  if (!s.primary_region().empty()) throw operation_on_replica();
  return s;
}

const Secret& SecretsManagerService::content_of(const CallContext& ctx, const Secret& s) const {
  if (s.primary_region().empty()) return s;
  if (const SecretPartition* p = state().part(ctx.account, s.primary_region())) {
    auto it = p->secrets.find(s.name());
    if (it != p->secrets.end()) return it->second;
  }
  return s;
}

void SecretsManagerService::purge_if_expired(const CallContext& ctx, std::string_view name, Decision& d) const {
  const SecretPartition* p = part(ctx);
  if (!p) return;
  auto it = p->secrets.find(name);
  if (it != p->secrets.end() && expired(it->second, ctx.now())) {
    Event ev;
    ev.mutable_purged()->set_name(it->first);
    d.add(std::move(ev));
  }
}

DueWork SecretsManagerService::next_due() const {
  DueWork w;
  if (state().deletions().empty()) return w;
  auto& [at_ms, account, region, name] = *state().deletions().begin();
  w.at_ms = at_ms;
  w.account = account;
  w.region = region;
  return w;
}

// Every secret of the partition whose window has ended, purged.
void SecretsManagerService::decide_due(const CallContext& ctx, Decision& out) const {
  for (auto& [at_ms, account, region, name] : state().deletions()) {
    if (at_ms > ctx.now_ms) break;
    if (account != ctx.account || region != ctx.region) continue;
    Event ev;
    ev.mutable_purged()->set_name(name);
    out.add(std::move(ev));
  }
}

}  // namespace podstack::secretsmanager
