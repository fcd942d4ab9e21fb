// EventBridge events: PutEvents (AWS's envelope, per-entry results and
// limits), routing an event through a bus's rules to their targets,
// TestEventPattern, and scheduled rules as due work (next_due,
// decide_due).
#include <cmath>

#include "server/protocol/encoding.h"
#include "server/services/arn.h"
#include "server/services/events/event_pattern.h"
#include "server/services/events/events_errors.h"
#include "server/services/events/events_service.h"
#include "server/services/events/schedule.h"
#include "server/services/events/target_input.h"

namespace podstack::events {
namespace {

// AWS: 256 KB for all the entries of one PutEvents.
constexpr size_t kMaxPutEventsBytes = 256 * 1024;
// An event may pass from bus to bus this many times (a rule that targets
// its own bus would otherwise loop).
constexpr int kMaxHops = 5;

// "2026-12-08T10:00:00Z": the envelope's time, whole seconds.
std::string event_time(double seconds) {
  std::string s = protocol::iso8601(std::floor(seconds));
  return s.substr(0, 19) + "Z";
}

bool ends_with(std::string_view s, std::string_view p) { return s.size() >= p.size() && s.substr(s.size() - p.size()) == p; }

std::string member(const json::object& o, std::string_view k) {
  auto* v = o.if_contains(k);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

// The bytes AWS counts toward the 256 KB: Time (14 bytes when present),
// Source, DetailType, Detail and the Resources.
size_t entry_size(const json::object& e) {
  size_t n = e.contains("Time") ? 14 : 0;
  n += member(e, "Source").size() + member(e, "DetailType").size() + member(e, "Detail").size();
  if (auto* r = e.if_contains("Resources"); r && r->is_array())
    for (auto& x : r->as_array())
      if (x.is_string()) n += x.as_string().size();
  return n;
}

}  // namespace

uint32_t EventsService::send(const std::string& account, const std::string& region, std::string_view bus, const Rule& rule,
                             const json::object& event, const CallContext& ctx, int hops, Decision& out) const {
  uint32_t n = 0;
  RuleRef ref{rule.name(), rule.arn(), event_time(ctx.now())};
  for (auto& t : rule.targets()) {
    auto arn = parse_arn(t.arn());
    if (!arn) continue;
    boost::system::error_code ec;
    json::value spec_v = json::parse(t.spec(), ec);
    if (ec || !spec_v.is_object()) continue;
    const json::object& spec = spec_v.as_object();
    if (arn->service == "events") {
      // Another bus (this account's or another's): its rules see the event as sent.
      if (hops <= 0 || arn->resource.rfind("event-bus/", 0) != 0) continue;
      n += route(arn->account, arn->region, arn->resource.substr(10), event, ctx, hops - 1, out);
      continue;
    }
    std::string body = target_input(spec, event, ref);
    std::string dlq;
    if (auto* d = spec.if_contains("DeadLetterConfig"); d && d->is_object()) dlq = member(d->as_object(), "Arn");
    if (arn->service == "sqs") {
      json::object input{{"QueueArn", t.arn()}, {"MessageBody", body}};
      if (ends_with(arn->resource, ".fifo")) {
        if (auto* p = spec.if_contains("SqsParameters"); p && p->is_object())
          input["MessageGroupId"] = member(p->as_object(), "MessageGroupId");
        // One message per event and target: the event id deduplicates.
        input["MessageDeduplicationId"] = member(event, "id");
      }
      if (!dlq.empty()) input["DeadLetterQueueArn"] = dlq;
      out.deliveries.push_back(Delivery{"sqs", "message", arn->account, arn->region, std::move(input)});
      ++n;
    } else if (arn->service == "sns") {
      out.deliveries.push_back(
          Delivery{"sns", "publish", arn->account, arn->region, json::object{{"TopicArn", t.arn()}, {"Message", body}}});
      ++n;
    }
    // Other target services are accepted by PutTargets but not delivered to yet.
  }
  // The rule's partition and bus are unused until targets that need them
  // (CloudWatch Logs, archives) arrive.
  (void)account;
  (void)region;
  (void)bus;
  return n;
}

uint32_t EventsService::route(const std::string& account, const std::string& region, std::string_view bus,
                              const json::object& event, const CallContext& ctx, int hops, Decision& out) const {
  const BusEntry* b = find_bus(account, region, bus);
  if (!b) return 0;  // a bus target that is gone: dropped, as AWS drops it
  uint32_t n = 0;
  json::value ev = event;
  for (auto& [name, r] : b->rules) {
    if (r.rule.state() == "DISABLED" || r.pattern.is_null()) continue;
    if (!pattern_matches(r.pattern, ev)) continue;
    n += send(account, region, bus, r.rule, event, ctx, hops, out);
  }
  return n;
}

void EventsService::put_events(const Request& req, Decision& out) const {
  const json::array& entries = *req.in.array("Entries");
  size_t total = 0;
  for (auto& e : entries) total += entry_size(e.as_object());
  if (total > kMaxPutEventsBytes) throw validation_exception("Total size of the entries in the request is over the limit.");

  Event ev;
  EventsPut* put = ev.mutable_events_put();
  json::array results;
  uint32_t failed = 0, deliveries = 0;
  for (auto& ev_v : entries) {
    const json::object& e = ev_v.as_object();
    auto fail = [&](std::string code, std::string message) {
      results.push_back(json::object{{"ErrorCode", std::move(code)}, {"ErrorMessage", std::move(message)}});
      ++failed;
    };
    std::string source = member(e, "Source"), detail_type = member(e, "DetailType"), detail = member(e, "Detail");
    if (source.empty()) {
      fail("InvalidArgument", "Parameter Source is not valid. Reason: Source is a required argument.");
      continue;
    }
    if (detail_type.empty()) {
      fail("InvalidArgument", "Parameter DetailType is not valid. Reason: DetailType is a required argument.");
      continue;
    }
    if (detail.empty()) {
      fail("InvalidArgument", "Parameter Detail is not valid. Reason: Detail is a required argument.");
      continue;
    }
    boost::system::error_code ec;
    json::value detail_v = json::parse(detail, ec);
    if (ec || !detail_v.is_object()) {
      fail("MalformedDetail", "Detail is malformed.");
      continue;
    }
    // The bus: a name here, or an ARN (possibly of another account's bus).
    std::string bus_account = req.ctx.account, bus_region = req.ctx.region;
    std::string bus_text = member(e, "EventBusName");
    if (bus_text.empty()) bus_text = std::string(kDefaultBus);
    if (auto a = parse_arn(bus_text)) {
      bus_account = a->account;
      bus_region = a->region;
    }
    std::string bus = bus_name_of(bus_text);
    if (!find_bus(bus_account, bus_region, bus)) {
      fail("ResourceNotFoundException", "Event bus " + bus + " does not exist.");
      continue;
    }
    std::string id = random_uuid();
    double when = req.ctx.now();
    if (auto* t = e.if_contains("Time"); t && t->is_number()) when = t->to_number<double>();
    json::array resources;
    if (auto* r = e.if_contains("Resources"); r && r->is_array()) resources = r->as_array();
    json::object envelope{{"version", "0"},
                          {"id", id},
                          {"detail-type", detail_type},
                          {"source", source},
                          {"account", req.ctx.account},
                          {"time", event_time(when)},
                          {"region", req.ctx.region},
                          {"resources", std::move(resources)},
                          {"detail", std::move(detail_v)}};
    put->add_events(json::serialize(envelope));
    deliveries += route(bus_account, bus_region, bus, envelope, req.ctx, kMaxHops, out);
    results.push_back(json::object{{"EventId", id}});
  }
  out.output = json::object{{"FailedEntryCount", failed}, {"Entries", std::move(results)}};
  if (put->events_size() == 0) return;  // nothing accepted: nothing to record
  put->set_failed(failed);
  put->set_deliveries(deliveries);
  out.add(std::move(ev));
}

void EventsService::test_event_pattern(const Request& req, Decision& out) const {
  auto p = parse_event_pattern(req.in.str("EventPattern"));
  if (!p.error.empty()) throw invalid_event_pattern_exception(p.error);
  boost::system::error_code ec;
  json::value event = json::parse(req.in.str("Event"), ec);
  if (ec || !event.is_object()) throw validation_exception("Parameter Event is not valid.");
  for (std::string_view k : {"id", "account", "source", "time", "region", "detail-type"})
    if (!event.as_object().contains(k)) throw validation_exception("Parameter Event is not valid.");
  out.output = json::object{{"Result", pattern_matches(p.pattern, event)}};
}

// ---- scheduled rules ----
DueWork EventsService::next_due() const {
  DueWork w;
  if (state().schedule().empty()) return w;
  auto& [at_ms, account, region, bus, rule] = *state().schedule().begin();
  w.at_ms = at_ms;
  w.account = account;
  w.region = region;
  return w;
}

// Every scheduled rule of the partition that is due fires once, however
// many of its periods passed (a schedule missed while podstack was stopped
// fires once), with AWS's "Scheduled Event" to each of its targets.
void EventsService::decide_due(const CallContext& ctx, Decision& out) const {
  Event ev;
  RulesFired* fired = ev.mutable_rules_fired();
  for (auto& [at_ms, account, region, bus, name] : state().schedule()) {
    if (at_ms > ctx.now_ms) break;
    if (account != ctx.account || region != ctx.region) continue;
    const BusEntry* b = find_bus(account, region, bus);
    if (!b) continue;
    auto it = b->rules.find(name);
    if (it == b->rules.end()) continue;
    const Rule& r = it->second.rule;
    int64_t next = 0;
    if (auto s = parse_schedule(r.schedule_expression())) next = next_fire(*s, at_ms, ctx.now_ms).value_or(0);
    std::string id = random_uuid();
    json::object envelope{{"version", "0"},
                          {"id", id},
                          {"detail-type", "Scheduled Event"},
                          {"source", "aws.events"},
                          {"account", account},
                          {"time", event_time(static_cast<double>(at_ms) / 1000.0)},
                          {"region", region},
                          {"resources", json::array{json::string(r.arn())}},
                          {"detail", json::object()}};
    RuleFired* f = fired->add_fired();
    f->set_bus(bus);
    f->set_name(name);
    f->set_fired_ms(at_ms);
    f->set_next_fire_ms(next);
    f->set_event_id(id);
    f->set_deliveries(send(account, region, bus, r, envelope, ctx, kMaxHops, out));
  }
  if (fired->fired_size()) out.add(std::move(ev));
}

}  // namespace podstack::events
