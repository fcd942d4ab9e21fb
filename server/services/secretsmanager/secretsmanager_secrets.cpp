// Secrets Manager secrets: CreateSecret, GetSecretValue, PutSecretValue,
// UpdateSecret, DescribeSecret, DeleteSecret, RestoreSecret,
// UpdateSecretVersionStage, ListSecretVersionIds, TagResource,
// UntagResource, GetRandomPassword. Writes to a replica are refused
// (must_find_primary); reads of a replica serve its primary's content.
// https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_Operations.html
#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "server/services/arn.h"
#include "server/services/secretsmanager/secretsmanager_errors.h"
#include "server/services/secretsmanager/secretsmanager_service.h"
#include "server/services/secretsmanager/secretsmanager_util.h"

namespace podstack::secretsmanager {
namespace {

bool same_value(const SecretVersion& v, const Input& in) {
  auto s = in.opt_str("SecretString");
  auto b = in.opt_str("SecretBinary");
  return v.has_string() == s.has_value() && v.has_binary() == b.has_value() && (!s || v.secret_string() == *s) &&
         (!b || v.secret_binary() == *b);
}

void read_value(const Input& in, SecretVersion& v) {
  auto s = in.opt_str("SecretString");
  auto b = in.opt_str("SecretBinary");
  if (s && b)
    throw invalid_parameter_exception("You can't specify both a binary secret value and a string secret value in the same secret.");
  if (s) {
    v.set_has_string(true);
    v.set_secret_string(std::string(*s));
  }
  if (b) {
    v.set_has_binary(true);
    v.set_secret_binary(std::string(*b));
  }
}

// Shared by PutSecretValue and UpdateSecret: a new version, or an idempotent
// repeat; a version RotateSecret staged without a value takes this one.
std::string put_version(const Input& in, const CallContext& ctx, const Secret& s, std::vector<std::string> stages,
                        Decision& d, bool* created) {
  std::string token = client_request_token(in);
  if (const SecretVersion* existing = version_by_id(s, token); existing && has_value(*existing)) {
    if (!same_value(*existing, in)) throw token_in_use(token, s.arn());
    *created = false;
    return token;
  }
  SecretVersion v;
  read_value(in, v);
  v.set_version_id(token);
  v.set_created_date(ctx.now());
  for (auto& st : stages) v.add_stages(st);
  Event ev;
  auto* vp = ev.mutable_version_put();
  vp->set_name(s.name());
  *vp->mutable_version() = std::move(v);
  vp->set_changed(ctx.now());
  d.add(std::move(ev));
  *created = true;
  return token;
}

}  // namespace

std::string client_request_token(const Input& in) {
  auto t = in.opt_str("ClientRequestToken");
  if (!t) return random_uuid();
  if (t->size() < 32 || t->size() > 64) throw bad_client_request_token();
  return std::string(*t);
}

void SecretsManagerService::create_secret(const Request& req, Decision& d) const {
  const Input& in = req.in;
  const CallContext& ctx = req.ctx;
  std::string name(in.str("Name"));
  for (char c : name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || std::string_view("/_+=.@-").find(c) != std::string_view::npos))
      throw ApiError::validation("Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!");
  SecretVersion v;
  read_value(in, v);
  std::string token = client_request_token(in);
  const SecretPartition* p = part(ctx);
  if (p) {
    auto it = p->secrets.find(name);
    if (it != p->secrets.end() && !expired(it->second, ctx.now())) {
      const Secret& old = it->second;
      if (scheduled(old))
        throw invalid_request_exception("You can't create this secret because a secret with this name is already scheduled for deletion.");
      // A retried CreateSecret (the same ClientRequestToken): the same value
      // answers as the first call did; another value is refused.
      if (auto t = in.opt_str("ClientRequestToken"))
        if (const SecretVersion* same = version_by_id(old, *t)) {
          if (!same_value(*same, in)) throw token_in_use(std::string(*t), old.arn());
          json::object out{{"ARN", old.arn()}, {"Name", old.name()}, {"VersionId", same->version_id()}};
          if (old.replicas_size()) out["ReplicationStatus"] = replication_json(old);
          d.output = std::move(out);
          return;
        }
      throw resource_exists_exception("The operation failed because the secret " + name + " already exists.");
    }
  }
  purge_if_expired(ctx, name, d);
  Secret s;
  s.set_name(name);
  s.set_arn(arn_prefix(ctx.region) + "secretsmanager:" + ctx.region + ":" + ctx.account + ":secret:" + name + "-" + random_chars(6, kAlnum));
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
    v.set_version_id(token);
    v.set_created_date(ctx.now());
    v.add_stages(std::string(kCurrent));
    v.set_order(0);
    s.set_next_order(1);
    out["VersionId"] = v.version_id();
    *s.add_versions() = std::move(v);
  }
  Event ev;
  *ev.mutable_created()->mutable_secret() = s;
  d.add(std::move(ev));
  if (auto* regions = in.array("AddReplicaRegions"); regions && !regions->empty())
    out["ReplicationStatus"] = add_replicas(ctx, s, *regions, in.flag("ForceOverwriteReplicaSecret"), d);
  d.output = std::move(out);
}

void SecretsManagerService::get_secret_value(const Request& req, Decision& d) const {
  const Input& in = req.in;
  const CallContext& ctx = req.ctx;
  const Secret& shown = must_find(in, ctx);
  const Secret& s = content_of(ctx, shown);
  if (scheduled(s)) throw marked_for_deletion();
  auto vid = in.opt_str("VersionId");
  auto stage = in.opt_str("VersionStage");
  const SecretVersion* v = nullptr;
  if (vid) {
    v = version_by_id(s, *vid);
    if (!v || !has_value(*v))
      throw resource_not_found_exception("Secrets Manager can't find the specified secret value for VersionId: " + std::string(*vid));
    if (stage && !has_stage(*v, *stage))
      throw invalid_request_exception("You provided a VersionStage that is not associated to the provided VersionId.");
  } else {
    std::string_view label = stage ? *stage : kCurrent;
    v = version_by_stage(s, label);
    if (!v || !has_value(*v))
      throw resource_not_found_exception("Secrets Manager can't find the specified secret value for staging label: " + std::string(label));
  }
  json::object out{{"ARN", shown.arn()}, {"Name", s.name()}, {"VersionId", v->version_id()}};
  if (v->has_string()) out["SecretString"] = v->secret_string();
  if (v->has_binary()) out["SecretBinary"] = json::string(v->secret_binary());
  out["VersionStages"] = stages_json(*v);
  out["CreatedDate"] = v->created_date();
  d.output = std::move(out);
}

void SecretsManagerService::put_secret_value(const Request& req, Decision& d) const {
  const Input& in = req.in;
  const CallContext& ctx = req.ctx;
  const Secret& s = must_find_primary(in, ctx);
  if (scheduled(s)) throw marked_for_deletion();
  if (!in.has("SecretString") && !in.has("SecretBinary"))
    throw invalid_request_exception("You must provide either SecretString or SecretBinary.");
  if (in.has("SecretString") && in.has("SecretBinary"))
    throw invalid_parameter_exception("You can't specify both a binary secret value and a string secret value in the same secret.");
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

void SecretsManagerService::update_secret(const Request& req, Decision& d) const {
  const Input& in = req.in;
  const CallContext& ctx = req.ctx;
  const Secret& s = must_find_primary(in, ctx);
  if (scheduled(s)) throw marked_for_deletion();
  json::object out{{"ARN", s.arn()}, {"Name", s.name()}};
  if (in.has("Description") || in.has("KmsKeyId")) {
    Event ev;
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
    d.add(std::move(ev));
  }
  if (in.has("SecretString") || in.has("SecretBinary")) {
    if (in.has("SecretString") && in.has("SecretBinary"))
      throw invalid_parameter_exception("You can't specify both a binary secret value and a string secret value in the same secret.");
    bool created = false;
    out["VersionId"] = put_version(in, ctx, s, {std::string(kCurrent)}, d, &created);
  }
  d.output = std::move(out);
}

void SecretsManagerService::describe_secret(const Request& req, Decision& d) const {
  const Secret& s = must_find(req.in, req.ctx);
  d.output = describe(s, content_of(req.ctx, s), req.ctx.region);
}

void SecretsManagerService::delete_secret(const Request& req, Decision& d) const {
  const Input& in = req.in;
  const CallContext& ctx = req.ctx;
  const Secret& s = must_find_primary(in, ctx);
  bool force = in.flag("ForceDeleteWithoutRecovery");
  auto window = in.opt_int("RecoveryWindowInDays");
  if (force && window)
    throw invalid_parameter_exception("You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.");
  if (window && (*window < 7 || *window > 30))
    throw invalid_parameter_exception("The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).");
  if (scheduled(s) && !force) throw marked_for_deletion();
  if (s.replicas_size()) throw primary_has_replicas(s.name());
  Event ev;
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
  d.add(std::move(ev));
  d.output = json::object{{"ARN", s.arn()}, {"Name", s.name()}, {"DeletionDate", when}};
}

void SecretsManagerService::restore_secret(const Request& req, Decision& d) const {
  const Input& in = req.in;
  const CallContext& ctx = req.ctx;
  const Secret& s = must_find_primary(in, ctx);
  if (scheduled(s)) {
    Event ev;
    ev.mutable_restored()->set_name(s.name());
    ev.mutable_restored()->set_changed(ctx.now());
    d.add(std::move(ev));
  }
  d.output = json::object{{"ARN", s.arn()}, {"Name", s.name()}};
}

void SecretsManagerService::update_version_stage(const Request& req, Decision& d) const {
  const Input& in = req.in;
  const CallContext& ctx = req.ctx;
  const Secret& s = must_find_primary(in, ctx);
  if (scheduled(s)) throw marked_for_deletion();
  std::string stage(in.str("VersionStage"));
  std::string remove = in.str_or("RemoveFromVersionId", "");
  std::string move = in.str_or("MoveToVersionId", "");
  if (!remove.empty() && !version_by_id(s, remove))
    throw invalid_parameter_exception("The parameter RemoveFromVersionId can't reference a version that doesn't exist: " + remove);
  if (!move.empty() && !version_by_id(s, move))
    throw invalid_parameter_exception("The parameter MoveToVersionId can't reference a version that doesn't exist: " + move);
  const SecretVersion* holder = version_by_stage(s, stage);
  if (!remove.empty() && (!holder || holder->version_id() != remove))
    throw invalid_parameter_exception("The staging label " + stage + " is not attached to version " + remove + ".");
  if (!move.empty() && holder && holder->version_id() != move && remove.empty())
    throw invalid_parameter_exception("The parameter RemoveFromVersionId can't be empty. Staging label " + stage +
                            " is currently attached to version " + holder->version_id() +
                            ", so you must explicitly reference that version in RemoveFromVersionId.");
  if (stage == kCurrent && move.empty() && !remove.empty())
    throw invalid_parameter_exception("You can only move staging label AWSCURRENT to a different secret version. It can't be completely removed.");
  d.output = json::object{{"ARN", s.arn()}, {"Name", s.name()}};
  if (move.empty() && remove.empty()) return;  // names no version: nothing changes
  Event ev;
  auto* m = ev.mutable_stage_moved();
  m->set_name(s.name());
  m->set_stage(stage);
  m->set_remove_from(remove);
  m->set_move_to(move);
  m->set_changed(ctx.now());
  d.add(std::move(ev));
}

void SecretsManagerService::list_version_ids(const Request& req, Decision& d) const {
  const Input& in = req.in;
  const CallContext& ctx = req.ctx;
  const Secret& shown = must_find(in, ctx);
  const Secret& s = content_of(ctx, shown);
  bool deprecated = in.flag("IncludeDeprecated");
  Page page = make_page(in);
  // The page key is the creation order of the last version listed.
  std::optional<uint64_t> after;
  if (!page.after().empty()) {
    char* end = nullptr;
    after = std::strtoull(page.after().c_str(), &end, 10);
    if (*end != '\0') throw invalid_next_token_exception();
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
  json::object out{{"Versions", std::move(versions)}, {"ARN", shown.arn()}, {"Name", s.name()}};
  page.emit(out);
  d.output = std::move(out);
}

void SecretsManagerService::tag_resource(const Request& req, Decision& d) const {
  const Input& in = req.in;
  const CallContext& ctx = req.ctx;
  const Secret& s = must_find_primary(in, ctx);
  if (scheduled(s)) throw marked_for_deletion();
  Event ev;
  auto* add = ev.mutable_tags_added();
  add->set_name(s.name());
  add->set_changed(ctx.now());
  for (auto& t : *in.array("Tags")) {
    const auto& o = t.as_object();
    auto* tag = add->add_tags();
    if (auto* k = o.if_contains("Key"); k && k->is_string()) tag->set_key(std::string(k->as_string()));
    if (auto* v = o.if_contains("Value"); v && v->is_string()) tag->set_value(std::string(v->as_string()));
  }
  d.add(std::move(ev));
}

void SecretsManagerService::untag_resource(const Request& req, Decision& d) const {
  const Input& in = req.in;
  const CallContext& ctx = req.ctx;
  const Secret& s = must_find_primary(in, ctx);
  if (scheduled(s)) throw marked_for_deletion();
  Event ev;
  auto* rm = ev.mutable_tags_removed();
  rm->set_name(s.name());
  rm->set_changed(ctx.now());
  for (auto& k : *in.array("TagKeys")) rm->add_keys(std::string(k.as_string()));
  d.add(std::move(ev));
}

void SecretsManagerService::get_random_password(const Request& req, Decision& d) const {
  const Input& in = req.in;
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
    throw invalid_parameter_exception("The password length is too short to include every required character type, or every character is excluded.");
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

}  // namespace podstack::secretsmanager
