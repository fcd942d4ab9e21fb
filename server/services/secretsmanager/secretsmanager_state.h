// Secrets Manager state: per (account, region), secrets by name; each
// secret keeps its versions in creation order with their staging labels.
// SecretsManagerState::apply is the only code that changes it.
#pragma once
#include <cstdint>
#include <map>
#include <set>
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
  void clear() {
    parts_.clear();
    deletions_.clear();
  }
  uint64_t resource_count() const {
    return parts_.count([](const SecretPartition& p) { return p.secrets.size(); });
  }
  std::string summarize(const Event& ev) const;

  // Secrets scheduled for deletion, soonest first: (the clock time their
  // window ends in ms, rounded up; account; region; name). Derived in
  // apply() and restore(), never snapshotted; what the due-work hooks read.
  using Deletion = std::tuple<int64_t, std::string, std::string, std::string>;
  const std::set<Deletion>& deletions() const { return deletions_; }

  const SecretPartition* part(const CallContext& ctx) const { return parts_.find(ctx); }
  const SecretPartition* part(const std::string& account, const std::string& region) const {
    return parts_.find(account, region);
  }

 private:
  // Keeps deletions_ in step with `s` (before and after a change).
  void untrack(const std::string& account, const std::string& region, const Secret* s);
  void track(const std::string& account, const std::string& region, const Secret* s);

  Partitions<SecretPartition> parts_;
  std::set<Deletion> deletions_;
};

}  // namespace podstack::secretsmanager
