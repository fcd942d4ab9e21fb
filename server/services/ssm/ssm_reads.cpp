// SSM parameter reads: GetParameter, GetParameters, GetParametersByPath,
// DescribeParameters, GetParameterHistory (with the ParameterFilters the
// last three share).
// https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_GetParametersByPath.html
#include "server/protocol/encoding.h"
#include "server/services/pagination.h"
#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "server/services/ssm/ssm_errors.h"
#include "server/services/ssm/ssm_service.h"
#include "server/services/ssm/ssm_util.h"

namespace podstack::ssm {
namespace {

// Not real encryption: what a client without kms:Decrypt sees instead of the value.
std::string fake_ciphertext(const ParameterVersion& v) {
  return protocol::base64_encode("kms:" + (v.key_id().empty() ? std::string("alias/aws/ssm") : v.key_id()) + ":" + v.value());
}

json::object parameter_json(const CallContext& ctx, const Parameter& p, const ParameterVersion& v, bool decrypt,
                            std::string_view selector = {}) {
  json::object o;
  o["Name"] = p.name();
  o["Type"] = v.type();
  o["Value"] = v.type() == "SecureString" && !decrypt ? fake_ciphertext(v) : v.value();
  o["Version"] = v.version();
  if (!selector.empty()) o["Selector"] = selector;
  o["LastModifiedDate"] = v.last_modified();
  o["ARN"] = arn_of(ctx, p.name());
  o["DataType"] = v.data_type().empty() ? "text" : v.data_type();
  return o;
}

void common_metadata(json::object& o, const Parameter& p, const ParameterVersion& v) {
  o["Name"] = p.name();
  o["Type"] = v.type();
  if (v.type() == "SecureString") o["KeyId"] = v.key_id().empty() ? "alias/aws/ssm" : v.key_id();
  o["LastModifiedDate"] = v.last_modified();
  o["LastModifiedUser"] = v.last_modified_user();
  if (!v.description().empty()) o["Description"] = v.description();
  if (!v.allowed_pattern().empty()) o["AllowedPattern"] = v.allowed_pattern();
  o["Version"] = v.version();
  o["Tier"] = v.tier().empty() ? "Standard" : v.tier();
  o["Policies"] = json::array();
  o["DataType"] = v.data_type().empty() ? "text" : v.data_type();
}

// "name:3" -> version 3, "name:prod" -> label "prod".
struct Selector {
  std::string name;
  std::string selector;  // including the colon, as AWS echoes it
  std::optional<int64_t> version;
  std::string label;
};

Selector parse_selector(std::string_view raw) {
  Selector s;
  std::string name = strip_arn(raw);
  size_t colon = name.rfind(':');
  if (colon == std::string::npos) {
    s.name = name;
    return s;
  }
  s.name = name.substr(0, colon);
  s.selector = name.substr(colon);
  std::string_view sel = std::string_view(name).substr(colon + 1);
  if (!sel.empty() && sel.find_first_not_of("0123456789") == std::string_view::npos)
    s.version = std::strtoll(std::string(sel).c_str(), nullptr, 10);
  else
    s.label = std::string(sel);
  return s;
}

struct Resolved {
  const Parameter* param = nullptr;
  const ParameterVersion* version = nullptr;
};

// Finds the parameter/version a selector names, or throws AWS's error.
Resolved resolve(const ParameterPartition* part, const Selector& s) {
  Resolved r;
  r.param = find_param(part, s.name);
  if (!r.param) throw parameter_not_found(s.name);
  if (s.version) {
    for (auto& v : r.param->versions())
      if (v.version() == *s.version) r.version = &v;
    if (!r.version)
      throw parameter_version_not_found(*s.version, s.name);
  } else if (!s.label.empty()) {
    for (auto& v : r.param->versions())
      for (auto& l : v.labels())
        if (l == s.label) r.version = &v;
    if (!r.version) throw parameter_not_found(s.name + s.selector);
  } else {
    r.version = &latest(*r.param);
  }
  return r;
}

// ParameterFilters, shared by DescribeParameters and GetParametersByPath.
struct StringFilter {
  std::string key, option;
  std::vector<std::string> values;
};

std::vector<StringFilter> read_filters(const json::array* arr) {
  std::vector<StringFilter> out;
  if (!arr) return out;
  for (auto& f : *arr) {
    const auto& o = f.as_object();
    StringFilter sf;
    sf.key = std::string(o.at("Key").as_string());
    if (auto* op = o.if_contains("Option")) sf.option = std::string(op->as_string());
    if (auto* vs = o.if_contains("Values"))
      for (auto& v : vs->as_array()) sf.values.emplace_back(v.as_string());
    out.push_back(std::move(sf));
  }
  return out;
}

bool is_child(std::string_view name, std::string_view path, bool recursive) {
  std::string p(path);
  if (p.empty() || p.back() != '/') p += '/';
  if (p == "/") {
    if (name.empty()) return false;
    if (recursive) return true;
    return name[0] == '/' ? name.find('/', 1) == std::string_view::npos : name.find('/') == std::string_view::npos;
  }
  if (name.rfind(p, 0) != 0 || name.size() == p.size()) return false;
  return recursive || name.find('/', p.size()) == std::string_view::npos;
}

bool filter_matches(const StringFilter& f, const Parameter& p, const ParameterVersion& v) {
  auto any = [&](auto pred) {
    for (auto& val : f.values)
      if (pred(val)) return true;
    return false;
  };
  const std::string& opt = f.option;
  auto compare = [&](const std::string& actual) {
    return any([&](const std::string& val) {
      if (opt == "BeginsWith") return actual.rfind(val, 0) == 0;
      if (opt == "Contains") return actual.find(val) != std::string::npos;
      return actual == val;
    });
  };
  if (f.key == "Name") {
    // Name values may omit the leading slash; AWS matches both spellings.
    return any([&](const std::string& val) {
      auto match = [&](const std::string& n, const std::string& want) {
        if (opt == "BeginsWith") return n.rfind(want, 0) == 0;
        if (opt == "Contains") return n.find(want) != std::string::npos;
        return n == want;
      };
      std::string alt = !val.empty() && val[0] == '/' ? val.substr(1) : "/" + val;
      return match(p.name(), val) || (opt != "Contains" && match(p.name(), alt));
    });
  }
  if (f.key == "Path") {
    bool recursive = opt == "Recursive";
    return any([&](const std::string& val) { return is_child(p.name(), val, recursive); });
  }
  if (f.key == "Type") return compare(v.type());
  if (f.key == "KeyId") return v.type() == "SecureString" && compare(v.key_id().empty() ? "alias/aws/ssm" : v.key_id());
  if (f.key == "Tier") return compare(v.tier().empty() ? "Standard" : v.tier());
  if (f.key == "DataType") return compare(v.data_type().empty() ? "text" : v.data_type());
  if (f.key == "Label") {
    return any([&](const std::string& val) {
      for (auto& ver : p.versions())
        for (auto& l : ver.labels())
          if (l == val) return true;
      return false;
    });
  }
  if (f.key.rfind("tag:", 0) == 0) {
    std::string tk = f.key.substr(4);
    for (auto& t : p.tags())
      if (t.key() == tk) return f.values.empty() || compare(t.value());
    return false;
  }
  return false;
}

// AWS's checks, in its order: the key's pattern (a constraint of the model the
// codec does not check); then per filter the key for the operation, missing
// values, duplicates, the Path option and values, the Tier and Type values,
// the option for the key.
void check_filters(const std::vector<StringFilter>& filters, bool by_path) {
  for (size_t i = 0; i < filters.size(); ++i) {
    const std::string& k = filters[i].key;
    if (k.rfind("tag:", 0) == 0 ? k.size() > 4
                                : (k == "Name" || k == "Type" || k == "KeyId" || k == "Path" || k == "Label" || k == "Tier" || k == "DataType"))
      continue;
    throw ApiError::validation("1 validation error detected: Value \"" + k + "\" at \"parameterFilters." + std::to_string(i + 1) +
                               ".member.key\" failed to satisfy constraint: Member must satisfy regular expression pattern: "
                               "tag:.+|Name|Type|KeyId|Path|Label|Tier|DataType");
  }
  std::vector<std::string_view> seen;
  for (auto& f : filters) {
    const std::string& key = f.key;
    const bool tag = key.rfind("tag:", 0) == 0;
    if (!by_path && key == "Label")
      throw invalid_filter_key("The following filter key is not valid: Label. Valid filter keys include: [Path, Name, Type, KeyId, Tier].");
    if (by_path && (key == "Name" || key == "Path" || key == "Tier" || key == "DataType" || tag))
      throw invalid_filter_key("The following filter key is not valid: " + key + ". Valid filter keys include: [Type, KeyId].");
    if (!tag && f.values.empty())
      throw invalid_filter_value("The following filter values are missing : null for filter key " + key + ".");
    if (std::find(seen.begin(), seen.end(), key) != seen.end())
      throw invalid_filter_key("The following filter is duplicated in the request: " + key +
                               ". A request can contain only one occurrence of a specific filter.");
    seen.push_back(key);
    const std::string option = f.option.empty() ? (key == "Path" ? "OneLevel" : "Equals") : f.option;
    if (key == "Path") {
      if (option != "Recursive" && option != "OneLevel") throw invalid_filter_option(option, "[Recursive, OneLevel]");
      for (auto& v : f.values) {
        std::string l = lower(v);
        if (l.rfind("/aws", 0) == 0 || l.rfind("/ssm", 0) == 0)
          throw ApiError::validation(
              "Filters for common parameters can't be prefixed with \"aws\" or \"ssm\" (case-insensitive). When using global "
              "parameters, please specify within a global namespace.");
      }
      for (auto& v : f.values)
        if (v.empty() || v[0] != '/' || v.find("//") != std::string::npos ||
            v.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-/") != std::string::npos)
          throw ApiError::validation(
              "The parameter doesn't meet the parameter name requirements. The parameter name must begin with a forward slash "
              "\"/\". It can't be prefixed with \"aws\" or \"ssm\" (case-insensitive). It must use only letters, numbers, or "
              "the following symbols: . (period), - (hyphen), _ (underscore). Special characters are not allowed. All "
              "sub-paths, if specified, must use the forward slash symbol \"/\". Valid example: /get/parameters2-/by1./path0_.");
      continue;
    }
    if (key == "Tier")
      for (auto& v : f.values)
        if (v != "Standard" && v != "Advanced" && v != "Intelligent-Tiering")
          throw invalid_filter_value("The following filter value is not valid: " + v +
                                     ". Valid values include: [Standard, Advanced, Intelligent-Tiering].");
    if (key == "Type")
      for (auto& v : f.values)
        if (v != "String" && v != "StringList" && v != "SecureString")
          throw invalid_filter_value("The following filter value is not valid: " + v + ". Valid values include: [String, StringList, SecureString].");
    if (option != "Equals" && option != "BeginsWith" && !(key == "Name" && option == "Contains"))
      throw invalid_filter_option(option, "[BeginsWith, Equals]");
  }
}

}  // namespace

void SsmService::get_parameter(const Request& req, Decision& d) const {
  const Input& in = req.in;
  const CallContext& ctx = req.ctx;
  Selector s = parse_selector(in.str("Name"));
  Resolved r = resolve(part(ctx), s);
  json::object out;
  out["Parameter"] = parameter_json(ctx, *r.param, *r.version, in.flag("WithDecryption"), s.selector);
  d.output = std::move(out);
}

void SsmService::get_parameters(const Request& req, Decision& d) const {
  const Input& in = req.in;
  const CallContext& ctx = req.ctx;
  json::array found, invalid;
  std::vector<std::string> seen;
  for (auto& n : *in.array("Names")) {
    std::string raw(n.as_string());
    if (std::find(seen.begin(), seen.end(), raw) != seen.end()) continue;
    seen.push_back(raw);
    Selector s = parse_selector(raw);
    try {
      Resolved r = resolve(part(ctx), s);
      found.push_back(parameter_json(ctx, *r.param, *r.version, in.flag("WithDecryption"), s.selector));
    } catch (const ApiError&) {
      invalid.push_back(json::string(raw));
    }
  }
  json::object out;
  out["Parameters"] = std::move(found);
  out["InvalidParameters"] = std::move(invalid);
  d.output = std::move(out);
}

void SsmService::get_parameters_by_path(const Request& req, Decision& d) const {
  const Input& in = req.in;
  const CallContext& ctx = req.ctx;
  std::string path(in.str("Path"));
  if (path.empty() || path[0] != '/')
    throw ApiError::validation("The parameter doesn't meet the parameter name requirements. The parameter name must begin with a forward slash \"/\".");
  if (std::count(path.begin(), path.end(), '/') > kMaxHierarchyLevels)
    throw hierarchy_level_limit_exceeded_exception("A hierarchy can have a maximum of 15 levels.");
  auto filters = read_filters(in.array("ParameterFilters"));
  check_filters(filters, true);
  bool recursive = in.flag("Recursive");
  bool decrypt = in.flag("WithDecryption");
  Page page(in, 10);
  json::array items;
  if (const ParameterPartition* p = part(ctx)) {
    for (auto it = p->params.upper_bound(page.after()); it != p->params.end(); ++it) {
      const Parameter& param = it->second;
      if (!is_child(param.name(), path, recursive)) continue;
      const ParameterVersion& v = latest(param);
      bool ok = std::all_of(filters.begin(), filters.end(), [&](auto& f) { return filter_matches(f, param, v); });
      if (!ok) continue;
      if (page.full(items.size(), param.name())) break;
      items.push_back(parameter_json(ctx, param, v, decrypt));
    }
  }
  json::object out;
  out["Parameters"] = std::move(items);
  page.emit(out);
  d.output = std::move(out);
}

void SsmService::describe_parameters(const Request& req, Decision& d) const {
  const Input& in = req.in;
  const CallContext& ctx = req.ctx;
  auto filters = read_filters(in.array("ParameterFilters"));
  if (const json::array* legacy = in.array("Filters")) {
    if (!filters.empty())
      throw ApiError::validation("You can use either Filters or ParameterFilters in a single request.");
    for (auto& f : *legacy) {
      StringFilter sf;
      sf.key = std::string(f.at("Key").as_string());
      sf.option = sf.key == "Name" ? "BeginsWith" : "Equals";
      for (auto& v : f.at("Values").as_array()) sf.values.emplace_back(v.as_string());
      filters.push_back(std::move(sf));
    }
  }
  check_filters(filters, false);
  Page page(in, 50);
  json::array items;
  if (const ParameterPartition* p = part(ctx)) {
    for (auto it = p->params.upper_bound(page.after()); it != p->params.end(); ++it) {
      const Parameter& param = it->second;
      const ParameterVersion& v = latest(param);
      bool ok = std::all_of(filters.begin(), filters.end(), [&](auto& f) { return filter_matches(f, param, v); });
      if (!ok) continue;
      if (page.full(items.size(), param.name())) break;
      json::object o;
      common_metadata(o, param, v);
      o["ARN"] = arn_of(ctx, param.name());
      items.push_back(std::move(o));
    }
  }
  json::object out;
  out["Parameters"] = std::move(items);
  page.emit(out);
  d.output = std::move(out);
}

void SsmService::get_parameter_history(const Request& req, Decision& d) const {
  const Input& in = req.in;
  const CallContext& ctx = req.ctx;
  std::string name = strip_arn(in.str("Name"));
  const Parameter* p = find(ctx, name);
  if (!p) throw parameter_not_found(name);
  bool decrypt = in.flag("WithDecryption");
  Page page(in, 50);
  int64_t after = page.after().empty() ? 0 : std::strtoll(page.after().c_str(), nullptr, 10);
  json::array items;
  for (auto& v : p->versions()) {
    if (v.version() <= after) continue;
    if (page.full(items.size(), std::to_string(v.version()))) break;
    json::object o;
    common_metadata(o, *p, v);
    o["Value"] = v.type() == "SecureString" && !decrypt ? fake_ciphertext(v) : v.value();
    json::array labels;
    for (auto& l : v.labels()) labels.push_back(json::string(l));
    o["Labels"] = std::move(labels);
    items.push_back(std::move(o));
  }
  json::object out;
  out["Parameters"] = std::move(items);
  page.emit(out);
  d.output = std::move(out);
}

}  // namespace podstack::ssm
