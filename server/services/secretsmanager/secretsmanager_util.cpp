// Secrets Manager helpers (see secretsmanager_util.h).
#include "server/services/secretsmanager/secretsmanager_util.h"

#include "server/services/secretsmanager/secretsmanager_errors.h"

namespace podstack::secretsmanager {
namespace {

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

}  // namespace

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

json::array stages_json(const SecretVersion& v) {
  json::array st;
  for (auto& l : v.stages()) st.push_back(json::string(l));
  return st;
}

json::object rotation_rules_json(const RotationRules& r) {
  json::object o;
  if (r.automatically_after_days()) o["AutomaticallyAfterDays"] = r.automatically_after_days();
  if (!r.schedule_expression().empty()) o["ScheduleExpression"] = r.schedule_expression();
  if (!r.duration().empty()) o["Duration"] = r.duration();
  return o;
}

json::array replication_json(const Secret& s) {
  json::array a;
  for (auto& r : s.replicas()) {
    json::object o{{"Region", r.region()}, {"Status", r.status()}};
    if (!r.kms_key_id().empty()) o["KmsKeyId"] = r.kms_key_id();
    if (!r.status_message().empty()) o["StatusMessage"] = r.status_message();
    a.push_back(std::move(o));
  }
  return a;
}

json::object describe(const Secret& shown, const Secret& s, const std::string& region) {
  json::object o{{"ARN", shown.arn()}, {"Name", s.name()}};
  if (!s.description().empty()) o["Description"] = s.description();
  if (!shown.kms_key_id().empty()) o["KmsKeyId"] = shown.kms_key_id();
  // AWS shows the rotation members only once RotateSecret has configured it
  // (LocalStack's recorded AWS answers: a new secret has no RotationEnabled).
  if (s.rotation_configured()) {
    o["RotationEnabled"] = s.rotation_enabled();
    if (!s.rotation_lambda_arn().empty()) o["RotationLambdaARN"] = s.rotation_lambda_arn();
    json::object rules = rotation_rules_json(s.rotation_rules());
    if (!rules.empty()) o["RotationRules"] = std::move(rules);
    if (s.rotation_enabled() && s.next_rotation_date() > 0) o["NextRotationDate"] = s.next_rotation_date();
  }
  o["LastChangedDate"] = s.last_changed_date();
  if (scheduled(s)) o["DeletedDate"] = s.deleted_date();
  if (s.tags_size()) o["Tags"] = tags_json(s);
  o["VersionIdsToStages"] = stages_map(s);
  o["CreatedDate"] = shown.created_date();
  if (!shown.primary_region().empty()) {
    o["PrimaryRegion"] = shown.primary_region();
  } else if (s.replicas_size()) {
    o["PrimaryRegion"] = region;
    o["ReplicationStatus"] = replication_json(s);
  }
  return o;
}

Page make_page(const Input& in, int64_t default_max) {
  try {
    return Page(in, default_max);
  } catch (const ApiError&) {
    throw invalid_next_token_exception();
  }
}

}  // namespace podstack::secretsmanager
