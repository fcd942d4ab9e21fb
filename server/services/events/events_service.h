// EventBridge (JSON 1.1, target prefix AWSEvents): event buses, rules with
// event patterns or schedules, targets (SQS, SNS, another event bus),
// PutEvents and TestEventPattern. A matched event's delivery to SQS or SNS
// is a Delivery into that service, committed with the PutEvents event;
// scheduled rules fire through the due-work hooks on podstack's clock.
// Handlers: events_buses.cpp (buses, tags), events_rules.cpp (rules,
// targets), events_put.cpp (PutEvents, routing, TestEventPattern, due
// work); the state in events_state.h; the pattern language in
// event_pattern.h; schedules in schedule.h; target input in target_input.h.
// AWS reference: https://docs.aws.amazon.com/eventbridge/latest/APIReference/
#pragma once
#include <memory>

#include "server/service.h"
#include "server/services/events/events_state.h"

namespace podstack {
std::unique_ptr<Service> make_events_service();
}

namespace podstack::events {

class EventsService final : public StatefulService<EventsService, EventsState> {
 public:
  static constexpr std::string_view kName = "events";

  static const Table& operations();

  // ---- scheduled rules as due work (events_put.cpp) ----
  DueWork next_due() const override;
  void decide_due(const CallContext& ctx, Decision& out) const override;

  // ---- buses and tags (events_buses.cpp) ----
  void create_event_bus(const Request& req, Decision& out) const;
  void delete_event_bus(const Request& req, Decision& out) const;
  void describe_event_bus(const Request& req, Decision& out) const;
  void list_event_buses(const Request& req, Decision& out) const;
  void tag_resource(const Request& req, Decision& out) const;
  void untag_resource(const Request& req, Decision& out) const;
  void list_tags_for_resource(const Request& req, Decision& out) const;
  // The bus or rule a tagging call's ResourceARN names (rule empty: the
  // bus), with its tags; or ResourceNotFoundException.
  struct TagTarget {
    std::string bus, rule;
    const google::protobuf::RepeatedPtrField<Tag>* tags;
  };
  TagTarget tag_target(const CallContext& ctx, const std::string& arn) const;

  // ---- rules and targets (events_rules.cpp) ----
  void put_rule(const Request& req, Decision& out) const;
  void describe_rule(const Request& req, Decision& out) const;
  void list_rules(const Request& req, Decision& out) const;
  void delete_rule(const Request& req, Decision& out) const;
  void enable_rule(const Request& req, Decision& out) const;
  void disable_rule(const Request& req, Decision& out) const;
  void list_rule_names_by_target(const Request& req, Decision& out) const;
  void put_targets(const Request& req, Decision& out) const;
  void remove_targets(const Request& req, Decision& out) const;
  void list_targets_by_rule(const Request& req, Decision& out) const;

  // ---- events (events_put.cpp) ----
  void put_events(const Request& req, Decision& out) const;
  void test_event_pattern(const Request& req, Decision& out) const;

  // A bus name from a name or an event-bus ARN (EventBusName members).
  static std::string bus_name_of(std::string_view name_or_arn);
  // The bus, or nullptr; the default bus always exists (an empty entry).
  const BusEntry* find_bus(const std::string& account, const std::string& region, std::string_view name) const;
  // The same, or ResourceNotFoundException.
  const BusEntry& must_bus(const CallContext& ctx, std::string_view name) const;
  const RuleEntry& must_rule(const CallContext& ctx, const BusEntry& bus, std::string_view name) const;

  // Routes `event` into a bus: every enabled rule whose pattern matches
  // sends it to its targets (deliveries in `out`; bus targets route on,
  // at most `hops` more times). Returns the number of deliveries.
  uint32_t route(const std::string& account, const std::string& region, std::string_view bus, const json::object& event,
                 const CallContext& ctx, int hops, Decision& out) const;
  // `event` to each target of `rule` (in partition account/region).
  uint32_t send(const std::string& account, const std::string& region, std::string_view bus, const Rule& rule,
                const json::object& event, const CallContext& ctx, int hops, Decision& out) const;
};

}  // namespace podstack::events
