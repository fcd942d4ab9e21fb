// EventBridge rules and targets: PutRule, DescribeRule, ListRules,
// DeleteRule, EnableRule, DisableRule, ListRuleNamesByTarget, PutTargets,
// RemoveTargets, ListTargetsByRule.
#include <set>

#include "server/services/arn.h"
#include "server/services/events/event_pattern.h"
#include "server/services/events/events_errors.h"
#include "server/services/events/events_service.h"
#include "server/services/events/schedule.h"
#include "server/services/events/target_input.h"
#include "server/services/pagination.h"

namespace podstack::events {
namespace {

constexpr size_t kMaxTargetsPerRule = 5;
constexpr size_t kMaxRulesPerBus = 300;

// Services EventBridge takes as rule targets. podstack delivers to sqs, sns
// and events (buses); the others are accepted and recorded, not delivered.
const std::set<std::string_view>& target_services() {
  static const std::set<std::string_view> s = {"sqs",   "sns",        "events",   "lambda",       "logs",
                                               "kinesis", "firehose", "states",   "ecs",          "batch",
                                               "codebuild", "codepipeline", "ssm", "ec2",        "redshift",
                                               "sagemaker", "inspector", "execute-api", "redshift-serverless",
                                               "automation", "scheduler", "glue"};
  return s;
}

json::object rule_json(const Rule& r, std::string_view bus) {
  json::object o{{"Name", r.name()}, {"Arn", r.arn()}};
  if (!r.event_pattern().empty()) o["EventPattern"] = r.event_pattern();
  if (!r.schedule_expression().empty()) o["ScheduleExpression"] = r.schedule_expression();
  o["State"] = r.state();
  if (!r.description().empty()) o["Description"] = r.description();
  if (!r.role_arn().empty()) o["RoleArn"] = r.role_arn();
  o["EventBusName"] = std::string(bus);
  return o;
}

// The next fire time of a scheduled rule enabled at `now_ms`; 0 for none.
int64_t first_fire(std::string_view expr, int64_t now_ms) {
  if (expr.empty()) return 0;
  auto s = parse_schedule(expr);
  if (!s) return 0;
  return next_fire(*s, now_ms, now_ms).value_or(0);
}

std::string bus_of(const Input& in) { return EventsService::bus_name_of(in.str_or("EventBusName", std::string(kDefaultBus))); }

// Checks one target of PutTargets as AWS does; throws its error.
void check_target(const json::object& t) {
  std::string id(t.at("Id").as_string());
  std::string arn_text(t.at("Arn").as_string());
  auto arn = parse_arn(arn_text);
  if (!arn || !target_services().count(arn->service) || arn->resource.empty()) throw invalid_target_arn(arn_text);
  if (arn->service == "sqs" && arn->resource.size() > 5 && arn->resource.substr(arn->resource.size() - 5) == ".fifo") {
    auto* p = t.if_contains("SqsParameters");
    if (!p || !p->is_object() || !p->as_object().if_contains("MessageGroupId"))
      throw validation_exception("Parameter(s) SqsParameters must be specified for target: " + id + ".");
  }
  if (arn->service == "events" && arn->resource.rfind("event-bus/", 0) != 0) throw invalid_target_arn(arn_text);
  int forms = t.contains("Input") + t.contains("InputPath") + t.contains("InputTransformer");
  if (forms > 1)
    throw validation_exception("Only one of Input, InputPath, or InputTransformer must be provided for target " + id + ".");
  if (auto* in = t.if_contains("Input"); in && in->is_string()) {
    boost::system::error_code ec;
    json::parse(in->as_string(), ec);
    if (ec) throw validation_exception("Input for target " + id + " is not valid JSON text.");
  }
  if (auto* p = t.if_contains("InputPath"); p && p->is_string() && !valid_json_path(p->as_string()))
    throw validation_exception("InputPath for target " + id + " is invalid.");
  if (auto* tr = t.if_contains("InputTransformer"); tr && tr->is_object()) {
    if (auto* m = tr->as_object().if_contains("InputPathsMap"); m && m->is_object()) {
      if (m->as_object().size() > 100) throw validation_exception("InputPathsMap for target " + id + " has more than 100 entries.");
      for (auto& kv : m->as_object()) {
        std::string key(kv.key());
        std::string lower = key;
        for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (lower.rfind("aws.", 0) == 0)
          throw validation_exception("InputTransformer for target " + id + " uses a reserved key: " + key + ".");
        if (!kv.value().is_string() || !valid_json_path(kv.value().as_string()))
          throw validation_exception("InputTransformer for target " + id + " has an invalid InputPathsMap value for " + key + ".");
      }
    }
  }
  if (auto* d = t.if_contains("DeadLetterConfig"); d && d->is_object())
    if (auto* a = d->as_object().if_contains("Arn"); a && a->is_string()) {
      auto dl = parse_arn(a->as_string());
      if (!dl || dl->service != "sqs") throw validation_exception("The DeadLetterConfig Arn must be an SQS queue ARN.");
    }
}

}  // namespace

void EventsService::put_rule(const Request& req, Decision& out) const {
  std::string name(req.in.str("Name"));
  std::string bus = bus_of(req.in);
  const BusEntry& b = must_bus(req.ctx, bus);
  std::string pattern = req.in.str_or("EventPattern", "");
  std::string schedule = req.in.str_or("ScheduleExpression", "");
  if (pattern.empty() && schedule.empty())
    throw validation_exception("Parameter(s) EventPattern or ScheduleExpression must be specified.");
  if (!pattern.empty())
    if (auto p = parse_event_pattern(pattern); !p.error.empty()) throw invalid_event_pattern_exception(p.error);
  if (!schedule.empty()) {
    if (!parse_schedule(schedule)) throw invalid_schedule();
    if (bus != kDefaultBus) throw validation_exception("ScheduleExpression is supported only on the default event bus.");
  }
  if (!b.rules.count(name) && b.rules.size() >= kMaxRulesPerBus)
    throw limit_exceeded_exception("The requested resource exceeds the maximum number allowed.");
  std::string st = req.in.str_or("State", "ENABLED");
  Event ev;
  RulePut* put = ev.mutable_rule_put();
  put->set_bus(bus);
  Rule* r = put->mutable_rule();
  r->set_name(name);
  r->set_arn(rule_arn(req.ctx.region, req.ctx.account, bus, name));
  r->set_event_pattern(pattern);
  r->set_schedule_expression(schedule);
  r->set_state(st);
  r->set_description(req.in.str_or("Description", ""));
  r->set_role_arn(req.in.str_or("RoleArn", ""));
  r->set_created(req.ctx.now());
  if (st != "DISABLED") r->set_next_fire_ms(first_fire(schedule, req.ctx.now_ms));
  if (auto* tags = req.in.array("Tags"))
    for (auto& t : *tags) {
      Tag* tag = r->add_tags();
      tag->set_key(std::string(t.as_object().at("Key").as_string()));
      tag->set_value(std::string(t.as_object().at("Value").as_string()));
    }
  out.output = json::object{{"RuleArn", r->arn()}};
  out.add(std::move(ev));
}

void EventsService::describe_rule(const Request& req, Decision& out) const {
  std::string bus = bus_of(req.in);
  const RuleEntry& r = must_rule(req.ctx, must_bus(req.ctx, bus), req.in.str("Name"));
  json::object o = rule_json(r.rule, bus);
  o["CreatedBy"] = req.ctx.account;
  out.output = std::move(o);
}

void EventsService::list_rules(const Request& req, Decision& out) const {
  std::string bus = bus_of(req.in);
  const BusEntry& b = must_bus(req.ctx, bus);
  std::string prefix = req.in.str_or("NamePrefix", "");
  Page page(req.in, 100, "Limit");
  json::array rules;
  for (auto it = b.rules.upper_bound(page.after()); it != b.rules.end(); ++it) {
    if (it->first.compare(0, prefix.size(), prefix) != 0) continue;
    if (page.full(rules.size(), it->first)) break;
    rules.push_back(rule_json(it->second.rule, bus));
  }
  json::object o{{"Rules", std::move(rules)}};
  page.emit(o);
  out.output = std::move(o);
}

void EventsService::delete_rule(const Request& req, Decision& out) const {
  std::string bus = bus_of(req.in);
  const BusEntry& b = must_bus(req.ctx, bus);
  auto it = b.rules.find(req.in.str("Name"));
  if (it == b.rules.end()) return;  // AWS: deleting a rule that is not there succeeds
  if (it->second.rule.targets_size()) throw validation_exception("Rule can't be deleted since it has targets.");
  Event ev;
  ev.mutable_rule_deleted()->set_bus(bus);
  ev.mutable_rule_deleted()->set_name(it->first);
  out.add(std::move(ev));
}

namespace {
void set_state(const EventsService& svc, const Request& req, Decision& out, bool enable) {
  std::string bus = bus_of(req.in);
  const RuleEntry& r = svc.must_rule(req.ctx, svc.must_bus(req.ctx, bus), req.in.str("Name"));
  Event ev;
  RuleStateSet* s = ev.mutable_rule_state_set();
  s->set_bus(bus);
  s->set_name(r.rule.name());
  s->set_state(enable ? "ENABLED" : "DISABLED");
  // Enabling keeps a schedule's next time when it has one still ahead.
  if (enable) {
    int64_t next = r.rule.next_fire_ms() > req.ctx.now_ms ? r.rule.next_fire_ms()
                                                          : first_fire(r.rule.schedule_expression(), req.ctx.now_ms);
    s->set_next_fire_ms(next);
  }
  out.add(std::move(ev));
}
}  // namespace

void EventsService::enable_rule(const Request& req, Decision& out) const { set_state(*this, req, out, true); }
void EventsService::disable_rule(const Request& req, Decision& out) const { set_state(*this, req, out, false); }

void EventsService::list_rule_names_by_target(const Request& req, Decision& out) const {
  std::string bus = bus_of(req.in);
  const BusEntry& b = must_bus(req.ctx, bus);
  std::string arn(req.in.str("TargetArn"));
  Page page(req.in, 100, "Limit");
  json::array names;
  for (auto it = b.rules.upper_bound(page.after()); it != b.rules.end(); ++it) {
    bool has = false;
    for (auto& t : it->second.rule.targets()) has = has || t.arn() == arn;
    if (!has) continue;
    if (page.full(names.size(), it->first)) break;
    names.push_back(json::string(it->first));
  }
  json::object o{{"RuleNames", std::move(names)}};
  page.emit(o);
  out.output = std::move(o);
}

void EventsService::put_targets(const Request& req, Decision& out) const {
  std::string bus = bus_of(req.in);
  const RuleEntry& r = must_rule(req.ctx, must_bus(req.ctx, bus), req.in.str("Rule"));
  std::set<std::string> ids;
  for (auto& t : r.rule.targets()) ids.insert(t.id());
  Event ev;
  TargetsPut* put = ev.mutable_targets_put();
  put->set_bus(bus);
  put->set_rule(r.rule.name());
  for (auto& tv : *req.in.array("Targets")) {
    const json::object& t = tv.as_object();
    check_target(t);
    ids.insert(std::string(t.at("Id").as_string()));
    Target* target = put->add_targets();
    target->set_id(std::string(t.at("Id").as_string()));
    target->set_arn(std::string(t.at("Arn").as_string()));
    target->set_spec(json::serialize(t));
  }
  if (ids.size() > kMaxTargetsPerRule)
    throw limit_exceeded_exception("The requested resource exceeds the maximum number allowed.");
  out.output = json::object{{"FailedEntryCount", 0}, {"FailedEntries", json::array()}};
  out.add(std::move(ev));
}

void EventsService::remove_targets(const Request& req, Decision& out) const {
  std::string bus = bus_of(req.in);
  const RuleEntry& r = must_rule(req.ctx, must_bus(req.ctx, bus), req.in.str("Rule"));
  Event ev;
  TargetsRemoved* rm = ev.mutable_targets_removed();
  rm->set_bus(bus);
  rm->set_rule(r.rule.name());
  for (auto& id : *req.in.array("Ids")) rm->add_ids(std::string(id.as_string()));
  out.output = json::object{{"FailedEntryCount", 0}, {"FailedEntries", json::array()}};
  out.add(std::move(ev));
}

void EventsService::list_targets_by_rule(const Request& req, Decision& out) const {
  std::string bus = bus_of(req.in);
  const RuleEntry& r = must_rule(req.ctx, must_bus(req.ctx, bus), req.in.str("Rule"));
  Page page(req.in, 100, "Limit");
  json::array targets;
  bool started = page.after().empty();
  for (auto& t : r.rule.targets()) {
    if (!started) {
      started = t.id() == page.after();
      continue;
    }
    if (page.full(targets.size(), t.id())) break;
    targets.push_back(json::parse(t.spec()));
  }
  json::object o{{"Targets", std::move(targets)}};
  page.emit(o);
  out.output = std::move(o);
}

}  // namespace podstack::events
