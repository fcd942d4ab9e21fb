// SSM parameter writes: PutParameter, DeleteParameter, DeleteParameters,
// LabelParameterVersion, UnlabelParameterVersion.
// https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_PutParameter.html
#include <regex>

#include "server/protocol/encoding.h"
#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "server/services/arn.h"
#include "server/services/ssm/ssm_errors.h"
#include "server/services/ssm/ssm_service.h"
#include "server/services/ssm/ssm_util.h"

namespace podstack::ssm {
namespace {

// https://docs.aws.amazon.com/systems-manager/latest/userguide/sysman-parameter-name-constraints.html
void validate_name(std::string_view name) {
  std::string l = lower(name[0] == '/' ? name.substr(1) : name);
  if (l.rfind("aws", 0) == 0 || l.rfind("ssm", 0) == 0)
    throw ApiError::validation("Parameter name: can't be prefixed with \"aws\" or \"ssm\" (case-insensitive). If formed as a path, it can consist of sub-paths divided by slash symbol; each sub-path can be formed as a mix of letters, numbers and the following 3 symbols .-_");
  if (name.find('/') != std::string_view::npos && name[0] != '/')
    throw ApiError::validation("Parameter name must be a fully qualified name.");
  if (name.find("//") != std::string_view::npos || (name.size() > 1 && name.back() == '/'))
    throw ApiError::validation("Parameter name: can't be prefixed with \"aws\" or \"ssm\" (case-insensitive). If formed as a path, it can consist of sub-paths divided by slash symbol; each sub-path can be formed as a mix of letters, numbers and the following 3 symbols .-_");
  for (char c : name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-' || c == '/'))
      throw ApiError::validation("Parameter name: can't be prefixed with \"aws\" or \"ssm\" (case-insensitive). If formed as a path, it can consist of sub-paths divided by slash symbol; each sub-path can be formed as a mix of letters, numbers and the following 3 symbols .-_");
  int levels = static_cast<int>(std::count(name.begin(), name.end(), '/'));
  if (levels > kMaxHierarchyLevels)
    throw hierarchy_level_limit_exceeded_exception("A hierarchy can have a maximum of 15 levels. For more information, see Requirements and Constraints for Parameter Names in the AWS Systems Manager User Guide.");
}

bool valid_label(std::string_view l) {
  if (l.empty() || l.size() > 100) return false;
  std::string low = lower(l);
  if (low.rfind("aws", 0) == 0 || low.rfind("ssm", 0) == 0) return false;
  if (std::isdigit(static_cast<unsigned char>(l[0]))) return false;
  for (char c : l)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-')) return false;
  return true;
}

}  // namespace

void SsmService::put_parameter(const Request& req, Decision& d) const {
  const Input& in = req.in;
  const CallContext& ctx = req.ctx;
  std::string name = strip_arn(in.str("Name"));
  std::string_view value = in.str("Value");
  validate_name(name);
  bool overwrite = in.flag("Overwrite");
  const json::array* tags = in.array("Tags");
  if (overwrite && tags && !tags->empty())
    throw ApiError::validation("Invalid request: tags and overwrite can't be used together. To create a parameter with tags, please remove overwrite flag. To update tags for an existing parameter, please use AddTagsToResource or RemoveTagsFromResource.");
  const Parameter* existing = find(ctx, name);
  if (existing && !overwrite)
    throw parameter_already_exists();
  const ParameterVersion* prev = existing ? &latest(*existing) : nullptr;
  if (existing && existing->versions_size() >= static_cast<int>(kMaxVersions) && existing->versions(0).labels_size() > 0)
    throw parameter_max_version_limit_exceeded(name, existing->versions(0).version());

  ParameterVersion v;
  std::string type = in.str_or("Type", prev ? prev->type() : "");
  if (type.empty()) throw ApiError::validation("A parameter type is required when you create a parameter.");
  v.set_type(type);
  v.set_value(std::string(value));
  v.set_version(prev ? prev->version() + 1 : 1);
  v.set_description(in.has("Description") ? std::string(*in.opt_str("Description")) : prev ? prev->description() : "");
  v.set_allowed_pattern(in.has("AllowedPattern") ? std::string(*in.opt_str("AllowedPattern")) : prev ? prev->allowed_pattern() : "");
  std::string tier = in.str_or("Tier", prev ? prev->tier() : "Standard");
  if (tier == "Intelligent-Tiering") tier = value.size() > kStandardValueLimit ? "Advanced" : "Standard";
  if (prev && prev->tier() == "Advanced" && tier == "Standard")
    throw ApiError::validation("This parameter uses the advanced-parameter tier. You can't downgrade a parameter from the advanced-parameter tier to the standard-parameter tier. If necessary, you can delete the advanced parameter and recreate it as a standard parameter.");
  v.set_tier(tier);
  std::string data_type = in.str_or("DataType", prev ? prev->data_type() : "text");
  if (data_type != "text" && data_type != "aws:ec2:image" && data_type != "aws:ssm:integration")
    throw ApiError::validation("The following data type is not supported: " + data_type + " (Data type names are all lowercase.)");
  v.set_data_type(data_type);
  if (type == "SecureString") v.set_key_id(in.str_or("KeyId", prev && prev->type() == "SecureString" ? prev->key_id() : "alias/aws/ssm"));
  else if (in.has("KeyId")) throw ApiError::validation("KeyId is required for SecureString type parameter only.");
  if (auto pol = in.opt_str("Policies")) v.set_policies(std::string(*pol));
  size_t limit = tier == "Advanced" ? kAdvancedValueLimit : kStandardValueLimit;
  if (protocol::utf8_length(value) > limit)
    throw ApiError::validation(tier == "Advanced"
                                   ? "1 validation error detected: Value at 'value' failed to satisfy constraint: Member must have length less than or equal to 8192"
                                   : "Standard tier parameters support a maximum parameter value of 4096 characters. To create a larger parameter value, upgrade the parameter to use the advanced-parameter tier. For more information, see https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-advanced-parameters.html");
  if (value.empty())
    throw ApiError::validation("1 validation error detected: Value '' at 'value' failed to satisfy constraint: Member must have length greater than or equal to 1.");
  if (!v.allowed_pattern().empty()) {
    bool ok = false;
    try {
      ok = std::regex_match(std::string(value), std::regex(v.allowed_pattern(), std::regex::ECMAScript));
    } catch (const std::regex_error&) {
      throw ApiError::validation("Parameter AllowedPattern is not a valid regular expression: " + v.allowed_pattern());
    }
    if (!ok)
      throw parameter_pattern_mismatch_exception(v.allowed_pattern());
  }
  v.set_last_modified(ctx.now());
  v.set_last_modified_user(arn_prefix(ctx.region) + "iam::" + ctx.account + ":root");

  ssm::Event ev;
  auto* put = ev.mutable_put();
  put->set_name(existing ? existing->name() : name);  // "/x" overwrites "x" and vice versa
  *put->mutable_version() = v;
  if (tags) {
    if (tags->size() > kMaxTags) throw too_many_tags_error("The Tags parameter contains more than 50 tags.");
    std::map<std::string, std::string> sorted;
    for (auto& t : *tags) sorted[std::string(t.at("Key").as_string())] = std::string(t.at("Value").as_string());
    for (auto& [k, val] : sorted) {
      auto* tag = put->add_tags();
      tag->set_key(k);
      tag->set_value(val);
    }
  }
  d.add(std::move(ev));
  json::object out;
  out["Version"] = v.version();
  out["Tier"] = v.tier();
  d.output = std::move(out);
}

void SsmService::delete_parameter(const Request& req, Decision& d) const {
  const Input& in = req.in;
  const CallContext& ctx = req.ctx;
  std::string name = strip_arn(in.str("Name"));
  const Parameter* p = find(ctx, name);
  if (!p) throw parameter_not_found(name);
  ssm::Event ev;
  ev.mutable_deleted()->add_names(p->name());
  d.add(std::move(ev));
}

void SsmService::delete_parameters(const Request& req, Decision& d) const {
  const Input& in = req.in;
  const CallContext& ctx = req.ctx;
  json::array deleted, invalid;
  ssm::Event ev;
  for (auto& n : *in.array("Names")) {
    const Parameter* p = find(ctx, strip_arn(n.as_string()));
    auto& names = *ev.mutable_deleted()->mutable_names();
    if (p && std::find(names.begin(), names.end(), p->name()) == names.end()) {
      ev.mutable_deleted()->add_names(p->name());
      deleted.push_back(json::string(n.as_string()));
    } else if (!p) {
      invalid.push_back(json::string(n.as_string()));
    }
  }
  if (ev.deleted().names_size()) d.add(std::move(ev));
  json::object out;
  out["DeletedParameters"] = std::move(deleted);
  out["InvalidParameters"] = std::move(invalid);
  d.output = std::move(out);
}

void SsmService::label_parameter_version(const Request& req, Decision& d) const {
  const Input& in = req.in;
  const CallContext& ctx = req.ctx;
  std::string name = strip_arn(in.str("Name"));
  const Parameter* p = find(ctx, name);
  if (!p) throw parameter_not_found(name);
  int64_t version = in.opt_int("ParameterVersion").value_or(latest(*p).version());
  const ParameterVersion* target = nullptr;
  for (auto& v : p->versions())
    if (v.version() == version) target = &v;
  if (!target)
    throw parameter_version_not_found(version, name);
  json::array invalid;
  std::vector<std::string> good;
  for (auto& l : *in.array("Labels")) {
    std::string label(l.as_string());
    if (!valid_label(label)) invalid.push_back(json::string(label));
    else if (std::find(good.begin(), good.end(), label) == good.end()) good.push_back(label);
  }
  size_t total = target->labels_size();
  for (auto& l : good)
    if (std::find(target->labels().begin(), target->labels().end(), l) == target->labels().end()) ++total;
  if (total > kMaxLabelsPerVersion)
    throw parameter_version_label_limit_exceeded();
  if (!good.empty()) {
    ssm::Event ev;
    auto* m = ev.mutable_labels_moved();
    m->set_name(p->name());
    m->set_version(version);
    for (auto& l : good) m->add_labels(l);
    d.add(std::move(ev));
  }
  json::object out;
  out["InvalidLabels"] = std::move(invalid);
  out["ParameterVersion"] = version;
  d.output = std::move(out);
}

// https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_UnlabelParameterVersion.html
// RemovedLabels: the labels taken off; InvalidLabels: those not attached to
// that version (either list is present, possibly empty).
void SsmService::unlabel_parameter_version(const Request& req, Decision& d) const {
  const Input& in = req.in;
  const CallContext& ctx = req.ctx;
  std::string name = strip_arn(in.str("Name"));
  const Parameter* p = find(ctx, name);
  if (!p) throw parameter_not_found(name);
  int64_t version = in.opt_int("ParameterVersion").value_or(0);
  const ParameterVersion* target = nullptr;
  for (auto& v : p->versions())
    if (v.version() == version) target = &v;
  if (!target) throw parameter_version_not_found(version, name);
  json::array removed, invalid;
  ssm::Event ev;
  auto* rm = ev.mutable_labels_removed();
  rm->set_name(p->name());
  rm->set_version(version);
  for (auto& l : *in.array("Labels")) {
    std::string label(l.as_string());
    bool attached = std::find(target->labels().begin(), target->labels().end(), label) != target->labels().end();
    bool repeated = std::find(rm->labels().begin(), rm->labels().end(), label) != rm->labels().end();
    if (repeated) continue;
    if (attached) {
      rm->add_labels(label);
      removed.push_back(json::string(label));
    } else if (std::find(invalid.begin(), invalid.end(), json::value(json::string(label))) == invalid.end()) {
      invalid.push_back(json::string(label));
    }
  }
  if (rm->labels_size()) d.add(std::move(ev));
  json::object out;
  out["RemovedLabels"] = std::move(removed);
  out["InvalidLabels"] = std::move(invalid);
  d.output = std::move(out);
}

}  // namespace podstack::ssm
