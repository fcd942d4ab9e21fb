// Secrets Manager state: per (account, region), secrets by name; each
// secret keeps its versions in creation order with their staging labels.
// SecretsManagerState::apply is the only code that changes it.
#pragma once
#include <map>
#include <string>
#include <string_view>

#include "proto/secretsmanager.pb.h"
#include "server/service.h"

namespace podstack::secretsmanager {

struct SecretPartition {
  std::map<std::string, Secret, std::less<>> secrets;
};

class SecretsManagerState {
 public:
  using Event = secretsmanager::Event;
  using Snapshot = secretsmanager::State;

  void apply(const proto::Event& envelope, Event& ev);
  std::string snapshot() const;
  Status restore(std::string_view bytes);
  void clear() { parts_.clear(); }
  uint64_t resource_count() const {
    return parts_.count([](const SecretPartition& p) { return p.secrets.size(); });
  }
  std::string summarize(const Event& ev) const;

  const SecretPartition* part(const CallContext& ctx) const { return parts_.find(ctx); }
  const SecretPartition* part(const std::string& account, const std::string& region) const {
    return parts_.find(account, region);
  }

 private:
  Partitions<SecretPartition> parts_;
};

}  // namespace podstack::secretsmanager
