// EventBridge state: apply (the only mutation), snapshots, the schedule
// index and the log summary.
#include "server/services/events/events_state.h"

#include "server/services/arn.h"
#include "server/services/events/event_pattern.h"

namespace podstack::events {

std::string bus_arn(const std::string& region, const std::string& account, std::string_view bus) {
  return arn_prefix(region) + "events:" + region + ":" + account + ":event-bus/" + std::string(bus);
}

std::string rule_arn(const std::string& region, const std::string& account, std::string_view bus, std::string_view rule) {
  std::string arn = arn_prefix(region) + "events:" + region + ":" + account + ":rule/";
  if (bus != kDefaultBus) arn += std::string(bus) + "/";
  return arn + std::string(rule);
}

namespace {

json::value parsed(const Rule& r) {
  if (r.event_pattern().empty()) return nullptr;
  return parse_event_pattern(r.event_pattern()).pattern;  // validated in decide(); null if not
}

void set_tags(google::protobuf::RepeatedPtrField<Tag>& tags, const google::protobuf::RepeatedPtrField<Tag>& add) {
  for (auto& t : add) {
    bool replaced = false;
    for (auto& existing : tags)
      if (existing.key() == t.key()) {
        existing.set_value(t.value());
        replaced = true;
      }
    if (!replaced) *tags.Add() = t;
  }
}

void remove_tags(google::protobuf::RepeatedPtrField<Tag>& tags, const google::protobuf::RepeatedPtrField<std::string>& keys) {
  for (auto& k : keys)
    for (int i = tags.size() - 1; i >= 0; --i)
      if (tags.Get(i).key() == k) tags.DeleteSubrange(i, 1);
}

}  // namespace

BusEntry& EventsState::bus(const proto::Event& e, const std::string& name) {
  BusEntry& b = parts_.get(e).buses[name];
  if (b.meta.name().empty()) {  // the default bus, put into the state implicitly
    b.meta.set_name(name);
    b.meta.set_arn(bus_arn(e.region(), e.account(), name));
  }
  return b;
}

RuleEntry* EventsState::rule(const proto::Event& e, const std::string& bus_name, const std::string& name) {
  EventsPartition& p = parts_.get(e);
  auto b = p.buses.find(bus_name);
  if (b == p.buses.end()) return nullptr;
  auto r = b->second.rules.find(name);
  return r == b->second.rules.end() ? nullptr : &r->second;
}

void EventsState::untrack(const std::string& account, const std::string& region, const std::string& bus, const Rule& r) {
  if (r.next_fire_ms()) schedule_.erase({r.next_fire_ms(), account, region, bus, r.name()});
}

void EventsState::track(const std::string& account, const std::string& region, const std::string& bus, const Rule& r) {
  if (r.next_fire_ms() && r.state() != "DISABLED") schedule_.emplace(r.next_fire_ms(), account, region, bus, r.name());
}

void EventsState::apply(const proto::Event& e, Event& ev) {
  const std::string& acct = e.account();
  const std::string& region = e.region();
  switch (ev.kind_case()) {
    case Event::kBusCreated: {
      BusEntry& b = parts_.get(e).buses[ev.bus_created().bus().name()];
      b.meta = ev.bus_created().bus();
      break;
    }
    case Event::kBusDeleted: {
      EventsPartition& p = parts_.get(e);
      auto it = p.buses.find(ev.bus_deleted().name());
      if (it == p.buses.end()) break;
      for (auto& [n, r] : it->second.rules) untrack(acct, region, it->first, r.rule);
      p.buses.erase(it);
      break;
    }
    case Event::kRulePut: {
      const auto& put = ev.rule_put();
      BusEntry& b = bus(e, put.bus());
      auto [it, fresh] = b.rules.try_emplace(put.rule().name());
      RuleEntry& entry = it->second;
      Rule next = put.rule();
      if (!fresh) {
        untrack(acct, region, put.bus(), entry.rule);
        *next.mutable_targets() = entry.rule.targets();
        *next.mutable_tags() = entry.rule.tags();
        next.set_created(entry.rule.created());
      }
      entry.rule = std::move(next);
      entry.pattern = parsed(entry.rule);
      track(acct, region, put.bus(), entry.rule);
      break;
    }
    case Event::kRuleDeleted: {
      EventsPartition& p = parts_.get(e);
      auto b = p.buses.find(ev.rule_deleted().bus());
      if (b == p.buses.end()) break;
      auto r = b->second.rules.find(ev.rule_deleted().name());
      if (r == b->second.rules.end()) break;
      untrack(acct, region, b->first, r->second.rule);
      b->second.rules.erase(r);
      break;
    }
    case Event::kRuleStateSet: {
      const auto& s = ev.rule_state_set();
      RuleEntry* r = rule(e, s.bus(), s.name());
      if (!r) break;
      untrack(acct, region, s.bus(), r->rule);
      r->rule.set_state(s.state());
      r->rule.set_next_fire_ms(s.next_fire_ms());
      track(acct, region, s.bus(), r->rule);
      break;
    }
    case Event::kTargetsPut: {
      const auto& t = ev.targets_put();
      RuleEntry* r = rule(e, t.bus(), t.rule());
      if (!r) break;
      for (auto& target : t.targets()) {
        bool replaced = false;
        for (auto& existing : *r->rule.mutable_targets())
          if (existing.id() == target.id()) {
            existing = target;
            replaced = true;
          }
        if (!replaced) *r->rule.add_targets() = target;
      }
      break;
    }
    case Event::kTargetsRemoved: {
      const auto& t = ev.targets_removed();
      RuleEntry* r = rule(e, t.bus(), t.rule());
      if (!r) break;
      auto* targets = r->rule.mutable_targets();
      for (auto& id : t.ids())
        for (int i = targets->size() - 1; i >= 0; --i)
          if (targets->Get(i).id() == id) targets->DeleteSubrange(i, 1);
      break;
    }
    case Event::kTagsAdded: {
      const auto& t = ev.tags_added();
      if (t.rule().empty()) {
        set_tags(*bus(e, t.bus()).meta.mutable_tags(), t.tags());
      } else if (RuleEntry* r = rule(e, t.bus(), t.rule())) {
        set_tags(*r->rule.mutable_tags(), t.tags());
      }
      break;
    }
    case Event::kTagsRemoved: {
      const auto& t = ev.tags_removed();
      if (t.rule().empty()) {
        EventsPartition& p = parts_.get(e);
        if (auto b = p.buses.find(t.bus()); b != p.buses.end()) remove_tags(*b->second.meta.mutable_tags(), t.keys());
      } else if (RuleEntry* r = rule(e, t.bus(), t.rule())) {
        remove_tags(*r->rule.mutable_tags(), t.keys());
      }
      break;
    }
    case Event::kEventsPut:
      break;  // a record of what was put; the deliveries are the targets' events
    case Event::kRulesFired:
      for (auto& f : ev.rules_fired().fired()) {
        RuleEntry* r = rule(e, f.bus(), f.name());
        if (!r) continue;
        untrack(acct, region, f.bus(), r->rule);
        r->rule.set_next_fire_ms(f.next_fire_ms());
        track(acct, region, f.bus(), r->rule);
      }
      break;
    case Event::KIND_NOT_SET:
      throw std::runtime_error("empty events event");
  }
}

std::string EventsState::snapshot() const {
  PartitionWriter w;
  for (auto& [key, part] : parts_) {
    w.begin(key.first, key.second);
    for (auto& [name, b] : part.buses) {
      EventBus item = b.meta;
      for (auto& [n, r] : b.rules) *item.add_rules() = r.rule;
      w.item(item);
    }
  }
  return w.finish();
}

Status EventsState::restore(std::string_view bytes) {
  State st;
  if (Status s = parse_snapshot(bytes, st, "events"); !s.is_ok()) return s;
  clear();
  for (auto& p : st.partitions()) {
    EventsPartition& part = parts_.get(p.account(), p.region());
    for (auto& bus : p.buses()) {
      BusEntry& b = part.buses[bus.name()];
      b.meta = bus;
      b.meta.clear_rules();
      for (auto& r : bus.rules()) {
        RuleEntry& entry = b.rules[r.name()];
        entry.rule = r;
        entry.pattern = parsed(r);
        track(p.account(), p.region(), bus.name(), r);
      }
    }
  }
  return Status::ok();
}

uint64_t EventsState::resource_count() const {
  return parts_.count([](const EventsPartition& p) {
    uint64_t n = 0;
    for (auto& [name, b] : p.buses) n += 1 + b.rules.size();
    return n;
  });
}

std::string EventsState::summarize(const Event& ev) const {
  switch (ev.kind_case()) {
    case Event::kBusCreated: return "bus=" + ev.bus_created().bus().name() + " created";
    case Event::kBusDeleted: return "bus=" + ev.bus_deleted().name() + " deleted";
    case Event::kRulePut: return "bus=" + ev.rule_put().bus() + " rule=" + ev.rule_put().rule().name() + " put";
    case Event::kRuleDeleted: return "bus=" + ev.rule_deleted().bus() + " rule=" + ev.rule_deleted().name() + " deleted";
    case Event::kRuleStateSet:
      return "bus=" + ev.rule_state_set().bus() + " rule=" + ev.rule_state_set().name() + " " + ev.rule_state_set().state();
    case Event::kTargetsPut:
      return "rule=" + ev.targets_put().rule() + " targets+" + std::to_string(ev.targets_put().targets_size());
    case Event::kTargetsRemoved:
      return "rule=" + ev.targets_removed().rule() + " targets-" + std::to_string(ev.targets_removed().ids_size());
    case Event::kTagsAdded: return "bus=" + ev.tags_added().bus() + " tags+" + std::to_string(ev.tags_added().tags_size());
    case Event::kTagsRemoved:
      return "bus=" + ev.tags_removed().bus() + " tags-" + std::to_string(ev.tags_removed().keys_size());
    case Event::kEventsPut:
      return "events=" + std::to_string(ev.events_put().events_size()) +
             " failed=" + std::to_string(ev.events_put().failed()) +
             " deliveries=" + std::to_string(ev.events_put().deliveries());
    case Event::kRulesFired: {
      std::string s = "fired";
      for (auto& f : ev.rules_fired().fired()) s += " " + f.name();
      return s;
    }
    default: return {};
  }
}

}  // namespace podstack::events
