// SSM Parameter Store.
//
// State: per (account, region), parameters by name, each with its version
// history (newest 100, as AWS keeps), labels per version and tags.
// AWS reference: https://docs.aws.amazon.com/systems-manager/latest/APIReference/
#include "server/services/ssm/ssm_service.h"

#include <algorithm>
#include <map>
#include <regex>

#include "proto/ssm.pb.h"
#include "server/protocol/encoding.h"
#include "server/services/pagination.h"

namespace podstack {
namespace {

using ssm::Parameter;
using ssm::ParameterVersion;

constexpr size_t kMaxVersions = 100;
constexpr size_t kMaxLabelsPerVersion = 10;
constexpr size_t kMaxTags = 50;
constexpr int kMaxHierarchyLevels = 15;
constexpr size_t kStandardValueLimit = 4096;
constexpr size_t kAdvancedValueLimit = 8192;

struct Partition {
  std::map<std::string, Parameter, std::less<>> params;
};

ApiError not_found(std::string_view name) {
  return ApiError::bad_request("ParameterNotFound", "Parameter " + std::string(name) + " not found.");
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// "arn:aws:ssm:us-east-1:000000000000:parameter/a/b" -> "/a/b"; plain names unchanged.
std::string strip_arn(std::string_view name) {
  if (name.rfind("arn:", 0) != 0) return std::string(name);
  size_t p = name.find(":parameter");
  if (p == std::string_view::npos) return std::string(name);
  std::string_view rest = name.substr(p + 10);
  if (rest.size() > 1 && rest[0] == '/' && rest[1] == '/') rest.remove_prefix(1);
  // "parameter/foo" names a parameter without a leading slash.
  if (!rest.empty() && rest[0] == '/' && rest.find('/', 1) == std::string_view::npos) return std::string(rest.substr(1));
  return std::string(rest);
}

std::string arn_of(const CallContext& ctx, std::string_view name) {
  std::string arn = "arn:aws:ssm:" + ctx.region + ":" + ctx.account + ":parameter";
  if (name.empty() || name[0] != '/') arn += '/';
  arn += name;
  return arn;
}

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
    throw ApiError::bad_request("HierarchyLevelLimitExceededException",
                                "A hierarchy can have a maximum of 15 levels. For more information, see Requirements and Constraints for Parameter Names in the AWS Systems Manager User Guide.");
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

// Not real encryption: what a client without kms:Decrypt sees instead of the value.
std::string fake_ciphertext(const ParameterVersion& v) {
  return protocol::base64_encode("kms:" + (v.key_id().empty() ? std::string("alias/aws/ssm") : v.key_id()) + ":" + v.value());
}

const ParameterVersion& latest(const Parameter& p) { return p.versions(p.versions_size() - 1); }

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
Resolved resolve(const Partition* part, const Selector& s) {
  Resolved r;
  if (part) {
    auto it = part->params.find(s.name);
    if (it != part->params.end()) r.param = &it->second;
  }
  if (!r.param) throw not_found(s.name);
  if (s.version) {
    for (auto& v : r.param->versions())
      if (v.version() == *s.version) r.version = &v;
    if (!r.version)
      throw ApiError::bad_request("ParameterVersionNotFound", "Systems Manager could not find version " + std::to_string(*s.version) +
                                                                  " of " + s.name + ". Verify the version and try again.");
  } else if (!s.label.empty()) {
    for (auto& v : r.param->versions())
      for (auto& l : v.labels())
        if (l == s.label) r.version = &v;
    if (!r.version) throw not_found(s.name + s.selector);
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

void check_filters(const std::vector<StringFilter>& filters, bool by_path) {
  static const std::vector<std::string> kOptions = {"Equals", "BeginsWith", "Contains", "Recursive", "OneLevel"};
  for (auto& f : filters) {
    bool tag = f.key.rfind("tag:", 0) == 0;
    if (!tag && f.key != "Name" && f.key != "Type" && f.key != "KeyId" && f.key != "Path" && f.key != "Label" &&
        f.key != "Tier" && f.key != "DataType")
      throw ApiError::validation("The following filter key is not valid: " + f.key + ". Valid filter keys include: [Path, Name, Type, KeyId, Tier, Label, DataType].");
    if (by_path && (f.key == "Name" || f.key == "Path" || f.key == "Tier"))
      throw ApiError::validation("The following filter key is not valid: " + f.key + ". Valid filter keys include: [Type, KeyId, Label, DataType].");
    if (!f.option.empty() && std::find(kOptions.begin(), kOptions.end(), f.option) == kOptions.end())
      throw ApiError::validation("The following filter option is not valid: " + f.option + ". Valid options include: [Recursive, OneLevel].");
    if (f.key == "Path" && !f.option.empty() && f.option != "Recursive" && f.option != "OneLevel")
      throw ApiError::validation("The following filter option is not valid: " + f.option + ". Valid options include: [Recursive, OneLevel].");
    if (f.key != "Path" && (f.option == "Recursive" || f.option == "OneLevel"))
      throw ApiError::validation("The following filter option is not valid: " + f.option + ". Valid options include: [BeginsWith, Equals].");
    if (f.option == "Contains" && f.key != "Name")
      throw ApiError::validation("The following filter option is not valid: Contains. Valid options include: [BeginsWith, Equals].");
    if (f.key != "Label" && !tag && f.values.empty())
      throw ApiError::validation("The following filter values are missing : null for filter key " + f.key + ".");
  }
}

class SsmService final : public ServiceBase<SsmService> {
 public:
  std::string_view name() const override { return "ssm"; }
  const protocol::ServiceModel& model() const override { return *protocol::builtin_model("ssm"); }

  static const Table& operations() {
    static const Table t = {
        {"PutParameter", {true, &SsmService::put_parameter}},
        {"GetParameter", {false, &SsmService::get_parameter}},
        {"GetParameters", {false, &SsmService::get_parameters}},
        {"GetParametersByPath", {false, &SsmService::get_parameters_by_path}},
        {"DeleteParameter", {true, &SsmService::delete_parameter}},
        {"DeleteParameters", {true, &SsmService::delete_parameters}},
        {"DescribeParameters", {false, &SsmService::describe_parameters}},
        {"GetParameterHistory", {false, &SsmService::get_parameter_history}},
        {"LabelParameterVersion", {true, &SsmService::label_parameter_version}},
        {"AddTagsToResource", {true, &SsmService::add_tags}},
        {"RemoveTagsFromResource", {true, &SsmService::remove_tags}},
        {"ListTagsForResource", {false, &SsmService::list_tags}},
    };
    return t;
  }

  // ---- apply: the only mutation ----
  const google::protobuf::MessageLite* event_prototype() const override { return &ssm::Event::default_instance(); }
  void apply(const proto::Event& e) override {
    ssm::Event ev;
    if (!ev.ParseFromString(e.payload())) throw std::runtime_error("ssm event does not parse");
    Partition& part = parts_.get(e);
    switch (ev.kind_case()) {
      case ssm::Event::kPut: {
        const auto& put = ev.put();
        Parameter& p = part.params[put.name()];
        if (p.name().empty()) {
          p.set_name(put.name());
          *p.mutable_tags() = put.tags();
        }
        if (static_cast<size_t>(p.versions_size()) >= kMaxVersions) p.mutable_versions()->DeleteSubrange(0, 1);
        *p.add_versions() = put.version();
        break;
      }
      case ssm::Event::kDeleted:
        for (auto& n : ev.deleted().names()) part.params.erase(n);
        break;
      case ssm::Event::kLabelsMoved: {
        auto it = part.params.find(ev.labels_moved().name());
        if (it == part.params.end()) break;
        for (auto& v : *it->second.mutable_versions()) {
          auto* labels = v.mutable_labels();
          for (auto& l : ev.labels_moved().labels()) {
            auto pos = std::find(labels->begin(), labels->end(), l);
            if (v.version() == ev.labels_moved().version()) {
              if (pos == labels->end()) *labels->Add() = l;
            } else if (pos != labels->end()) {
              labels->erase(pos);
            }
          }
        }
        break;
      }
      case ssm::Event::kTagsAdded: {
        auto it = part.params.find(ev.tags_added().name());
        if (it == part.params.end()) break;
        std::map<std::string, std::string> tags;
        for (auto& t : it->second.tags()) tags[t.key()] = t.value();
        for (auto& t : ev.tags_added().tags()) tags[t.key()] = t.value();
        set_tags(it->second, tags);
        break;
      }
      case ssm::Event::kTagsRemoved: {
        auto it = part.params.find(ev.tags_removed().name());
        if (it == part.params.end()) break;
        std::map<std::string, std::string> tags;
        for (auto& t : it->second.tags()) tags[t.key()] = t.value();
        for (auto& k : ev.tags_removed().keys()) tags.erase(k);
        set_tags(it->second, tags);
        break;
      }
      case ssm::Event::KIND_NOT_SET:
        throw std::runtime_error("empty ssm event");
    }
  }

  std::string snapshot() const override {
    PartitionWriter w;  // encodes ssm::State without copying parameters
    for (auto& [key, part] : parts_) {
      w.begin(key.first, key.second);
      for (auto& [n, param] : part.params) w.item(param);
    }
    return w.finish();
  }

  Status restore(std::string_view bytes) override {
    ssm::State st;
    if (Status s = parse_snapshot(bytes, st, "ssm"); !s.is_ok()) return s;
    parts_.clear();
    for (auto& p : st.partitions()) {
      Partition& part = parts_.get(p.account(), p.region());
      for (auto& param : p.parameters()) part.params[param.name()] = param;
    }
    return Status::ok();
  }

  Status check_snapshot(std::string_view bytes) const override {
    ssm::State st;
    return parse_snapshot(bytes, st, "ssm");
  }

  uint64_t resource_count() const override {
    return parts_.count([](const Partition& p) { return p.params.size(); });
  }

  void clear() override { parts_.clear(); }

  std::string summarize(const proto::Event& e) const override {
    ssm::Event ev;
    if (!ev.ParseFromString(e.payload())) return "(unreadable)";
    switch (ev.kind_case()) {
      case ssm::Event::kPut: return "name=" + ev.put().name() + " version=" + std::to_string(ev.put().version().version());
      case ssm::Event::kDeleted: {
        std::string s = "deleted";
        for (auto& n : ev.deleted().names()) s += " " + n;
        return s;
      }
      case ssm::Event::kLabelsMoved: return "name=" + ev.labels_moved().name() + " version=" + std::to_string(ev.labels_moved().version());
      case ssm::Event::kTagsAdded: return "name=" + ev.tags_added().name() + " tags+" + std::to_string(ev.tags_added().tags_size());
      case ssm::Event::kTagsRemoved: return "name=" + ev.tags_removed().name() + " tags-" + std::to_string(ev.tags_removed().keys_size());
      default: return {};
    }
  }

 private:
  static void set_tags(Parameter& p, const std::map<std::string, std::string>& tags) {
    p.clear_tags();
    for (auto& [k, v] : tags) {
      auto* t = p.add_tags();
      t->set_key(k);
      t->set_value(v);
    }
  }

  const Partition* part(const CallContext& ctx) const { return parts_.find(ctx); }

  const Parameter* find(const CallContext& ctx, std::string_view name) const {
    const Partition* p = part(ctx);
    if (!p) return nullptr;
    auto it = p->params.find(name);
    return it == p->params.end() ? nullptr : &it->second;
  }

  static std::string event_bytes(const ssm::Event& e) { return e.SerializeAsString(); }

  // ---- decide ----
  void put_parameter(const Input& in, const CallContext& ctx, Decision& d) const {
    std::string name = strip_arn(in.str("Name"));
    std::string_view value = in.str("Value");
    validate_name(name);
    bool overwrite = in.flag("Overwrite");
    const json::array* tags = in.array("Tags");
    if (overwrite && tags && !tags->empty())
      throw ApiError::validation("Invalid request: tags and overwrite can't be used together. To create a parameter with tags, please remove overwrite flag. To update tags for an existing parameter, please use AddTagsToResource or RemoveTagsFromResource.");
    const Parameter* existing = find(ctx, name);
    if (existing && !overwrite)
      throw ApiError::bad_request("ParameterAlreadyExists", "The parameter already exists. To overwrite this value, set the overwrite option in the request to true.");
    const ParameterVersion* prev = existing ? &latest(*existing) : nullptr;
    if (existing && existing->versions_size() >= static_cast<int>(kMaxVersions) && existing->versions(0).labels_size() > 0)
      throw ApiError::bad_request("ParameterMaxVersionLimitExceeded",
                                  "You attempted to create a new version of " + name + " by calling the PutParameter API with the overwrite flag. Version " +
                                      std::to_string(existing->versions(0).version()) +
                                      ", the oldest version, can't be deleted because it has a label associated with it. Move the label to another version of the parameter, and try again.");

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
        throw ApiError::bad_request("ParameterPatternMismatchException",
                                    "Parameter value, cannot be validated against allowedPattern: " + v.allowed_pattern());
    }
    v.set_last_modified(ctx.now());
    v.set_last_modified_user("arn:aws:iam::" + ctx.account + ":root");

    ssm::Event ev;
    auto* put = ev.mutable_put();
    put->set_name(name);
    *put->mutable_version() = v;
    if (tags) {
      if (tags->size() > kMaxTags) throw ApiError::bad_request("TooManyTagsError", "The Tags parameter contains more than 50 tags.");
      std::map<std::string, std::string> sorted;
      for (auto& t : *tags) sorted[std::string(t.at("Key").as_string())] = std::string(t.at("Value").as_string());
      for (auto& [k, val] : sorted) {
        auto* tag = put->add_tags();
        tag->set_key(k);
        tag->set_value(val);
      }
    }
    d.add(ev);
    json::object out;
    out["Version"] = v.version();
    out["Tier"] = v.tier();
    d.output = std::move(out);
  }

  void get_parameter(const Input& in, const CallContext& ctx, Decision& d) const {
    Selector s = parse_selector(in.str("Name"));
    Resolved r = resolve(part(ctx), s);
    json::object out;
    out["Parameter"] = parameter_json(ctx, *r.param, *r.version, in.flag("WithDecryption"), s.selector);
    d.output = std::move(out);
  }

  void get_parameters(const Input& in, const CallContext& ctx, Decision& d) const {
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

  void get_parameters_by_path(const Input& in, const CallContext& ctx, Decision& d) const {
    std::string path(in.str("Path"));
    if (path.empty() || path[0] != '/')
      throw ApiError::validation("The parameter doesn't meet the parameter name requirements. The parameter name must begin with a forward slash \"/\".");
    if (std::count(path.begin(), path.end(), '/') > kMaxHierarchyLevels)
      throw ApiError::bad_request("HierarchyLevelLimitExceededException", "A hierarchy can have a maximum of 15 levels.");
    auto filters = read_filters(in.array("ParameterFilters"));
    check_filters(filters, true);
    bool recursive = in.flag("Recursive");
    bool decrypt = in.flag("WithDecryption");
    Page page(in, 10);
    json::array items;
    if (const Partition* p = part(ctx)) {
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

  void delete_parameter(const Input& in, const CallContext& ctx, Decision& d) const {
    std::string name = strip_arn(in.str("Name"));
    if (!find(ctx, name)) throw not_found(name);
    ssm::Event ev;
    ev.mutable_deleted()->add_names(name);
    d.add(ev);
  }

  void delete_parameters(const Input& in, const CallContext& ctx, Decision& d) const {
    json::array deleted, invalid;
    ssm::Event ev;
    for (auto& n : *in.array("Names")) {
      std::string name = strip_arn(n.as_string());
      auto& names = *ev.mutable_deleted()->mutable_names();
      if (find(ctx, name) && std::find(names.begin(), names.end(), name) == names.end()) {
        ev.mutable_deleted()->add_names(name);
        deleted.push_back(json::string(n.as_string()));
      } else if (!find(ctx, name)) {
        invalid.push_back(json::string(n.as_string()));
      }
    }
    if (ev.deleted().names_size()) d.add(ev);
    json::object out;
    out["DeletedParameters"] = std::move(deleted);
    out["InvalidParameters"] = std::move(invalid);
    d.output = std::move(out);
  }

  void describe_parameters(const Input& in, const CallContext& ctx, Decision& d) const {
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
    if (const Partition* p = part(ctx)) {
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

  void get_parameter_history(const Input& in, const CallContext& ctx, Decision& d) const {
    std::string name = strip_arn(in.str("Name"));
    const Parameter* p = find(ctx, name);
    if (!p) throw not_found(name);
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

  void label_parameter_version(const Input& in, const CallContext& ctx, Decision& d) const {
    std::string name = strip_arn(in.str("Name"));
    const Parameter* p = find(ctx, name);
    if (!p) throw not_found(name);
    int64_t version = in.opt_int("ParameterVersion").value_or(latest(*p).version());
    const ParameterVersion* target = nullptr;
    for (auto& v : p->versions())
      if (v.version() == version) target = &v;
    if (!target)
      throw ApiError::bad_request("ParameterVersionNotFound", "Systems Manager could not find version " + std::to_string(version) + " of " +
                                                                  name + ". Verify the version and try again.");
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
      throw ApiError::bad_request("ParameterVersionLabelLimitExceeded",
                                  "A parameter version can have maximum 10 labels.Move one or more labels to another version and try again.");
    if (!good.empty()) {
      ssm::Event ev;
      auto* m = ev.mutable_labels_moved();
      m->set_name(name);
      m->set_version(version);
      for (auto& l : good) m->add_labels(l);
      d.add(ev);
    }
    json::object out;
    out["InvalidLabels"] = std::move(invalid);
    out["ParameterVersion"] = version;
    d.output = std::move(out);
  }

  const Parameter* tag_target(const Input& in, const CallContext& ctx) const {
    std::string_view type = in.str("ResourceType");
    if (type != "Parameter")
      throw ApiError::bad_request("InvalidResourceType", "podstack supports tags on Parameter resources only, not " + std::string(type));
    std::string id = strip_arn(in.str("ResourceId"));
    const Parameter* p = find(ctx, id);
    if (!p) throw ApiError::bad_request("InvalidResourceId", "The resource ID \"" + id + "\" is not valid. Verify the ID and try again.");
    return p;
  }

  void add_tags(const Input& in, const CallContext& ctx, Decision& d) const {
    const Parameter* p = tag_target(in, ctx);
    std::map<std::string, std::string> merged;
    for (auto& t : p->tags()) merged[t.key()] = t.value();
    ssm::Event ev;
    auto* add = ev.mutable_tags_added();
    add->set_name(p->name());
    for (auto& t : *in.array("Tags")) {
      std::string k(t.at("Key").as_string()), v(t.at("Value").as_string());
      merged[k] = v;
      auto* tag = add->add_tags();
      tag->set_key(k);
      tag->set_value(v);
    }
    if (merged.size() > kMaxTags)
      throw ApiError::bad_request("TooManyTagsError", "The Tags parameter contains more than 50 tags for this resource.");
    d.add(ev);
  }

  void remove_tags(const Input& in, const CallContext& ctx, Decision& d) const {
    const Parameter* p = tag_target(in, ctx);
    ssm::Event ev;
    auto* rm = ev.mutable_tags_removed();
    rm->set_name(p->name());
    for (auto& k : *in.array("TagKeys")) rm->add_keys(std::string(k.as_string()));
    d.add(ev);
  }

  void list_tags(const Input& in, const CallContext& ctx, Decision& d) const {
    const Parameter* p = tag_target(in, ctx);
    json::array tags;
    for (auto& t : p->tags()) {
      json::object o;
      o["Key"] = t.key();
      o["Value"] = t.value();
      tags.push_back(std::move(o));
    }
    json::object out;
    out["TagList"] = std::move(tags);
    d.output = std::move(out);
  }

  Partitions<Partition> parts_;
};

}  // namespace

std::unique_ptr<Service> make_ssm_service() { return std::make_unique<SsmService>(); }

}  // namespace podstack
