// EventBridge state: per (account, region), event buses by name, each with
// its rules by name and each rule with its targets. The default bus exists
// implicitly and enters the state when something is put on it. Beside the
// state, derived in apply() and restore(): each rule's parsed pattern, and
// the index of scheduled rules by next fire time (what the due-work hooks
// read). EventsState::apply is the only code that changes any of it.
#pragma once
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <tuple>

#include "proto/events.pb.h"
#include "server/service.h"

namespace podstack::events {

constexpr std::string_view kDefaultBus = "default";

struct RuleEntry {
  Rule rule;
  json::value pattern;  // the parsed EventPattern; null when the rule has none
};

struct BusEntry {
  EventBus meta;  // its rules are in `rules`, not in meta
  std::map<std::string, RuleEntry, std::less<>> rules;
};

struct EventsPartition {
  std::map<std::string, BusEntry, std::less<>> buses;
};

class EventsState {
 public:
  using Event = events::Event;
  using Snapshot = events::State;
  using Partitions = podstack::Partitions<EventsPartition>;

  void apply(const proto::Event& envelope, Event& ev);
  std::string snapshot() const;
  Status restore(std::string_view bytes);
  void clear() {
    parts_.clear();
    schedule_.clear();
  }
  uint64_t resource_count() const;
  std::string summarize(const Event& ev) const;

  const EventsPartition* find(const CallContext& ctx) const { return parts_.find(ctx); }
  const EventsPartition* find(const std::string& account, const std::string& region) const {
    return parts_.find(account, region);
  }

  // Scheduled, enabled rules, soonest first: (next fire ms, account,
  // region, bus, rule).
  using Due = std::tuple<int64_t, std::string, std::string, std::string, std::string>;
  const std::set<Due>& schedule() const { return schedule_; }

 private:
  BusEntry& bus(const proto::Event& e, const std::string& name);
  RuleEntry* rule(const proto::Event& e, const std::string& bus, const std::string& name);
  void untrack(const std::string& account, const std::string& region, const std::string& bus, const Rule& r);
  void track(const std::string& account, const std::string& region, const std::string& bus, const Rule& r);

  Partitions parts_;
  std::set<Due> schedule_;
};

// The ARNs EventBridge names its resources with.
std::string bus_arn(const std::string& region, const std::string& account, std::string_view bus);
std::string rule_arn(const std::string& region, const std::string& account, std::string_view bus, std::string_view rule);

}  // namespace podstack::events
