// SNS state: per (account, region), topics (with their subscriptions and
// FIFO dedup entries), platform applications (with their endpoints), the
// outbox of pending HTTP/SMTP deliveries, what was recorded instead of sent
// (SMS, platform endpoints, ...) and the SMS settings. The snapshot holds
// items "topic:NAME", "app:NAME", "outbox", "recorded" and "settings"
// (proto/sns.proto). SnsState::apply is the only code that changes them.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "proto/sns.pb.h"
#include "server/service.h"

namespace podstack::sns {

struct SnsPartition {
  std::map<std::string, Topic, std::less<>> topics;
  std::map<std::string, PlatformApplication, std::less<>> apps;
  std::vector<Recorded> recorded;
  std::map<std::string, PendingEffect> outbox;
  Settings settings;
};

class SnsState {
 public:
  using Event = sns::Event;
  using Snapshot = sns::State;
  using Partitions = podstack::Partitions<SnsPartition>;

  void apply(const proto::Event& envelope, Event& ev);
  std::string snapshot() const;
  Status restore(std::string_view bytes);
  void clear() { parts_.clear(); }
  uint64_t resource_count() const;
  std::string summarize(const Event& ev) const;

  const SnsPartition* find(const CallContext& ctx) const { return parts_.find(ctx); }
  const SnsPartition* find(const std::string& account, const std::string& region) const { return parts_.find(account, region); }
  const Partitions& partitions() const { return parts_; }

 private:
  Partitions parts_;
};

}  // namespace podstack::sns
