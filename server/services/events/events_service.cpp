// EventBridge: the operation table, the factory, and the bus and rule
// lookups the handler files share.
#include "server/services/events/events_service.h"

#include "server/services/events/events_errors.h"

namespace podstack {
std::unique_ptr<Service> make_events_service() { return std::make_unique<events::EventsService>(); }
}  // namespace podstack

namespace podstack::events {

const EventsService::Table& EventsService::operations() {
  static const Table t = {
      {"CreateEventBus", write(&EventsService::create_event_bus)},
      {"DeleteEventBus", write(&EventsService::delete_event_bus)},
      {"DescribeEventBus", read(&EventsService::describe_event_bus)},
      {"ListEventBuses", read(&EventsService::list_event_buses)},
      {"TagResource", write(&EventsService::tag_resource)},
      {"UntagResource", write(&EventsService::untag_resource)},
      {"ListTagsForResource", read(&EventsService::list_tags_for_resource)},
      {"PutRule", write(&EventsService::put_rule)},
      {"DescribeRule", read(&EventsService::describe_rule)},
      {"ListRules", read(&EventsService::list_rules)},
      {"DeleteRule", write(&EventsService::delete_rule)},
      {"EnableRule", write(&EventsService::enable_rule)},
      {"DisableRule", write(&EventsService::disable_rule)},
      {"ListRuleNamesByTarget", read(&EventsService::list_rule_names_by_target)},
      {"PutTargets", write(&EventsService::put_targets)},
      {"RemoveTargets", write(&EventsService::remove_targets)},
      {"ListTargetsByRule", read(&EventsService::list_targets_by_rule)},
      {"PutEvents", write(&EventsService::put_events)},
      {"TestEventPattern", read(&EventsService::test_event_pattern)},
  };
  return t;
}

std::string EventsService::bus_name_of(std::string_view name_or_arn) {
  if (name_or_arn.rfind("arn:", 0) == 0) {
    auto at = name_or_arn.find(":event-bus/");
    if (at != std::string_view::npos) return std::string(name_or_arn.substr(at + 11));
  }
  return std::string(name_or_arn);
}

const BusEntry* EventsService::find_bus(const std::string& account, const std::string& region, std::string_view name) const {
  static const BusEntry kEmptyDefault;
  const EventsPartition* p = state().find(account, region);
  if (p) {
    auto it = p->buses.find(name);
    if (it != p->buses.end()) return &it->second;
  }
  return name == kDefaultBus ? &kEmptyDefault : nullptr;
}

const BusEntry& EventsService::must_bus(const CallContext& ctx, std::string_view name) const {
  std::string bus = bus_name_of(name);
  const BusEntry* b = find_bus(ctx.account, ctx.region, bus);
  if (!b) throw bus_not_found(bus);
  return *b;
}

const RuleEntry& EventsService::must_rule(const CallContext& ctx, const BusEntry& bus, std::string_view name) const {
  auto it = bus.rules.find(name);
  if (it == bus.rules.end())
    throw rule_not_found(std::string(name), bus.meta.name().empty() ? std::string(kDefaultBus) : bus.meta.name());
  return it->second;
}

}  // namespace podstack::events
