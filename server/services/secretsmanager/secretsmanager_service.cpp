// Secrets Manager.
//
// State: per (account, region), secrets by name; each secret keeps its
// versions in creation order with their staging labels. AWSCURRENT /
// AWSPREVIOUS move exactly as AWS moves them; versions that lose every label
// are "deprecated" (listed only with IncludeDeprecated). A deletion is
// scheduled with a date; once it passes, the secret behaves as gone, lazily,
// against the request's clock (the purge is an event of the next write).
// AWS reference: https://docs.aws.amazon.com/secretsmanager/latest/apireference/
#include "server/services/secretsmanager/secretsmanager_service.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <iterator>
#include <map>
#include <optional>

#include "proto/secretsmanager.pb.h"
#include "server/services/pagination.h"

namespace podstack {
namespace {

namespace sm = secretsmanager;
using sm::Secret;
using sm::SecretVersion;

constexpr std::string_view kCurrent = "AWSCURRENT";
constexpr std::string_view kPrevious = "AWSPREVIOUS";
constexpr std::string_view kAlnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
constexpr size_t kMaxVersions = 100;
constexpr double kDay = 86400.0;

struct Partition {
  std::map<std::string, Secret, std::less<>> secrets;
};

ApiError not_found() {
  return ApiError::bad_request("ResourceNotFoundException", "Secrets Manager can't find the specified secret.");
}
ApiError marked_for_deletion() {
  return ApiError::bad_request("InvalidRequestException",
                               "You can't perform this operation on the secret because it was marked for deletion.");
}
ApiError invalid_parameter(std::string msg) { return ApiError::bad_request("InvalidParameterException", std::move(msg)); }
ApiError invalid_next_token() {
  return ApiError::bad_request("InvalidNextTokenException", "The NextToken value is invalid.");
}

bool has_stage(const SecretVersion& v, std::string_view stage) {
  return std::find(v.stages().begin(), v.stages().end(), stage) != v.stages().end();
}

const SecretVersion* version_by_id(const Secret& s, std::string_view id) {
  for (auto& v : s.versions())
    if (v.version_id() == id) return &v;
  return nullptr;
}

const SecretVersion* version_by_stage(const Secret& s, std::string_view stage) {
  for (auto& v : s.versions())
    if (has_stage(v, stage)) return &v;
  return nullptr;
}

bool scheduled(const Secret& s) { return s.deleted_date() > 0; }
// The recovery window has passed: the secret no longer exists.
bool expired(const Secret& s, double now) { return scheduled(s) && s.deletion_date() <= now; }

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

json::array tags_json(const Secret& s) {
  json::array a;
  for (auto& t : s.tags()) a.push_back(json::object{{"Key", t.key()}, {"Value", t.value()}});
  return a;
}

json::object stages_map(const Secret& s) {
  json::object m;
  for (auto& v : s.versions()) {
    if (v.stages_size() == 0) continue;
    json::array st;
    for (auto& l : v.stages()) st.push_back(json::string(l));
    m[v.version_id()] = std::move(st);
  }
  return m;
}

json::array stages_json(const SecretVersion& v) {
  json::array st;
  for (auto& l : v.stages()) st.push_back(json::string(l));
  return st;
}

bool same_value(const SecretVersion& v, const Input& in) {
  auto s = in.opt_str("SecretString");
  auto b = in.opt_str("SecretBinary");
  return v.has_string() == s.has_value() && v.has_binary() == b.has_value() && (!s || v.secret_string() == *s) &&
         (!b || v.secret_binary() == *b);
}

class SecretsManagerService final : public ServiceBase<SecretsManagerService> {
 public:
  std::string_view name() const override { return "secretsmanager"; }
  const protocol::ServiceModel& model() const override { return *protocol::builtin_model("secretsmanager"); }

  static const Table& operations() {
    static const Table t = {
        {"CreateSecret", {true, &SecretsManagerService::create_secret}},
        {"GetSecretValue", {false, &SecretsManagerService::get_secret_value}},
        {"PutSecretValue", {true, &SecretsManagerService::put_secret_value}},
        {"UpdateSecret", {true, &SecretsManagerService::update_secret}},
        {"DescribeSecret", {false, &SecretsManagerService::describe_secret}},
        {"ListSecrets", {false, &SecretsManagerService::list_secrets}},
        {"DeleteSecret", {true, &SecretsManagerService::delete_secret}},
        {"RestoreSecret", {true, &SecretsManagerService::restore_secret}},
        {"UpdateSecretVersionStage", {true, &SecretsManagerService::update_version_stage}},
        {"ListSecretVersionIds", {false, &SecretsManagerService::list_version_ids}},
        {"TagResource", {true, &SecretsManagerService::tag_resource}},
        {"UntagResource", {true, &SecretsManagerService::untag_resource}},
        {"GetRandomPassword", {false, &SecretsManagerService::get_random_password}},
    };
    return t;
  }

  // ---- apply: the only mutation ----
  const google::protobuf::MessageLite* event_prototype() const override { return &sm::Event::default_instance(); }
  void apply(const proto::Event& e) override {
    sm::Event ev;
    if (!ev.ParseFromString(e.payload())) throw std::runtime_error("secretsmanager event does not parse");
    Partition& part = parts_.get(e);
    auto secret = [&](const std::string& name) -> Secret* {
      auto it = part.secrets.find(name);
      return it == part.secrets.end() ? nullptr : &it->second;
    };
    switch (ev.kind_case()) {
      case sm::Event::kCreated:
        part.secrets[ev.created().secret().name()] = ev.created().secret();
        break;
      case sm::Event::kVersionPut: {
        const auto& vp = ev.version_put();
        Secret* s = secret(vp.name());
        if (!s) break;
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
        s->set_deleted_date(ev.deletion_scheduled().deleted_date());
        s->set_deletion_date(ev.deletion_scheduled().deletion_date());
        break;
      }
      case sm::Event::kPurged:
        part.secrets.erase(ev.purged().name());
        break;
      case sm::Event::kRestored: {
        Secret* s = secret(ev.restored().name());
        if (!s) break;
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
      case sm::Event::KIND_NOT_SET:
        throw std::runtime_error("empty secretsmanager event");
    }
  }

  std::string snapshot() const override {
    PartitionWriter w;
    for (auto& [key, part] : parts_) {
      w.begin(key.first, key.second);
      for (auto& [n, s] : part.secrets) w.item(s);
    }
    return w.finish();
  }

  Status restore(std::string_view bytes) override {
    sm::State st;
    if (Status s = parse_snapshot(bytes, st, "secretsmanager"); !s.is_ok()) return s;
    parts_.clear();
    for (auto& p : st.partitions()) {
      Partition& part = parts_.get(p.account(), p.region());
      for (auto& s : p.secrets()) part.secrets[s.name()] = s;
    }
    return Status::ok();
  }

  Status check_snapshot(std::string_view bytes) const override {
    sm::State st;
    return parse_snapshot(bytes, st, "secretsmanager");
  }

  uint64_t resource_count() const override {
    return parts_.count([](const Partition& p) { return p.secrets.size(); });
  }

  void clear() override { parts_.clear(); }

  std::string summarize(const proto::Event& e) const override {
    sm::Event ev;
    if (!ev.ParseFromString(e.payload())) return "(unreadable)";
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
      default: return {};
    }
  }

 private:
  const Partition* part(const CallContext& ctx) const { return parts_.find(ctx); }

  // SecretId: a name, a full ARN, or an ARN without the random suffix.
  const Secret* lookup(const CallContext& ctx, std::string_view id) const {
    const Partition* p = part(ctx);
    if (!p) return nullptr;
    const Secret* found = nullptr;
    if (id.rfind("arn:", 0) == 0) {
      // arn:PARTITION:secretsmanager:REGION:ACCOUNT:secret:NAME[-XXXXXX]; the
      // stored ARN decides (region and account included). A complete ARN wins
      // over a partial one that happens to name a secret ending in "-XXXXXX".
      constexpr std::string_view kMarker = ":secret:";
      auto at = id.find(kMarker);
      if (at == std::string_view::npos) return nullptr;
      std::string_view rest = id.substr(at + kMarker.size());
      auto named = [&](std::string_view n) -> const Secret* {
        auto it = p->secrets.find(n);
        return it == p->secrets.end() ? nullptr : &it->second;
      };
      if (rest.size() > 7 && rest[rest.size() - 7] == '-')
        if (const Secret* s = named(rest.substr(0, rest.size() - 7)); s && s->arn() == id) found = s;
      if (!found)
        if (const Secret* s = named(rest); s && s->arn().size() == id.size() + 7 && s->arn().compare(0, id.size(), id) == 0)
          found = s;
    } else {
      auto it = p->secrets.find(id);
      if (it != p->secrets.end()) found = &it->second;
    }
    if (found && expired(*found, ctx.now())) return nullptr;
    return found;
  }

  const Secret& must_find(const Input& in, const CallContext& ctx) const {
    const Secret* s = lookup(ctx, in.str("SecretId"));
    if (!s) throw not_found();
    return *s;
  }

  static std::string bytes(const sm::Event& e) { return e.SerializeAsString(); }

  // A purge event for a secret whose deletion window has passed (so replay
  // does not depend on the clock), emitted by the next write that needs it.
  void purge_if_expired(const CallContext& ctx, std::string_view name, Decision& d) const {
    const Partition* p = part(ctx);
    if (!p) return;
    auto it = p->secrets.find(name);
    if (it != p->secrets.end() && expired(it->second, ctx.now())) {
      sm::Event ev;
      ev.mutable_purged()->set_name(it->first);
      d.add(ev);
    }
  }

  static void read_value(const Input& in, SecretVersion& v) {
    auto s = in.opt_str("SecretString");
    auto b = in.opt_str("SecretBinary");
    if (s && b)
      throw invalid_parameter("You can't specify both a binary secret value and a string secret value in the same secret.");
    if (s) {
      v.set_has_string(true);
      v.set_secret_string(std::string(*s));
    }
    if (b) {
      v.set_has_binary(true);
      v.set_secret_binary(std::string(*b));
    }
  }

  // ---- decide ----
  void create_secret(const Input& in, const CallContext& ctx, Decision& d) const {
    std::string name(in.str("Name"));
    for (char c : name)
      if (!(std::isalnum(static_cast<unsigned char>(c)) || std::string_view("/_+=.@-").find(c) != std::string_view::npos))
        throw ApiError::validation("Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!");
    SecretVersion v;
    read_value(in, v);
    const Partition* p = part(ctx);
    if (p) {
      auto it = p->secrets.find(name);
      if (it != p->secrets.end() && !expired(it->second, ctx.now())) {
        if (scheduled(it->second))
          throw ApiError::bad_request("InvalidRequestException",
                                      "You can't create this secret because a secret with this name is already scheduled for deletion.");
        throw ApiError::bad_request("ResourceExistsException", "The operation failed because the secret " + name + " already exists.");
      }
    }
    purge_if_expired(ctx, name, d);
    Secret s;
    s.set_name(name);
    s.set_arn("arn:aws:secretsmanager:" + ctx.region + ":" + ctx.account + ":secret:" + name + "-" + random_chars(6, kAlnum));
    s.set_description(in.str_or("Description", ""));
    s.set_kms_key_id(in.str_or("KmsKeyId", ""));
    s.set_created_date(ctx.now());
    s.set_last_changed_date(ctx.now());
    if (auto* tags = in.array("Tags")) {
      for (auto& t : *tags) {
        auto* tag = s.add_tags();
        const auto& o = t.as_object();
        if (auto* k = o.if_contains("Key"); k && k->is_string()) tag->set_key(std::string(k->as_string()));
        if (auto* v = o.if_contains("Value"); v && v->is_string()) tag->set_value(std::string(v->as_string()));
      }
    }
    json::object out{{"ARN", s.arn()}, {"Name", s.name()}};
    if (v.has_string() || v.has_binary()) {
      v.set_version_id(in.str_or("ClientRequestToken", random_uuid()));
      v.set_created_date(ctx.now());
      v.add_stages(std::string(kCurrent));
      v.set_order(0);
      s.set_next_order(1);
      out["VersionId"] = v.version_id();
      *s.add_versions() = std::move(v);
    }
    sm::Event ev;
    *ev.mutable_created()->mutable_secret() = std::move(s);
    d.add(ev);
    d.output = std::move(out);
  }

  void get_secret_value(const Input& in, const CallContext& ctx, Decision& d) const {
    const Secret& s = must_find(in, ctx);
    if (scheduled(s)) throw marked_for_deletion();
    auto vid = in.opt_str("VersionId");
    auto stage = in.opt_str("VersionStage");
    const SecretVersion* v = nullptr;
    if (vid) {
      v = version_by_id(s, *vid);
      if (!v)
        throw ApiError::bad_request("ResourceNotFoundException", "Secrets Manager can't find the specified secret value for VersionId: " + std::string(*vid));
      if (stage && !has_stage(*v, *stage))
        throw ApiError::bad_request("InvalidRequestException",
                                    "You provided a VersionStage that is not associated to the provided VersionId.");
    } else {
      std::string_view label = stage ? *stage : kCurrent;
      v = version_by_stage(s, label);
      if (!v)
        throw ApiError::bad_request("ResourceNotFoundException",
                                    "Secrets Manager can't find the specified secret value for staging label: " + std::string(label));
    }
    json::object out{{"ARN", s.arn()}, {"Name", s.name()}, {"VersionId", v->version_id()}};
    if (v->has_string()) out["SecretString"] = v->secret_string();
    if (v->has_binary()) out["SecretBinary"] = json::string(v->secret_binary());
    out["VersionStages"] = stages_json(*v);
    out["CreatedDate"] = v->created_date();
    d.output = std::move(out);
  }

  // Shared by PutSecretValue and UpdateSecret: a new version, or an idempotent repeat.
  std::string put_version(const Input& in, const CallContext& ctx, const Secret& s, std::vector<std::string> stages,
                          Decision& d, bool* created) const {
    std::string token = in.str_or("ClientRequestToken", random_uuid());
    if (const SecretVersion* existing = version_by_id(s, token)) {
      if (!same_value(*existing, in))
        throw ApiError::bad_request("ResourceExistsException", "You can't modify an existing version, you can only create a new version.");
      *created = false;
      return token;
    }
    SecretVersion v;
    read_value(in, v);
    v.set_version_id(token);
    v.set_created_date(ctx.now());
    for (auto& st : stages) v.add_stages(st);
    sm::Event ev;
    auto* vp = ev.mutable_version_put();
    vp->set_name(s.name());
    *vp->mutable_version() = std::move(v);
    vp->set_changed(ctx.now());
    d.add(ev);
    *created = true;
    return token;
  }

  void put_secret_value(const Input& in, const CallContext& ctx, Decision& d) const {
    const Secret& s = must_find(in, ctx);
    if (scheduled(s)) throw marked_for_deletion();
    if (!in.has("SecretString") && !in.has("SecretBinary"))
      throw ApiError::bad_request("InvalidRequestException", "You must provide either SecretString or SecretBinary.");
    if (in.has("SecretString") && in.has("SecretBinary"))
      throw invalid_parameter("You can't specify both a binary secret value and a string secret value in the same secret.");
    std::vector<std::string> stages;
    if (auto* vs = in.array("VersionStages")) {
      for (auto& x : *vs)
        if (std::find(stages.begin(), stages.end(), x.as_string()) == stages.end()) stages.emplace_back(x.as_string());
    }
    // "If this operation creates the first version for the secret, then Secrets
    // Manager automatically attaches the staging label AWSCURRENT to it."
    if ((!in.has("VersionStages") || s.versions_size() == 0) &&
        std::find(stages.begin(), stages.end(), kCurrent) == stages.end())
      stages.emplace_back(kCurrent);
    bool created = false;
    std::string id = put_version(in, ctx, s, stages, d, &created);
    json::array out_stages;
    if (created) {
      for (auto& st : stages) out_stages.push_back(json::string(st));
    } else {
      out_stages = stages_json(*version_by_id(s, id));
    }
    d.output = json::object{{"ARN", s.arn()}, {"Name", s.name()}, {"VersionId", id}, {"VersionStages", std::move(out_stages)}};
  }

  void update_secret(const Input& in, const CallContext& ctx, Decision& d) const {
    const Secret& s = must_find(in, ctx);
    if (scheduled(s)) throw marked_for_deletion();
    json::object out{{"ARN", s.arn()}, {"Name", s.name()}};
    if (in.has("Description") || in.has("KmsKeyId")) {
      sm::Event ev;
      auto* u = ev.mutable_updated();
      u->set_name(s.name());
      if (auto x = in.opt_str("Description")) {
        u->set_set_description(true);
        u->set_description(std::string(*x));
      }
      if (auto x = in.opt_str("KmsKeyId")) {
        u->set_set_kms_key_id(true);
        u->set_kms_key_id(std::string(*x));
      }
      u->set_changed(ctx.now());
      d.add(ev);
    }
    if (in.has("SecretString") || in.has("SecretBinary")) {
      if (in.has("SecretString") && in.has("SecretBinary"))
        throw invalid_parameter("You can't specify both a binary secret value and a string secret value in the same secret.");
      bool created = false;
      out["VersionId"] = put_version(in, ctx, s, {std::string(kCurrent)}, d, &created);
    }
    d.output = std::move(out);
  }

  json::object describe(const Secret& s) const {
    json::object o{{"ARN", s.arn()}, {"Name", s.name()}};
    if (!s.description().empty()) o["Description"] = s.description();
    if (!s.kms_key_id().empty()) o["KmsKeyId"] = s.kms_key_id();
    o["RotationEnabled"] = false;
    o["LastChangedDate"] = s.last_changed_date();
    if (scheduled(s)) o["DeletedDate"] = s.deleted_date();
    if (s.tags_size()) o["Tags"] = tags_json(s);
    o["VersionIdsToStages"] = stages_map(s);
    o["CreatedDate"] = s.created_date();
    return o;
  }

  void describe_secret(const Input& in, const CallContext& ctx, Decision& d) const { d.output = describe(must_find(in, ctx)); }

  // ListSecrets filters (https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_Filter.html):
  // name, tag-key and tag-value are case-sensitive prefix matches; description
  // and all are case-insensitive and word-based ("Breaks the filter value
  // string into words"; the user guide calls description a phrase search, and
  // AWS finds "key" in "api key for prod"): every word of the value must start
  // a word of one attribute. The values of one filter are ORed; a value with a
  // leading "!" excludes the secrets it matches.
  static bool filter_match(const Secret& s, const std::string& key, const json::array& values) {
    auto prefix = [](std::string_view value, std::string_view want) { return value.substr(0, want.size()) == want; };
    auto matches = [&](std::string_view want) {
      if (key == "name") return prefix(s.name(), want);
      if (key == "description") return words_match(want, s.description());
      if (key == "tag-key" || key == "tag-value") {
        for (auto& t : s.tags())
          if (prefix(key == "tag-key" ? t.key() : t.value(), want)) return true;
        return false;
      }
      if (key == "all") {
        if (words_match(want, s.name()) || words_match(want, s.description())) return true;
        for (auto& t : s.tags())
          if (words_match(want, t.key()) || words_match(want, t.value())) return true;
        return false;
      }
      return false;  // primary-region, owning-service: podstack secrets are never replicas or service-owned
    };
    bool any = false;
    for (auto& v : values) {
      std::string_view want = v.as_string();
      if (!want.empty() && want[0] == '!') {
        if (matches(want.substr(1))) return false;
        any = true;
      } else if (matches(want)) {
        any = true;
      }
    }
    return any;
  }

  // Lower-cased words of `text`: runs of letters and digits; each run also
  // contributes its camelCase parts, so "MyDescription" is found by "desc" and
  // by "mydescription".
  static std::vector<std::string> words(std::string_view text, bool camel_parts) {
    std::vector<std::string> out;
    auto lower = [](unsigned char c) { return static_cast<char>(std::tolower(c)); };
    size_t i = 0;
    while (i < text.size()) {
      while (i < text.size() && !std::isalnum(static_cast<unsigned char>(text[i]))) ++i;
      size_t j = i;
      while (j < text.size() && std::isalnum(static_cast<unsigned char>(text[j]))) ++j;
      if (j == i) break;
      std::string_view run = text.substr(i, j - i);
      std::string w;
      std::transform(run.begin(), run.end(), std::back_inserter(w), lower);
      out.push_back(w);
      if (camel_parts) {
        size_t part = 0;
        for (size_t k = 1; k <= run.size(); ++k) {
          bool boundary = k == run.size() || (std::islower(static_cast<unsigned char>(run[k - 1])) &&
                                              std::isupper(static_cast<unsigned char>(run[k])));
          if (!boundary) continue;
          if (part != 0 || k != run.size()) out.push_back(w.substr(part, k - part));
          part = k;
        }
      }
      i = j;
    }
    return out;
  }

  static bool words_match(std::string_view want, std::string_view text) {
    auto wanted = words(want, false);
    if (wanted.empty()) return false;
    auto have = words(text, true);
    return std::all_of(wanted.begin(), wanted.end(), [&](const std::string& w) {
      return std::any_of(have.begin(), have.end(), [&](const std::string& h) { return h.compare(0, w.size(), w) == 0; });
    });
  }

  void list_secrets(const Input& in, const CallContext& ctx, Decision& d) const {
    bool planned = in.flag("IncludePlannedDeletion");
    std::vector<std::pair<std::string, json::array>> filters;
    if (auto* fs = in.array("Filters"))
      for (auto& f : *fs) {
        const auto& o = f.as_object();
        auto* k = o.if_contains("Key");
        auto* v = o.if_contains("Values");
        if (!k || !v || !v->is_array())
          throw invalid_parameter("Invalid filter: every filter needs a Key and Values.");
        filters.emplace_back(std::string(k->as_string()), v->as_array());
      }
    bool desc = in.str_or("SortOrder", "asc") == "desc";
    // SortBy is newer than the pinned model (created-date when absent); the
    // codec passes it through. Last access is not tracked, so it orders by name.
    std::string sort_by = in.str_or("SortBy", "created-date");
    if (sort_by != "created-date" && sort_by != "last-changed-date" && sort_by != "last-accessed-date" && sort_by != "name")
      throw invalid_parameter("Invalid SortBy value: " + sort_by);
    auto primary = [&](const Secret& s) {
      if (sort_by == "created-date") return s.created_date();
      if (sort_by == "last-changed-date") return s.last_changed_date();
      return 0.0;
    };
    using SortKey = std::pair<double, std::string_view>;  // the name breaks ties, so every secret has its own key
    auto key_of = [&](const Secret& s) { return SortKey(primary(s), s.name()); };
    auto before = [&](const SortKey& a, const SortKey& b) { return desc ? b < a : a < b; };

    Page page = make_page(in);
    std::optional<std::pair<double, std::string>> after;
    if (!page.after().empty()) after = parse_list_token(page.after());

    std::vector<const Secret*> all;
    if (const Partition* p = part(ctx))
      for (auto& [n, s] : p->secrets) {
        if (expired(s, ctx.now()) || (scheduled(s) && !planned)) continue;
        if (after && !before(SortKey(after->first, after->second), key_of(s))) continue;
        bool ok = std::all_of(filters.begin(), filters.end(), [&](auto& f) { return filter_match(s, f.first, f.second); });
        if (ok) all.push_back(&s);
      }
    std::sort(all.begin(), all.end(), [&](const Secret* a, const Secret* b) { return before(key_of(*a), key_of(*b)); });
    json::array items;
    for (const Secret* s : all) {
      // The page key is the sort key of the last secret listed: pages stay
      // right while other secrets come and go.
      if (page.full(items.size(), list_token(primary(*s), s->name()))) break;
      json::object o = describe(*s);
      o["SecretVersionsToStages"] = o["VersionIdsToStages"];
      o.erase("VersionIdsToStages");
      items.push_back(std::move(o));
    }
    json::object out{{"SecretList", std::move(items)}};
    page.emit(out);
    d.output = std::move(out);
  }

  static std::string list_token(double primary, const std::string& name) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.17g", primary);
    return std::string(buf) + "\n" + name;
  }

  static std::pair<double, std::string> parse_list_token(const std::string& key) {
    auto nl = key.find('\n');
    if (nl == std::string::npos) throw invalid_next_token();
    char* end = nullptr;
    double primary = std::strtod(key.c_str(), &end);
    if (end != key.c_str() + nl) throw invalid_next_token();
    return {primary, key.substr(nl + 1)};
  }

  // Page rejects a token it did not issue with a generic ValidationException;
  // Secrets Manager's own error for that is InvalidNextTokenException.
  static Page make_page(const Input& in) {
    try {
      return Page(in, 100);
    } catch (const ApiError&) {
      throw invalid_next_token();
    }
  }

  void delete_secret(const Input& in, const CallContext& ctx, Decision& d) const {
    const Secret& s = must_find(in, ctx);
    bool force = in.flag("ForceDeleteWithoutRecovery");
    auto window = in.opt_int("RecoveryWindowInDays");
    if (force && window)
      throw invalid_parameter("You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.");
    if (window && (*window < 7 || *window > 30))
      throw invalid_parameter("The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).");
    if (scheduled(s) && !force) throw marked_for_deletion();
    sm::Event ev;
    double when;
    if (force) {
      ev.mutable_purged()->set_name(s.name());
      when = ctx.now();
    } else {
      when = ctx.now() + static_cast<double>(window.value_or(30)) * kDay;
      auto* ds = ev.mutable_deletion_scheduled();
      ds->set_name(s.name());
      ds->set_deleted_date(ctx.now());
      ds->set_deletion_date(when);
    }
    d.add(ev);
    d.output = json::object{{"ARN", s.arn()}, {"Name", s.name()}, {"DeletionDate", when}};
  }

  void restore_secret(const Input& in, const CallContext& ctx, Decision& d) const {
    const Secret& s = must_find(in, ctx);
    if (scheduled(s)) {
      sm::Event ev;
      ev.mutable_restored()->set_name(s.name());
      ev.mutable_restored()->set_changed(ctx.now());
      d.add(ev);
    }
    d.output = json::object{{"ARN", s.arn()}, {"Name", s.name()}};
  }

  void update_version_stage(const Input& in, const CallContext& ctx, Decision& d) const {
    const Secret& s = must_find(in, ctx);
    if (scheduled(s)) throw marked_for_deletion();
    std::string stage(in.str("VersionStage"));
    std::string remove = in.str_or("RemoveFromVersionId", "");
    std::string move = in.str_or("MoveToVersionId", "");
    if (!remove.empty() && !version_by_id(s, remove))
      throw invalid_parameter("The parameter RemoveFromVersionId can't reference a version that doesn't exist: " + remove);
    if (!move.empty() && !version_by_id(s, move))
      throw invalid_parameter("The parameter MoveToVersionId can't reference a version that doesn't exist: " + move);
    const SecretVersion* holder = version_by_stage(s, stage);
    if (!remove.empty() && (!holder || holder->version_id() != remove))
      throw invalid_parameter("The staging label " + stage + " is not attached to version " + remove + ".");
    if (!move.empty() && holder && holder->version_id() != move && remove.empty())
      throw invalid_parameter("The parameter RemoveFromVersionId can't be empty. Staging label " + stage +
                              " is currently attached to version " + holder->version_id() +
                              ", so you must explicitly reference that version in RemoveFromVersionId.");
    if (stage == kCurrent && move.empty() && !remove.empty())
      throw invalid_parameter("You can only move staging label AWSCURRENT to a different secret version. It can't be completely removed.");
    d.output = json::object{{"ARN", s.arn()}, {"Name", s.name()}};
    if (move.empty() && remove.empty()) return;  // names no version: nothing changes
    sm::Event ev;
    auto* m = ev.mutable_stage_moved();
    m->set_name(s.name());
    m->set_stage(stage);
    m->set_remove_from(remove);
    m->set_move_to(move);
    m->set_changed(ctx.now());
    d.add(ev);
  }

  void list_version_ids(const Input& in, const CallContext& ctx, Decision& d) const {
    const Secret& s = must_find(in, ctx);
    bool deprecated = in.flag("IncludeDeprecated");
    Page page = make_page(in);
    // The page key is the creation order of the last version listed.
    std::optional<uint64_t> after;
    if (!page.after().empty()) {
      char* end = nullptr;
      after = std::strtoull(page.after().c_str(), &end, 10);
      if (*end != '\0') throw invalid_next_token();
    }
    json::array versions;
    for (auto& v : s.versions()) {
      if (after && v.order() <= *after) continue;
      if (v.stages_size() == 0 && !deprecated) continue;
      if (page.full(versions.size(), std::to_string(v.order()))) break;
      json::object o{{"VersionId", v.version_id()}};
      // VersionStages has at least one member in the model: a deprecated version has none to show.
      if (v.stages_size()) o["VersionStages"] = stages_json(v);
      o["CreatedDate"] = v.created_date();
      // AWS names the AWS managed key this way when the secret has no KmsKeyId.
      o["KmsKeyIds"] = json::array{json::string(s.kms_key_id().empty() ? "DefaultEncryptionKey" : s.kms_key_id())};
      versions.push_back(std::move(o));
    }
    json::object out{{"Versions", std::move(versions)}, {"ARN", s.arn()}, {"Name", s.name()}};
    page.emit(out);
    d.output = std::move(out);
  }

  void tag_resource(const Input& in, const CallContext& ctx, Decision& d) const {
    const Secret& s = must_find(in, ctx);
    sm::Event ev;
    auto* add = ev.mutable_tags_added();
    add->set_name(s.name());
    add->set_changed(ctx.now());
    for (auto& t : *in.array("Tags")) {
      const auto& o = t.as_object();
      auto* tag = add->add_tags();
      if (auto* k = o.if_contains("Key"); k && k->is_string()) tag->set_key(std::string(k->as_string()));
      if (auto* v = o.if_contains("Value"); v && v->is_string()) tag->set_value(std::string(v->as_string()));
    }
    d.add(ev);
  }

  void untag_resource(const Input& in, const CallContext& ctx, Decision& d) const {
    const Secret& s = must_find(in, ctx);
    sm::Event ev;
    auto* rm = ev.mutable_tags_removed();
    rm->set_name(s.name());
    rm->set_changed(ctx.now());
    for (auto& k : *in.array("TagKeys")) rm->add_keys(std::string(k.as_string()));
    d.add(ev);
  }

  void get_random_password(const Input& in, const CallContext&, Decision& d) const {
    int64_t length = in.opt_int("PasswordLength").value_or(32);
    std::string exclude = in.str_or("ExcludeCharacters", "");
    std::vector<std::string> classes;
    if (!in.flag("ExcludeLowercase")) classes.emplace_back("abcdefghijklmnopqrstuvwxyz");
    if (!in.flag("ExcludeUppercase")) classes.emplace_back("ABCDEFGHIJKLMNOPQRSTUVWXYZ");
    if (!in.flag("ExcludeNumbers")) classes.emplace_back("0123456789");
    if (!in.flag("ExcludePunctuation")) classes.emplace_back("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~");
    if (in.flag("IncludeSpace")) classes.emplace_back(" ");
    for (auto& c : classes)
      c.erase(std::remove_if(c.begin(), c.end(), [&](char x) { return exclude.find(x) != std::string::npos; }), c.end());
    classes.erase(std::remove_if(classes.begin(), classes.end(), [](auto& c) { return c.empty(); }), classes.end());
    bool each = in.flag("RequireEachIncludedType", true);
    if (classes.empty() || (each && static_cast<int64_t>(classes.size()) > length))
      throw invalid_parameter("The password length is too short to include every required character type, or every character is excluded.");
    std::string all;
    for (auto& c : classes) all += c;
    std::string pw = random_chars(static_cast<size_t>(length), all);
    if (each)  // one of each class at distinct positions
      for (size_t i = 0; i < classes.size(); ++i) pw[i] = random_chars(1, classes[i])[0];
    // Shuffle so the guaranteed characters are not always first.
    std::string order = random_chars(pw.size(), kAlnum);
    for (size_t i = pw.size(); i > 1; --i) std::swap(pw[i - 1], pw[static_cast<unsigned char>(order[i - 1]) % i]);
    d.output = json::object{{"RandomPassword", pw}};
  }

  Partitions<Partition> parts_;
};

}  // namespace

std::unique_ptr<Service> make_secretsmanager_service() { return std::make_unique<SecretsManagerService>(); }

}  // namespace podstack
