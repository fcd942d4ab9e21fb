// EventBridge event buses and tags: CreateEventBus, DeleteEventBus,
// DescribeEventBus, ListEventBuses, TagResource, UntagResource,
// ListTagsForResource.
#include "server/services/arn.h"
#include "server/services/events/events_errors.h"
#include "server/services/events/events_service.h"
#include "server/services/pagination.h"
#include "server/services/tags.h"

namespace podstack::events {
namespace {

// A bus or rule ARN of this partition -> (bus, rule); rule empty for a bus.
std::optional<std::pair<std::string, std::string>> resource_of(const CallContext& ctx, std::string_view arn_text) {
  auto arn = parse_arn(arn_text);
  if (!arn || arn->service != "events" || arn->account != ctx.account || arn->region != ctx.region) return std::nullopt;
  std::string_view res = arn->resource;
  if (res.rfind("event-bus/", 0) == 0) return std::make_pair(std::string(res.substr(10)), std::string());
  if (res.rfind("rule/", 0) == 0) {
    std::string_view rest = res.substr(5);
    auto slash = rest.rfind('/');
    if (slash == std::string_view::npos) return std::make_pair(std::string(kDefaultBus), std::string(rest));
    return std::make_pair(std::string(rest.substr(0, slash)), std::string(rest.substr(slash + 1)));
  }
  return std::nullopt;
}

json::array tags_json(const google::protobuf::RepeatedPtrField<Tag>& tags) {
  json::array out;
  for (auto& t : tags) out.push_back(json::object{{"Key", t.key()}, {"Value", t.value()}});
  return out;
}

}  // namespace

void EventsService::create_event_bus(const Request& req, Decision& out) const {
  std::string name(req.in.str("Name"));
  if (name.find('/') != std::string::npos && !req.in.has("EventSourceName"))
    throw validation_exception("Event bus name must not contain '/'.");
  if (find_bus(req.ctx.account, req.ctx.region, name))
    throw resource_already_exists_exception("Event bus " + name + " already exists.");
  Event ev;
  EventBus* b = ev.mutable_bus_created()->mutable_bus();
  b->set_name(name);
  b->set_arn(bus_arn(req.ctx.region, req.ctx.account, name));
  b->set_created(req.ctx.now());
  if (auto* tags = req.in.array("Tags"))
    for (auto& t : *tags) {
      Tag* tag = b->add_tags();
      tag->set_key(std::string(t.as_object().at("Key").as_string()));
      tag->set_value(std::string(t.as_object().at("Value").as_string()));
    }
  out.output = json::object{{"EventBusArn", b->arn()}};
  out.add(std::move(ev));
}

void EventsService::delete_event_bus(const Request& req, Decision& out) const {
  std::string name(req.in.str("Name"));
  if (name == kDefaultBus) throw validation_exception("Cannot delete event bus default.");
  const EventsPartition* p = state().find(req.ctx);
  if (!p || !p->buses.count(name)) return;  // deleting a bus that is not there succeeds, as on AWS
  Event ev;
  ev.mutable_bus_deleted()->set_name(name);
  out.add(std::move(ev));
}

void EventsService::describe_event_bus(const Request& req, Decision& out) const {
  std::string name = bus_name_of(req.in.str_or("Name", std::string(kDefaultBus)));
  must_bus(req.ctx, name);
  out.output = json::object{{"Name", name}, {"Arn", bus_arn(req.ctx.region, req.ctx.account, name)}};
}

void EventsService::list_event_buses(const Request& req, Decision& out) const {
  std::string prefix = req.in.str_or("NamePrefix", "");
  Page page(req.in, 100, "Limit");
  std::set<std::string> names{std::string(kDefaultBus)};
  if (const EventsPartition* p = state().find(req.ctx))
    for (auto& [n, b] : p->buses) names.insert(n);
  json::array buses;
  for (auto& n : names) {
    if (n.compare(0, prefix.size(), prefix) != 0 || n <= page.after()) continue;
    if (page.full(buses.size(), n)) break;
    buses.push_back(json::object{{"Name", n}, {"Arn", bus_arn(req.ctx.region, req.ctx.account, n)}});
  }
  json::object o{{"EventBuses", std::move(buses)}};
  page.emit(o);
  out.output = std::move(o);
}

EventsService::TagTarget EventsService::tag_target(const CallContext& ctx, const std::string& arn) const {
  auto res = resource_of(ctx, arn);
  const BusEntry* b = res ? find_bus(ctx.account, ctx.region, res->first) : nullptr;
  if (b && res->second.empty()) return {res->first, "", &b->meta.tags()};
  if (b) {
    auto it = b->rules.find(res->second);
    if (it != b->rules.end()) return {res->first, res->second, &it->second.rule.tags()};
  }
  throw resource_not_found_exception("Resource " + arn + " does not exist.");
}

void EventsService::tag_resource(const Request& req, Decision& out) const {
  TagTarget target = tag_target(req.ctx, std::string(req.in.str("ResourceARN")));
  Event ev;
  TagsAdded* t = ev.mutable_tags_added();
  t->set_bus(target.bus);
  t->set_rule(target.rule);
  for (auto& tv : *req.in.array("Tags")) {
    const auto& o = tv.as_object();
    std::string_view k = o.at("Key").as_string(), v = o.at("Value").as_string();
    if (!valid_tag_text(k) || !valid_tag_text(v)) throw validation_exception("Invalid tag: " + std::string(k));
    Tag* tag = t->add_tags();
    tag->set_key(std::string(k));
    tag->set_value(std::string(v));
  }
  out.add(std::move(ev));
}

void EventsService::untag_resource(const Request& req, Decision& out) const {
  TagTarget target = tag_target(req.ctx, std::string(req.in.str("ResourceARN")));
  Event ev;
  TagsRemoved* t = ev.mutable_tags_removed();
  t->set_bus(target.bus);
  t->set_rule(target.rule);
  for (auto& k : *req.in.array("TagKeys")) t->add_keys(std::string(k.as_string()));
  out.add(std::move(ev));
}

void EventsService::list_tags_for_resource(const Request& req, Decision& out) const {
  TagTarget target = tag_target(req.ctx, std::string(req.in.str("ResourceARN")));
  out.output = json::object{{"Tags", tags_json(*target.tags)}};
}

}  // namespace podstack::events
