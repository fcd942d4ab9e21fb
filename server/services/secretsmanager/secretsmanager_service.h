// Secrets Manager: secrets with versions and staging labels, scheduled
// deletion (lazily against the request's clock: once the window has passed
// the secret behaves as gone, and the next write that needs it emits the
// purge), tags and random passwords.
// Handlers: secretsmanager_secrets.cpp, secretsmanager_list.cpp,
// secretsmanager_policy.cpp, secretsmanager_rotation.cpp; the state
// in secretsmanager_state.h.
// AWS reference: https://docs.aws.amazon.com/secretsmanager/latest/apireference/
#pragma once
#include <memory>

#include "server/service.h"
#include "server/services/secretsmanager/secretsmanager_state.h"

namespace podstack {
std::unique_ptr<Service> make_secretsmanager_service();
}

namespace podstack::secretsmanager {

class SecretsManagerService final : public StatefulService<SecretsManagerService, SecretsManagerState> {
 public:
  static constexpr std::string_view kName = "secretsmanager";

  static const Table& operations();

  // ---- deletion windows as due work (secretsmanager_service.cpp): a
  // secret is purged by an event when its window ends on the clock ----
  DueWork next_due() const override;
  void decide_due(const CallContext& ctx, Decision& out) const override;

  // ---- secrets, versions, tags (secretsmanager_secrets.cpp) ----
  void create_secret(const Request& req, Decision& out) const;
  void get_secret_value(const Request& req, Decision& out) const;
  void put_secret_value(const Request& req, Decision& out) const;
  void update_secret(const Request& req, Decision& out) const;
  void describe_secret(const Request& req, Decision& out) const;
  void delete_secret(const Request& req, Decision& out) const;
  void restore_secret(const Request& req, Decision& out) const;
  void update_version_stage(const Request& req, Decision& out) const;
  void list_version_ids(const Request& req, Decision& out) const;
  void tag_resource(const Request& req, Decision& out) const;
  void untag_resource(const Request& req, Decision& out) const;
  void get_random_password(const Request& req, Decision& out) const;

  // ---- resource policies (secretsmanager_policy.cpp) ----
  void get_resource_policy(const Request& req, Decision& out) const;
  void put_resource_policy(const Request& req, Decision& out) const;
  void delete_resource_policy(const Request& req, Decision& out) const;
  void validate_resource_policy(const Request& req, Decision& out) const;

  // ---- listing (secretsmanager_list.cpp) ----
  void list_secrets(const Request& req, Decision& out) const;
  void batch_get_secret_value(const Request& req, Decision& out) const;

  // ---- rotation and replication (secretsmanager_rotation.cpp) ----
  void rotate_secret(const Request& req, Decision& out) const;
  void cancel_rotate_secret(const Request& req, Decision& out) const;
  void replicate_secret_to_regions(const Request& req, Decision& out) const;
  void remove_regions_from_replication(const Request& req, Decision& out) const;
  void stop_replication_to_replica(const Request& req, Decision& out) const;

  // ReplicaAdded events for `regions` (AddReplicaRegions) of the primary `s`
  // (CreateSecret passes the secret it is creating); the ReplicationStatus.
  json::array add_replicas(const CallContext& ctx, const Secret& s, const json::array& regions, bool overwrite,
                           Decision& d) const;
  // The secret whose content `s` shows: its primary, for a replica.
  const Secret& content_of(const CallContext& ctx, const Secret& s) const;

 private:
  const SecretPartition* part(const CallContext& ctx) const { return state().part(ctx); }
  // SecretId: a name, a full ARN, or an ARN without the random suffix.
  const Secret* lookup(const CallContext& ctx, std::string_view id) const;
  // The secret SecretId names, or ResourceNotFoundException.
  const Secret& must_find(const Input& in, const CallContext& ctx) const;
  // The same, for a write: a replica refuses it.
  const Secret& must_find_primary(const Input& in, const CallContext& ctx) const;
  // A purge event for a secret whose deletion window has passed (so replay
  // does not depend on the clock), emitted by the next write that needs it.
  void purge_if_expired(const CallContext& ctx, std::string_view name, Decision& d) const;
};

}  // namespace podstack::secretsmanager
