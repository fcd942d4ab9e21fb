// Secrets Manager state: apply (the only mutation), snapshots and the log
// summary. AWSCURRENT / AWSPREVIOUS move exactly as AWS moves them; versions
// that lose every label are "deprecated".
#include "server/services/secretsmanager/secretsmanager_state.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "server/services/secretsmanager/secretsmanager_util.h"

namespace podstack::secretsmanager {
namespace {

namespace sm = secretsmanager;

// Applies AWS's staging-label moves for a new or re-labelled version: each
// label leaves the version that had it; when AWSCURRENT moves, the version
// that had it takes AWSPREVIOUS.
void move_stages(Secret& s, const std::string& target_id, const std::vector<std::string>& stages) {
  std::string old_current;
  for (auto& v : s.versions())
    if (has_stage(v, kCurrent) && v.version_id() != target_id) old_current = v.version_id();
  bool moves_current = std::find(stages.begin(), stages.end(), kCurrent) != stages.end();
  for (auto& v : *s.mutable_versions()) {
    if (v.version_id() == target_id) continue;
    auto* st = v.mutable_stages();
    for (auto& label : stages) {
      auto it = std::find(st->begin(), st->end(), label);
      if (it != st->end()) st->erase(it);
    }
    if (moves_current && !old_current.empty()) {
      auto it = std::find(st->begin(), st->end(), kPrevious);
      if (it != st->end() && v.version_id() != old_current) st->erase(it);
    }
  }
  for (auto& v : *s.mutable_versions()) {
    auto* st = v.mutable_stages();
    if (v.version_id() == target_id) {
      for (auto& label : stages)
        if (std::find(st->begin(), st->end(), label) == st->end()) *st->Add() = label;
      if (moves_current) {
        auto it = std::find(st->begin(), st->end(), kPrevious);
        if (it != st->end()) st->erase(it);
      }
    } else if (moves_current && v.version_id() == old_current) {
      if (std::find(st->begin(), st->end(), kPrevious) == st->end()) *st->Add() = std::string(kPrevious);
    }
  }
}

// AWS keeps ~100 versions: the oldest ones without a label go first.
void prune_versions(Secret& s) {
  while (static_cast<size_t>(s.versions_size()) > kMaxVersions) {
    int victim = -1;
    for (int i = 0; i < s.versions_size(); ++i)
      if (s.versions(i).stages_size() == 0) {
        victim = i;
        break;
      }
    if (victim < 0) return;
    s.mutable_versions()->DeleteSubrange(victim, 1);
  }
}

SecretVersion* find_version(Secret& s, const std::string& id) {
  for (auto& v : *s.mutable_versions())
    if (v.version_id() == id) return &v;
  return nullptr;
}

}  // namespace

void SecretsManagerState::apply(const proto::Event& e, Event& ev) {
  SecretPartition& part = parts_.get(e);
  auto secret = [&](const std::string& name) -> Secret* {
    auto it = part.secrets.find(name);
    return it == part.secrets.end() ? nullptr : &it->second;
  };
  switch (ev.kind_case()) {
    case sm::Event::kCreated: {
      Secret& s = part.secrets[ev.created().secret().name()];
      untrack(e.account(), e.region(), &s);
      s = ev.created().secret();
      track(e.account(), e.region(), &s);
      break;
    }
    case sm::Event::kVersionPut: {
      const auto& vp = ev.version_put();
      Secret* s = secret(vp.name());
      if (!s) break;
      if (SecretVersion* existing = find_version(*s, vp.version().version_id())) {
        // The value of a version RotateSecret staged empty (AWSPENDING).
        existing->set_has_string(vp.version().has_string());
        existing->set_secret_string(vp.version().secret_string());
        existing->set_has_binary(vp.version().has_binary());
        existing->set_secret_binary(vp.version().secret_binary());
        move_stages(*s, vp.version().version_id(),
                    std::vector<std::string>(vp.version().stages().begin(), vp.version().stages().end()));
        s->set_last_changed_date(vp.changed());
        break;
      }
      SecretVersion v = vp.version();
      std::vector<std::string> stages(v.stages().begin(), v.stages().end());
      v.clear_stages();
      v.set_order(s->next_order());
      s->set_next_order(s->next_order() + 1);
      *s->add_versions() = std::move(v);
      move_stages(*s, vp.version().version_id(), stages);
      s->set_last_changed_date(vp.changed());
      prune_versions(*s);
      break;
    }
    case sm::Event::kUpdated: {
      const auto& u = ev.updated();
      Secret* s = secret(u.name());
      if (!s) break;
      if (u.set_description()) s->set_description(u.description());
      if (u.set_kms_key_id()) s->set_kms_key_id(u.kms_key_id());
      s->set_last_changed_date(u.changed());
      break;
    }
    case sm::Event::kDeletionScheduled: {
      Secret* s = secret(ev.deletion_scheduled().name());
      if (!s) break;
      untrack(e.account(), e.region(), s);
      s->set_deleted_date(ev.deletion_scheduled().deleted_date());
      s->set_deletion_date(ev.deletion_scheduled().deletion_date());
      track(e.account(), e.region(), s);
      break;
    }
    case sm::Event::kPurged:
      untrack(e.account(), e.region(), secret(ev.purged().name()));
      part.secrets.erase(ev.purged().name());
      break;
    case sm::Event::kRestored: {
      Secret* s = secret(ev.restored().name());
      if (!s) break;
      untrack(e.account(), e.region(), s);
      s->set_deleted_date(0);
      s->set_deletion_date(0);
      s->set_last_changed_date(ev.restored().changed());
      break;
    }
    case sm::Event::kStageMoved: {
      const auto& m = ev.stage_moved();
      Secret* s = secret(m.name());
      if (!s) break;
      if (!m.move_to().empty()) {
        // Moving takes the label off every other version (the one in
        // remove_from included) and, for AWSCURRENT, leaves AWSPREVIOUS behind.
        move_stages(*s, m.move_to(), {m.stage()});
      } else if (!m.remove_from().empty()) {
        for (auto& v : *s->mutable_versions()) {
          if (v.version_id() != m.remove_from()) continue;
          auto* st = v.mutable_stages();
          auto it = std::find(st->begin(), st->end(), m.stage());
          if (it != st->end()) st->erase(it);
        }
      }
      s->set_last_changed_date(m.changed());
      break;
    }
    case sm::Event::kTagsAdded: {
      Secret* s = secret(ev.tags_added().name());
      if (!s) break;
      for (auto& t : ev.tags_added().tags()) {
        bool replaced = false;
        for (auto& existing : *s->mutable_tags())
          if (existing.key() == t.key()) {
            existing.set_value(t.value());
            replaced = true;
          }
        if (!replaced) *s->add_tags() = t;
      }
      s->set_last_changed_date(ev.tags_added().changed());
      break;
    }
    case sm::Event::kTagsRemoved: {
      Secret* s = secret(ev.tags_removed().name());
      if (!s) break;
      auto* tags = s->mutable_tags();
      for (auto& k : ev.tags_removed().keys())
        for (int i = tags->size() - 1; i >= 0; --i)
          if (tags->Get(i).key() == k) tags->DeleteSubrange(i, 1);
      s->set_last_changed_date(ev.tags_removed().changed());
      break;
    }
    case sm::Event::kPolicySet: {
      Secret* s = secret(ev.policy_set().name());
      if (!s) break;
      s->set_resource_policy(ev.policy_set().policy());
      s->set_last_changed_date(ev.policy_set().changed());
      break;
    }
    case sm::Event::kRotationSet: {
      const auto& r = ev.rotation_set();
      Secret* s = secret(r.name());
      if (!s) break;
      s->set_rotation_configured(true);
      s->set_rotation_enabled(r.enabled());
      s->set_rotation_lambda_arn(r.lambda_arn());
      *s->mutable_rotation_rules() = r.rules();
      s->set_next_rotation_date(r.next_rotation_date());
      s->set_last_changed_date(r.changed());
      break;
    }
    case sm::Event::kReplicaAdded: {
      const auto& r = ev.replica_added();
      Secret* s = secret(r.name());
      if (!s) break;
      ReplicaStatus* st = nullptr;
      for (auto& x : *s->mutable_replicas())
        if (x.region() == r.region()) st = &x;
      if (!st) st = s->add_replicas();
      st->set_region(r.region());
      st->set_kms_key_id(r.kms_key_id());
      st->set_status(r.status());
      st->set_status_message(r.status_message());
      if (r.status() == "Failed") break;
      Secret replica;
      replica.set_name(r.name());
      replica.set_arn(r.arn());
      replica.set_primary_region(e.region());
      replica.set_kms_key_id(r.kms_key_id());
      replica.set_created_date(r.created());
      replica.set_last_changed_date(r.created());
      parts_.get(e.account(), r.region()).secrets[r.name()] = std::move(replica);
      break;
    }
    case sm::Event::kReplicaRemoved: {
      const auto& r = ev.replica_removed();
      if (Secret* s = secret(r.name())) {
        auto* reps = s->mutable_replicas();
        for (int i = reps->size() - 1; i >= 0; --i)
          if (reps->Get(i).region() == r.region()) reps->DeleteSubrange(i, 1);
        s->set_last_changed_date(r.changed());
      }
      SecretPartition& there = parts_.get(e.account(), r.region());
      auto it = there.secrets.find(r.name());
      if (it != there.secrets.end() && it->second.primary_region() == e.region()) there.secrets.erase(it);
      break;
    }
    case sm::Event::kReplicaPromoted: {
      const auto& r = ev.replica_promoted();
      part.secrets[r.name()] = r.secret();
      SecretPartition& primary = parts_.get(e.account(), r.primary_region());
      if (auto it = primary.secrets.find(r.name()); it != primary.secrets.end()) {
        auto* reps = it->second.mutable_replicas();
        for (int i = reps->size() - 1; i >= 0; --i)
          if (reps->Get(i).region() == e.region()) reps->DeleteSubrange(i, 1);
      }
      break;
    }
    case sm::Event::KIND_NOT_SET:
      throw std::runtime_error("empty secretsmanager event");
  }
}

std::string SecretsManagerState::snapshot() const {
  PartitionWriter w;
  for (auto& [key, part] : parts_) {
    w.begin(key.first, key.second);
    for (auto& [n, s] : part.secrets) w.item(s);
  }
  return w.finish();
}

Status SecretsManagerState::restore(std::string_view bytes) {
  sm::State st;
  if (Status s = parse_snapshot(bytes, st, "secretsmanager"); !s.is_ok()) return s;
  parts_.clear();
  deletions_.clear();
  for (auto& p : st.partitions()) {
    SecretPartition& part = parts_.get(p.account(), p.region());
    for (auto& s : p.secrets()) track(p.account(), p.region(), &(part.secrets[s.name()] = s));
  }
  return Status::ok();
}

namespace {
int64_t deletion_ms(const Secret& s) { return static_cast<int64_t>(std::ceil(s.deletion_date() * 1000)); }
}  // namespace

void SecretsManagerState::untrack(const std::string& account, const std::string& region, const Secret* s) {
  if (s && scheduled(*s)) deletions_.erase({deletion_ms(*s), account, region, s->name()});
}

void SecretsManagerState::track(const std::string& account, const std::string& region, const Secret* s) {
  if (s && scheduled(*s)) deletions_.emplace(deletion_ms(*s), account, region, s->name());
}

std::string SecretsManagerState::summarize(const Event& ev) const {
  switch (ev.kind_case()) {
    case sm::Event::kCreated: return "name=" + ev.created().secret().name();
    case sm::Event::kVersionPut: return "name=" + ev.version_put().name() + " version=" + ev.version_put().version().version_id();
    case sm::Event::kUpdated: return "name=" + ev.updated().name();
    case sm::Event::kDeletionScheduled: return "name=" + ev.deletion_scheduled().name() + " scheduled for deletion";
    case sm::Event::kPurged: return "name=" + ev.purged().name() + " deleted";
    case sm::Event::kRestored: return "name=" + ev.restored().name() + " restored";
    case sm::Event::kStageMoved: {
      const auto& m = ev.stage_moved();
      std::string line = "name=" + m.name() + " stage=" + m.stage();
      if (!m.remove_from().empty()) line += " from=" + m.remove_from();
      if (!m.move_to().empty()) line += " to=" + m.move_to();
      return line;
    }
    case sm::Event::kTagsAdded: return "name=" + ev.tags_added().name() + " tags+" + std::to_string(ev.tags_added().tags_size());
    case sm::Event::kTagsRemoved: return "name=" + ev.tags_removed().name() + " tags-" + std::to_string(ev.tags_removed().keys_size());
    case sm::Event::kPolicySet:
      return "name=" + ev.policy_set().name() + (ev.policy_set().policy().empty() ? " policy deleted" : " policy set");
    case sm::Event::kRotationSet:
      return "name=" + ev.rotation_set().name() + (ev.rotation_set().enabled() ? " rotation on" : " rotation off");
    case sm::Event::kReplicaAdded:
      return "name=" + ev.replica_added().name() + " replica " + ev.replica_added().region() + " " +
             ev.replica_added().status();
    case sm::Event::kReplicaRemoved:
      return "name=" + ev.replica_removed().name() + " replica " + ev.replica_removed().region() + " removed";
    case sm::Event::kReplicaPromoted: return "name=" + ev.replica_promoted().name() + " replica promoted to a standalone secret";
    default: return {};
  }
}

}  // namespace podstack::secretsmanager
