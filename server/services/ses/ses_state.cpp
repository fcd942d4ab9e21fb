// SesState: apply (the only mutation of SES state, live and in replay),
// snapshot/restore and the `podstack log` summaries.
#include "server/services/ses/ses_state.h"

#include <stdexcept>

#include "server/services/ses/ses_util.h"

namespace podstack::ses {

void SesState::apply(const proto::Event& e, Event& ev) {
  if (ev.kind_case() == Event::kMessagesDeleted) {  // names its partitions
    for (auto& m : ev.messages_deleted().messages()) {
      if (!parts_.find(m.account(), m.region())) continue;
      parts_.get(m.account(), m.region()).messages.erase(m.id());
    }
    return;
  }
  SesPartition& p = parts_.get(e);
  switch (ev.kind_case()) {
    case Event::kAccountSettingsPut:  // issue 18
      p.account = std::move(*ev.mutable_account_settings_put()->mutable_settings());
      break;
    case Event::kIdentityPut: {
      Identity* id = ev.mutable_identity_put()->mutable_identity();
      p.identities[id->name()] = std::move(*id);
      break;
    }
    case Event::kIdentityDeleted: p.identities.erase(ev.identity_deleted().name()); break;
    case Event::kTemplatePut: {
      Template* t = ev.mutable_template_put()->mutable_template_();
      p.templates[t->name()] = std::move(*t);
      break;
    }
    case Event::kTemplateDeleted: p.templates.erase(ev.template_deleted().name()); break;
    case Event::kConfigurationSetPut: {
      ConfigurationSet* cs = ev.mutable_configuration_set_put()->mutable_configuration_set();
      p.config_sets[cs->name()] = std::move(*cs);
      break;
    }
    case Event::kConfigurationSetDeleted: p.config_sets.erase(ev.configuration_set_deleted().name()); break;
    case Event::kSent: {
      Sent& s = *ev.mutable_sent();
      const int64_t at = s.message().timestamp_ms();
      p.buckets[at - at % kBucketMs] += s.recipients();
      p.messages[s.message().id()] = std::move(*s.mutable_message());
      if (s.has_relay()) p.relays[s.relay().id()] = std::move(*s.mutable_relay());
      // Two weeks are reported; older buckets go, judged by the event's own time.
      while (!p.buckets.empty() && p.buckets.begin()->first + kStatisticsKeptMs < at) p.buckets.erase(p.buckets.begin());
      break;
    }
    case Event::kRelayAttempted: {
      const auto& a = ev.relay_attempted();
      auto it = p.relays.find(a.id());
      if (it == p.relays.end()) break;
      std::string outcome;
      if (a.ok()) {
        outcome = "delivered";
      } else if (a.retry_at_ms() == 0) {
        outcome = "failed";
      } else {
        it->second.set_attempts(it->second.attempts() + 1);
        it->second.set_not_before_ms(a.retry_at_ms());
        break;
      }
      p.relays.erase(it);
      if (auto m = p.messages.find(a.id()); m != p.messages.end()) m->second.set_relay(outcome);
      break;
    }
    case Event::kContactListPut: {
      ContactList* l = ev.mutable_contact_list_put()->mutable_contact_list();
      l->clear_contacts();
      p.contacts[l->name()];  // the list's contacts stay (an update) or start empty
      p.contact_lists[l->name()] = std::move(*l);
      break;
    }
    case Event::kContactListDeleted:
      p.contact_lists.erase(ev.contact_list_deleted().name());
      p.contacts.erase(ev.contact_list_deleted().name());
      break;
    case Event::kContactPut: {
      auto& c = *ev.mutable_contact_put();
      p.contacts[c.list()][c.contact().email_address()] = std::move(*c.mutable_contact());
      break;
    }
    case Event::kContactDeleted: {
      auto it = p.contacts.find(ev.contact_deleted().list());
      if (it != p.contacts.end()) it->second.erase(ev.contact_deleted().email_address());
      break;
    }
    case Event::kReceiptRuleSetPut: {
      ReceiptRuleSet* rs = ev.mutable_receipt_rule_set_put()->mutable_rule_set();
      p.rule_sets[rs->name()] = std::move(*rs);
      break;
    }
    case Event::kReceiptRuleSetDeleted: p.rule_sets.erase(ev.receipt_rule_set_deleted().name()); break;
    case Event::kActiveReceiptRuleSetSet: p.active_rule_set = ev.active_receipt_rule_set_set().name(); break;
    case Event::kDedicatedIpPoolPut: {
      DedicatedIpPool* pool = ev.mutable_dedicated_ip_pool_put()->mutable_pool();
      p.ip_pools[pool->name()] = std::move(*pool);
      break;
    }
    case Event::kDedicatedIpPoolDeleted: p.ip_pools.erase(ev.dedicated_ip_pool_deleted().name()); break;
    case Event::kMessagesDeleted:
    case Event::KIND_NOT_SET:
      throw std::runtime_error("empty ses event");
  }
}

std::string SesState::snapshot() const {
  PartitionWriter w;
  for (auto& [key, p] : parts_) {
    w.begin(key.first, key.second);
    // Items in name order: active-receipt-rule-set < configuration-set/ < contact-list/ <
    // dedicated-ip-pool/ < identity/ < message/ < receipt-rule-set/ < relay/ < statistics < template/.
    Item item;
    if (!p.active_rule_set.empty()) {
      item.set_name("active-receipt-rule-set");
      item.mutable_active_receipt_rule_set()->set_name(p.active_rule_set);
      w.item(item);
    }
    for (auto& [n, cs] : p.config_sets) {
      item.set_name("configuration-set/" + n);
      *item.mutable_configuration_set() = cs;
      w.item(item);
    }
    for (auto& [n, l] : p.contact_lists) {
      item.set_name("contact-list/" + n);
      ContactList* out = item.mutable_contact_list();
      *out = l;
      if (auto c = p.contacts.find(n); c != p.contacts.end())
        for (auto& [addr, contact] : c->second) *out->add_contacts() = contact;
      w.item(item);
    }
    for (auto& [n, pool] : p.ip_pools) {
      item.set_name("dedicated-ip-pool/" + n);
      *item.mutable_dedicated_ip_pool() = pool;
      w.item(item);
    }
    for (auto& [n, id] : p.identities) {
      item.set_name("identity/" + n);
      *item.mutable_identity() = id;
      w.item(item);
    }
    for (auto& [n, m] : p.messages) {
      item.set_name("message/" + n);
      *item.mutable_message() = m;
      w.item(item);
    }
    for (auto& [n, rs] : p.rule_sets) {
      item.set_name("receipt-rule-set/" + n);
      *item.mutable_receipt_rule_set() = rs;
      w.item(item);
    }
    for (auto& [n, r] : p.relays) {
      item.set_name("relay/" + n);
      *item.mutable_relay() = r;
      w.item(item);
    }
    if (p.account) {  // issue 18: between relay/ and statistics
      item.set_name("settings");
      *item.mutable_settings() = *p.account;
      w.item(item);
    }
    if (!p.buckets.empty()) {
      item.set_name("statistics");
      auto* st = item.mutable_statistics();
      for (auto& [start, n] : p.buckets) {
        auto* b = st->add_buckets();
        b->set_start_ms(start);
        b->set_delivery_attempts(n);
      }
      w.item(item);
    }
    for (auto& [n, t] : p.templates) {
      item.set_name("template/" + n);
      *item.mutable_template_() = t;
      w.item(item);
    }
  }
  return w.finish();
}

Status SesState::restore(std::string_view bytes) {
  Snapshot st;
  if (Status s = parse_snapshot(bytes, st, "ses"); !s.is_ok()) return s;
  parts_.clear();
  for (auto& part : st.partitions()) {
    SesPartition& p = parts_.get(part.account(), part.region());
    for (auto& item : part.items()) {
      switch (item.kind_case()) {
        case Item::kSettings: p.account = item.settings(); break;  // issue 18
        case Item::kIdentity: p.identities[item.identity().name()] = item.identity(); break;
        case Item::kTemplate: p.templates[item.template_().name()] = item.template_(); break;
        case Item::kConfigurationSet: p.config_sets[item.configuration_set().name()] = item.configuration_set(); break;
        case Item::kMessage: p.messages[item.message().id()] = item.message(); break;
        case Item::kRelay: p.relays[item.relay().id()] = item.relay(); break;
        case Item::kStatistics:
          for (auto& b : item.statistics().buckets()) p.buckets[b.start_ms()] = b.delivery_attempts();
          break;
        case Item::kContactList: {
          ContactList l = item.contact_list();
          auto& contacts = p.contacts[l.name()];
          for (auto& c : l.contacts()) contacts[c.email_address()] = c;
          l.clear_contacts();
          p.contact_lists[l.name()] = std::move(l);
          break;
        }
        case Item::kReceiptRuleSet: p.rule_sets[item.receipt_rule_set().name()] = item.receipt_rule_set(); break;
        case Item::kActiveReceiptRuleSet: p.active_rule_set = item.active_receipt_rule_set().name(); break;
        case Item::kDedicatedIpPool: p.ip_pools[item.dedicated_ip_pool().name()] = item.dedicated_ip_pool(); break;
        case Item::KIND_NOT_SET: return Status::corruption("ses state holds an empty item");
      }
    }
  }
  return Status::ok();
}

uint64_t SesState::resource_count() const {
  return parts_.count([](const SesPartition& p) {
    return p.identities.size() + p.templates.size() + p.config_sets.size() + p.messages.size() +
           p.contact_lists.size() + p.rule_sets.size() + p.ip_pools.size();
  });
}

std::string SesState::summarize(const Event& ev) const {
  switch (ev.kind_case()) {
    case Event::kAccountSettingsPut: return "account settings";  // issue 18
    case Event::kIdentityPut: return "identity=" + ev.identity_put().identity().name();
    case Event::kIdentityDeleted: return "identity deleted " + ev.identity_deleted().name();
    case Event::kTemplatePut: return "template=" + ev.template_put().template_().name();
    case Event::kTemplateDeleted: return "template deleted " + ev.template_deleted().name();
    case Event::kConfigurationSetPut: return "configuration-set=" + ev.configuration_set_put().configuration_set().name();
    case Event::kConfigurationSetDeleted: return "configuration-set deleted " + ev.configuration_set_deleted().name();
    case Event::kSent: {
      const auto& s = ev.sent();
      std::string out = "id=" + s.message().id() + " from=" + s.message().source() +
                        " recipients=" + std::to_string(s.recipients());
      if (s.has_relay()) out += " relay=" + s.relay().target();
      return out;
    }
    case Event::kMessagesDeleted: return "sent messages deleted: " + std::to_string(ev.messages_deleted().messages_size());
    case Event::kRelayAttempted: {
      const auto& a = ev.relay_attempted();
      if (a.ok()) return "relay " + a.id() + " delivered (" + a.detail() + ")";
      if (a.retry_at_ms() == 0) return "relay " + a.id() + " given up: " + a.detail();
      return "relay " + a.id() + " failed, retry at " + iso_ms(a.retry_at_ms()) + ": " + a.detail();
    }
    case Event::kContactListPut: return "contact-list=" + ev.contact_list_put().contact_list().name();
    case Event::kContactListDeleted: return "contact-list deleted " + ev.contact_list_deleted().name();
    case Event::kContactPut: return "contact-list=" + ev.contact_put().list() + " contact=" + ev.contact_put().contact().email_address();
    case Event::kContactDeleted:
      return "contact-list=" + ev.contact_deleted().list() + " contact deleted " + ev.contact_deleted().email_address();
    case Event::kReceiptRuleSetPut: return "receipt-rule-set=" + ev.receipt_rule_set_put().rule_set().name();
    case Event::kReceiptRuleSetDeleted: return "receipt-rule-set deleted " + ev.receipt_rule_set_deleted().name();
    case Event::kActiveReceiptRuleSetSet:
      return "active receipt-rule-set=" + (ev.active_receipt_rule_set_set().name().empty() ? std::string("(none)")
                                                                                          : ev.active_receipt_rule_set_set().name());
    case Event::kDedicatedIpPoolPut: return "dedicated-ip-pool=" + ev.dedicated_ip_pool_put().pool().name();
    case Event::kDedicatedIpPoolDeleted: return "dedicated-ip-pool deleted " + ev.dedicated_ip_pool_deleted().name();
    case Event::KIND_NOT_SET: return {};
  }
  return {};
}

}  // namespace podstack::ses
