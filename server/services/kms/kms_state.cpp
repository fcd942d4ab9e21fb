// KMS state: apply (the only mutation), snapshots and the log summary. The
// summary names keys and what happened to them; it never shows material.
#include "server/services/kms/kms_state.h"

#include <cmath>

namespace podstack::kms {

int64_t due_ms(const Key& k) {
  if (k.key_state() == "PendingDeletion") return static_cast<int64_t>(std::ceil(k.deletion_date() * 1000));
  if (k.rotation_enabled() && k.next_rotation_date() > 0 && k.key_state() == "Enabled")
    return static_cast<int64_t>(std::ceil(k.next_rotation_date() * 1000));
  return kNeverDue;
}

void KmsState::untrack(const std::string& account, const std::string& region, const Key* k) {
  if (k && due_ms(*k) != kNeverDue) due_.erase({due_ms(*k), account, region, k->key_id()});
}

void KmsState::track(const std::string& account, const std::string& region, const Key* k) {
  if (k && due_ms(*k) != kNeverDue) due_.emplace(due_ms(*k), account, region, k->key_id());
}

void KmsState::apply(const proto::Event& e, Event& ev) {
  KmsPartition& part = parts_.get(e);
  auto key = [&](const std::string& id) -> Key* {
    auto it = part.keys.find(id);
    return it == part.keys.end() ? nullptr : &it->second;
  };
  // Changes key `id` with `fn`, keeping the due index in step.
  auto change = [&](const std::string& id, auto&& fn) {
    Key* k = key(id);
    if (!k) return;
    untrack(e.account(), e.region(), k);
    fn(*k);
    track(e.account(), e.region(), k);
  };
  switch (ev.kind_case()) {
    case Event::kKeyCreated: {
      Key& k = part.keys[ev.key_created().key().key_id()];
      untrack(e.account(), e.region(), &k);
      k = std::move(*ev.mutable_key_created()->mutable_key());
      track(e.account(), e.region(), &k);
      break;
    }
    case Event::kKeyStateSet: {
      const auto& s = ev.key_state_set();
      change(s.key_id(), [&](Key& k) {
        k.set_key_state(s.state());
        k.set_deletion_date(s.deletion_date());
        k.set_pending_window_days(s.pending_window_days());
      });
      break;
    }
    case Event::kKeyDeleted: {
      const std::string& id = ev.key_deleted().key_id();
      untrack(e.account(), e.region(), key(id));
      part.keys.erase(id);
      // AWS deletes the aliases of a deleted key with it.
      for (auto it = part.aliases.begin(); it != part.aliases.end();)
        it = it->second.target_key_id() == id ? part.aliases.erase(it) : std::next(it);
      break;
    }
    case Event::kDescriptionSet:
      change(ev.description_set().key_id(), [&](Key& k) { k.set_description(ev.description_set().description()); });
      break;
    case Event::kPolicySet:
      change(ev.policy_set().key_id(), [&](Key& k) { k.set_policy(ev.policy_set().policy()); });
      break;
    case Event::kTagsAdded:
      change(ev.tags_added().key_id(), [&](Key& k) {
        for (auto& t : ev.tags_added().tags()) {
          bool replaced = false;
          for (auto& existing : *k.mutable_tags())
            if (existing.key() == t.key()) {
              existing.set_value(t.value());
              replaced = true;
            }
          if (!replaced) *k.add_tags() = t;
        }
      });
      break;
    case Event::kTagsRemoved:
      change(ev.tags_removed().key_id(), [&](Key& k) {
        auto* tags = k.mutable_tags();
        for (auto& name : ev.tags_removed().keys())
          for (int i = tags->size() - 1; i >= 0; --i)
            if (tags->Get(i).key() == name) tags->DeleteSubrange(i, 1);
      });
      break;
    case Event::kRotationSet: {
      const auto& r = ev.rotation_set();
      change(r.key_id(), [&](Key& k) {
        k.set_rotation_enabled(r.enabled());
        if (r.period_days()) k.set_rotation_period_days(r.period_days());
        k.set_next_rotation_date(r.next_rotation_date());
      });
      break;
    }
    case Event::kMaterialRotated: {
      auto& r = *ev.mutable_material_rotated();
      change(r.key_id(), [&](Key& k) {
        *k.add_materials() = std::move(*r.mutable_material());
        *k.add_rotations() = r.rotation();
        if (r.rotation().type() == "ON_DEMAND") k.set_on_demand_rotation_date(r.rotation().date());
        if (r.next_rotation_date() > 0) k.set_next_rotation_date(r.next_rotation_date());
      });
      break;
    }
    case Event::kAliasSet:
      part.aliases[ev.alias_set().alias().name()] = ev.alias_set().alias();
      break;
    case Event::kAliasDeleted:
      part.aliases.erase(ev.alias_deleted().name());
      break;
    case Event::kGrantCreated:
      change(ev.grant_created().key_id(), [&](Key& k) { *k.add_grants() = ev.grant_created().grant(); });
      break;
    case Event::kGrantRemoved:
      change(ev.grant_removed().key_id(), [&](Key& k) {
        auto* grants = k.mutable_grants();
        for (int i = grants->size() - 1; i >= 0; --i)
          if (grants->Get(i).grant_id() == ev.grant_removed().grant_id()) grants->DeleteSubrange(i, 1);
      });
      break;
    case Event::KIND_NOT_SET:
      throw std::runtime_error("empty kms event");
  }
}

std::string KmsState::snapshot() const {
  PartitionWriter w;
  for (auto& [p, part] : parts_) {
    w.begin(p.first, p.second);
    for (auto& [id, k] : part.keys) w.item(k);
    for (auto& [name, a] : part.aliases) w.field(4, a);
  }
  return w.finish();
}

Status KmsState::restore(std::string_view bytes) {
  State st;
  if (Status s = parse_snapshot(bytes, st, "kms"); !s.is_ok()) return s;
  parts_.clear();
  due_.clear();
  for (auto& p : st.partitions()) {
    KmsPartition& part = parts_.get(p.account(), p.region());
    for (auto& k : p.keys()) track(p.account(), p.region(), &(part.keys[k.key_id()] = k));
    for (auto& a : p.aliases()) part.aliases[a.name()] = a;
  }
  return Status::ok();
}

std::string KmsState::summarize(const Event& ev) const {
  switch (ev.kind_case()) {
    case Event::kKeyCreated: {
      const Key& k = ev.key_created().key();
      return "key=" + k.key_id() + " spec=" + k.key_spec() + " usage=" + k.key_usage() + " created";
    }
    case Event::kKeyStateSet: return "key=" + ev.key_state_set().key_id() + " state=" + ev.key_state_set().state();
    case Event::kKeyDeleted: return "key=" + ev.key_deleted().key_id() + " deleted";
    case Event::kDescriptionSet: return "key=" + ev.description_set().key_id() + " description set";
    case Event::kPolicySet: return "key=" + ev.policy_set().key_id() + " policy set";
    case Event::kTagsAdded: return "key=" + ev.tags_added().key_id() + " tags+" + std::to_string(ev.tags_added().tags_size());
    case Event::kTagsRemoved: return "key=" + ev.tags_removed().key_id() + " tags-" + std::to_string(ev.tags_removed().keys_size());
    case Event::kRotationSet:
      return "key=" + ev.rotation_set().key_id() + (ev.rotation_set().enabled() ? " rotation on" : " rotation off");
    case Event::kMaterialRotated:
      return "key=" + ev.material_rotated().key_id() + " rotated (" + ev.material_rotated().rotation().type() +
             ") to material version " + std::to_string(ev.material_rotated().material().version());
    case Event::kAliasSet:
      return "alias=" + ev.alias_set().alias().name() + " -> key=" + ev.alias_set().alias().target_key_id();
    case Event::kAliasDeleted: return "alias=" + ev.alias_deleted().name() + " deleted";
    case Event::kGrantCreated:
      return "key=" + ev.grant_created().key_id() + " grant=" + ev.grant_created().grant().grant_id() + " created";
    case Event::kGrantRemoved:
      return "key=" + ev.grant_removed().key_id() + " grant=" + ev.grant_removed().grant_id() + " removed";
    default: return {};
  }
}

}  // namespace podstack::kms
