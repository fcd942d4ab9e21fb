// KMS state: per (account, region), keys by id and aliases by name; beside
// it, the index of keys with work coming due on the clock (a deletion
// window ending, an automatic rotation). KmsState::apply is the only code
// that changes it.
#pragma once
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <tuple>

#include "proto/kms.pb.h"
#include "server/service.h"

namespace podstack::kms {

struct KmsPartition {
  std::map<std::string, Key, std::less<>> keys;
  std::map<std::string, Alias, std::less<>> aliases;
};

class KmsState {
 public:
  using Event = kms::Event;
  using Snapshot = kms::State;

  void apply(const proto::Event& envelope, Event& ev);
  std::string snapshot() const;
  Status restore(std::string_view bytes);
  void clear() {
    parts_.clear();
    due_.clear();
  }
  uint64_t resource_count() const {
    return parts_.count([](const KmsPartition& p) { return p.keys.size(); });
  }
  // One line for `podstack log`: names keys, never their material.
  std::string summarize(const Event& ev) const;

  // Keys with due work, soonest first: (clock ms, account, region, key id).
  // Derived in apply() and restore(), never snapshotted.
  using Due = std::tuple<int64_t, std::string, std::string, std::string>;
  const std::set<Due>& due() const { return due_; }

  const KmsPartition* part(const CallContext& ctx) const { return parts_.find(ctx); }
  const KmsPartition* part(const std::string& account, const std::string& region) const {
    return parts_.find(account, region);
  }

 private:
  void untrack(const std::string& account, const std::string& region, const Key* k);
  void track(const std::string& account, const std::string& region, const Key* k);

  Partitions<KmsPartition> parts_;
  std::set<Due> due_;
};

// When `k` next has work due on the clock (ms), or kNeverDue: the end of its
// deletion window, else its next automatic rotation.
int64_t due_ms(const Key& k);

}  // namespace podstack::kms
