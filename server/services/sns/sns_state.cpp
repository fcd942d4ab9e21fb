// SnsState: apply (the only mutation of SNS state, live and in replay),
// snapshot/restore and the `podstack log` summaries.
#include "server/services/sns/sns_state.h"

#include <algorithm>
#include <stdexcept>

namespace podstack::sns {
namespace {

Subscription* find_sub(Topic& t, std::string_view arn) {
  for (auto& s : *t.mutable_subscriptions())
    if (s.arn() == arn) return &s;
  return nullptr;
}

void prune_dedup(Topic& t, int64_t now) {
  auto* dd = t.mutable_dedup();
  dd->erase(std::remove_if(dd->begin(), dd->end(), [&](const Dedup& d) { return d.expires_ms() <= now; }), dd->end());
}

}  // namespace

void SnsState::apply(const proto::Event& e, Event& ev) {
  SnsPartition& part = parts_.get(ev.account().empty() ? e.account() : ev.account(),
                                  ev.region().empty() ? e.region() : ev.region());
  const int64_t now = e.time_ms();
  auto topic = [&](const std::string& n) -> Topic* {
    auto it = part.topics.find(n);
    return it == part.topics.end() ? nullptr : &it->second;
  };
  auto app = [&](const std::string& n) -> PlatformApplication* {
    auto it = part.apps.find(n);
    return it == part.apps.end() ? nullptr : &it->second;
  };
  auto add_effects = [&](auto& effects) {
    for (auto& fx : effects) part.outbox[fx.id()] = std::move(fx);
  };
  switch (ev.kind_case()) {
    case Event::kTopicCreated: {
      Topic* t = ev.mutable_topic_created()->mutable_topic();
      part.topics[t->name()] = std::move(*t);
      break;
    }
    case Event::kTopicDeleted:
      part.topics.erase(ev.topic_deleted().name());
      break;
    case Event::kTopicAttributes:
      if (Topic* t = topic(ev.topic_attributes().name()))
        for (auto& [k, v] : ev.topic_attributes().attributes()) {
          if (v.empty()) t->mutable_attributes()->erase(k);
          else (*t->mutable_attributes())[k] = v;
        }
      break;
    case Event::kTags:
      if (Topic* t = topic(ev.tags().topic())) {
        for (auto& [k, v] : ev.tags().set()) (*t->mutable_tags())[k] = v;
        for (auto& k : ev.tags().removed()) t->mutable_tags()->erase(k);
      }
      break;
    case Event::kSubscribed: {
      Subscribed* sub = ev.mutable_subscribed();
      if (Topic* t = topic(sub->topic())) {
        if (Subscription* s = find_sub(*t, sub->subscription().arn())) {
          *s = std::move(*sub->mutable_subscription());  // a repeated Subscribe of a pending endpoint
        } else {
          auto* subs = t->mutable_subscriptions();
          *subs->Add() = std::move(*sub->mutable_subscription());
          std::sort(subs->begin(), subs->end(), [](auto& a, auto& b) { return a.arn() < b.arn(); });
        }
      }
      add_effects(*sub->mutable_effects());
      break;
    }
    case Event::kUnsubscribed:
      if (Topic* t = topic(ev.unsubscribed().topic())) {
        auto* subs = t->mutable_subscriptions();
        for (int i = 0; i < subs->size(); ++i)
          if (subs->Get(i).arn() == ev.unsubscribed().arn()) {
            subs->DeleteSubrange(i, 1);
            t->set_subscriptions_deleted(t->subscriptions_deleted() + 1);
            break;
          }
      }
      break;
    case Event::kConfirmed:
      if (Topic* t = topic(ev.confirmed().topic()))
        if (Subscription* s = find_sub(*t, ev.confirmed().arn())) s->set_pending(false);
      break;
    case Event::kSubscriptionAttributes:
      if (Topic* t = topic(ev.subscription_attributes().topic()))
        if (Subscription* s = find_sub(*t, ev.subscription_attributes().arn()))
          for (auto& [k, v] : ev.subscription_attributes().attributes()) {
            if (v.empty()) s->mutable_attributes()->erase(k);
            else (*s->mutable_attributes())[k] = v;
          }
      break;
    case Event::kPublished: {
      Published& p = *ev.mutable_published();
      if (!p.topic().empty())
        if (Topic* t = topic(p.topic())) {
          prune_dedup(*t, now);
          if (p.next_seq()) t->set_next_seq(p.next_seq());
          if (p.dedup_size()) {
            for (auto& dd : p.dedup()) *t->add_dedup() = dd;
            auto* dd = t->mutable_dedup();
            std::sort(dd->begin(), dd->end(), [](auto& a, auto& b) { return a.dedup_id() < b.dedup_id(); });
          }
        }
      for (auto& r : *p.mutable_recorded()) part.recorded.push_back(std::move(r));
      add_effects(*p.mutable_effects());
      break;
    }
    case Event::kEffectAttempted: {
      const auto& a = ev.effect_attempted();
      auto it = part.outbox.find(a.id());
      if (it == part.outbox.end()) break;
      if (a.done()) {
        part.outbox.erase(it);
      } else {
        it->second.set_attempts(it->second.attempts() + 1);
        it->second.set_not_before_ms(a.retry_at_ms());
      }
      break;
    }
    case Event::kRecordedCleared: {
      const auto& c = ev.recorded_cleared();
      std::erase_if(part.recorded, [&](const Recorded& r) {
        return r.protocol() == c.protocol() && (c.endpoint().empty() || r.endpoint() == c.endpoint());
      });
      break;
    }
    case Event::kSettings:
      for (auto& [k, v] : ev.settings().sms_attributes()) (*part.settings.mutable_sms_attributes())[k] = v;
      for (auto& n : ev.settings().opted_in()) {
        auto* out = part.settings.mutable_opted_out();
        for (int i = 0; i < out->size(); ++i)
          if (out->Get(i) == n) {
            out->DeleteSubrange(i, 1);
            break;
          }
      }
      break;
    case Event::kApplicationCreated: {
      PlatformApplication* a = ev.mutable_application_created()->mutable_application();
      part.apps[a->name()] = std::move(*a);
      break;
    }
    case Event::kApplicationDeleted:
      part.apps.erase(ev.application_deleted().name());
      break;
    case Event::kApplicationAttributes:
      if (auto* a = app(ev.application_attributes().name()))
        for (auto& [k, v] : ev.application_attributes().attributes()) (*a->mutable_attributes())[k] = v;
      break;
    case Event::kEndpointCreated:
      if (auto* a = app(ev.endpoint_created().application())) {
        *a->add_endpoints() = std::move(*ev.mutable_endpoint_created()->mutable_endpoint());
        auto* eps = a->mutable_endpoints();
        std::sort(eps->begin(), eps->end(), [](auto& x, auto& y) { return x.arn() < y.arn(); });
      }
      break;
    case Event::kEndpointDeleted:
      if (auto* a = app(ev.endpoint_deleted().application())) {
        auto* eps = a->mutable_endpoints();
        for (int i = 0; i < eps->size(); ++i)
          if (eps->Get(i).arn() == ev.endpoint_deleted().arn()) {
            eps->DeleteSubrange(i, 1);
            break;
          }
      }
      break;
    case Event::kEndpointAttributes:
      if (auto* a = app(ev.endpoint_attributes().application()))
        for (auto& ep : *a->mutable_endpoints())
          if (ep.arn() == ev.endpoint_attributes().arn())
            for (auto& [k, v] : ev.endpoint_attributes().attributes()) (*ep.mutable_attributes())[k] = v;
      break;
    case Event::KIND_NOT_SET:
      throw std::runtime_error("empty sns event");
  }
}

std::string SnsState::snapshot() const {
  PartitionWriter w;  // encodes sns::State; items in name order
  for (auto& [key, part] : parts_) {
    w.begin(key.first, key.second);
    for (auto& [n, a] : part.apps) {
      Item it;
      it.set_name("app:" + n);
      *it.mutable_application() = a;
      w.item(it);
    }
    if (!part.outbox.empty()) {
      Item it;
      it.set_name("outbox");
      for (auto& [id, fx] : part.outbox) *it.add_outbox() = fx;
      w.item(it);
    }
    if (!part.recorded.empty()) {
      Item it;
      it.set_name("recorded");
      for (auto& r : part.recorded) *it.add_recorded() = r;
      w.item(it);
    }
    if (part.settings.sms_attributes_size() || part.settings.opted_out_size()) {
      Item it;
      it.set_name("settings");
      *it.mutable_settings() = part.settings;
      w.item(it);
    }
    for (auto& [n, t] : part.topics) {
      Item it;
      it.set_name("topic:" + n);
      *it.mutable_topic() = t;
      w.item(it);
    }
  }
  return w.finish();
}

Status SnsState::restore(std::string_view bytes) {
  State st;
  if (Status s = parse_snapshot(bytes, st, "sns"); !s) return s;
  parts_.clear();
  for (auto& p : st.partitions()) {
    SnsPartition& part = parts_.get(p.account(), p.region());
    for (auto& it : p.items()) {
      const std::string& n = it.name();
      if (n.rfind("topic:", 0) == 0) part.topics[it.topic().name()] = it.topic();
      else if (n.rfind("app:", 0) == 0) part.apps[it.application().name()] = it.application();
      else if (n == "outbox") for (auto& fx : it.outbox()) part.outbox[fx.id()] = fx;
      else if (n == "recorded") part.recorded.assign(it.recorded().begin(), it.recorded().end());
      else if (n == "settings") part.settings = it.settings();
    }
  }
  return Status::ok();
}

uint64_t SnsState::resource_count() const {
  return parts_.count([](const SnsPartition& p) { return p.topics.size() + p.apps.size(); });
}

std::string SnsState::summarize(const Event& ev) const {
  switch (ev.kind_case()) {
    case Event::kTopicCreated: return "topic=" + ev.topic_created().topic().name();
    case Event::kTopicDeleted: return "topic=" + ev.topic_deleted().name();
    case Event::kTopicAttributes: return "topic=" + ev.topic_attributes().name();
    case Event::kTags: return "topic=" + ev.tags().topic();
    case Event::kSubscribed: {
      const auto& s = ev.subscribed().subscription();
      return "topic=" + ev.subscribed().topic() + " " + s.protocol() + "=" + s.endpoint() + (s.pending() ? " pending" : "");
    }
    case Event::kUnsubscribed: return "subscription=" + ev.unsubscribed().arn();
    case Event::kConfirmed: return "subscription=" + ev.confirmed().arn() + " confirmed";
    case Event::kSubscriptionAttributes: return "subscription=" + ev.subscription_attributes().arn();
    case Event::kPublished: {
      const auto& p = ev.published();
      std::string s = (p.topic().empty() ? "direct" : "topic=" + p.topic()) + " messages=" + std::to_string(p.message_ids_size());
      if (p.sqs_deliveries()) s += " sqs=" + std::to_string(p.sqs_deliveries());
      if (p.effects_size()) s += " effects=" + std::to_string(p.effects_size());
      for (auto& r : p.recorded()) s += " " + r.protocol() + "=" + r.endpoint();
      return s;
    }
    case Event::kEffectAttempted: {
      const auto& a = ev.effect_attempted();
      return "effect=" + a.id() + (a.ok() ? " delivered" : " failed") + " (" + a.detail() + ")" +
             (a.done() ? (a.ok() ? "" : a.dead_lettered() ? " dead-lettered" : " given up") : " retry");
    }
    case Event::kRecordedCleared: return "cleared " + ev.recorded_cleared().protocol() + " messages";
    case Event::kSettings: return "sms settings";
    case Event::kApplicationCreated: return "application=" + ev.application_created().application().name();
    case Event::kApplicationDeleted: return "application=" + ev.application_deleted().name();
    case Event::kApplicationAttributes: return "application=" + ev.application_attributes().name();
    case Event::kEndpointCreated: return "endpoint=" + ev.endpoint_created().endpoint().arn();
    case Event::kEndpointDeleted: return "endpoint=" + ev.endpoint_deleted().arn();
    case Event::kEndpointAttributes: return "endpoint=" + ev.endpoint_attributes().arn();
    default: return {};
  }
}

}  // namespace podstack::sns
