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

json::object describe(const Secret& s) {
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

Page make_page(const Input& in) {
  try {
    return Page(in, 100);
  } catch (const ApiError&) {
    throw invalid_next_token_exception();
  }
}

}  // namespace podstack::secretsmanager
