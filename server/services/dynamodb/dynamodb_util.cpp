// Helpers the DynamoDB handler files share (see dynamodb_util.h).
#include "server/services/dynamodb/dynamodb_util.h"

#include <algorithm>
#include <set>
#include <vector>

#include "base/digest.h"
#include "server/services/arn.h"
#include "server/services/dynamodb/dynamodb_errors.h"
#include "server/services/tags.h"

namespace podstack::dynamodb {
namespace {

// JSON with every object's keys sorted: the same request digests the same
// whatever order the client serialized its members in.
void canonical_json(const json::value& v, std::string& out) {
  if (v.is_object()) {
    std::vector<std::pair<std::string_view, const json::value*>> kv;
    for (auto& e : v.as_object()) kv.emplace_back(e.key(), &e.value());
    std::sort(kv.begin(), kv.end(), [](auto& a, auto& b) { return a.first < b.first; });
    out += '{';
    for (size_t i = 0; i < kv.size(); ++i) {
      if (i) out += ',';
      out += json::serialize(json::string(kv[i].first));
      out += ':';
      canonical_json(*kv[i].second, out);
    }
    out += '}';
  } else if (v.is_array()) {
    out += '[';
    bool first = true;
    for (auto& e : v.as_array()) {
      if (!first) out += ',';
      first = false;
      canonical_json(e, out);
    }
    out += ']';
  } else {
    out += json::serialize(v);
  }
}

}  // namespace

std::string table_arn(const CallContext& ctx, std::string_view name) {
  return arn_prefix(ctx.region) + "dynamodb:" + ctx.region + ":" + ctx.account + ":table/" + std::string(name);
}

namespace {
bool name_chars_ok(std::string_view name) {
  return std::all_of(name.begin(), name.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.'; });
}
std::string pattern_error(std::string_view name, std::string_view at) {
  return "Value '" + std::string(name) + "' at '" + std::string(at) + "' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+";
}
[[noreturn]] void validation_errors(const std::vector<std::string>& errs) {
  std::string msg = std::to_string(errs.size()) + (errs.size() == 1 ? " validation error detected: " : " validation errors detected: ");
  for (size_t i = 0; i < errs.size(); ++i) msg += (i ? "; " : "") + errs[i];
  throw ApiError::validation(msg);
}
}  // namespace

void validate_table_name(std::string_view name) {
  if (name.size() < 3 || name.size() > 255) throw ApiError::validation("TableName must be at least 3 characters long and at most 255 characters long");
  if (!name_chars_ok(name)) validation_errors({pattern_error(name, "tableName")});
}

void validate_item_table_name(std::string_view name) {
  std::vector<std::string> errs;
  if (!name_chars_ok(name) || name.empty()) errs.push_back(pattern_error(name, "tableName"));
  const std::string at = "Value '" + std::string(name) + "' at 'tableName' failed to satisfy constraint: ";
  if (name.size() < 3) errs.push_back(at + "Member must have length greater than or equal to 3");
  else if (name.size() > 255) errs.push_back(at + "Member must have length less than or equal to 255");
  if (!errs.empty()) validation_errors(errs);
}

void validate_request_items_names(const json::object& request_items) {
  for (auto& kv : request_items) {
    std::string_view name = kv.key();
    if (name.size() >= 3 && name.size() <= 255 && name_chars_ok(name)) continue;
    validation_errors({"Value '" + json::serialize(request_items) +
                       "' at 'requestItems' failed to satisfy constraint: Map keys must satisfy constraint: [Member must have length less than or equal to 255, "
                       "Member must have length greater than or equal to 3, Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+]"});
  }
}

void validate_index_name(std::string_view name, std::string_view at) {
  if (!name_chars_ok(name)) validation_errors({pattern_error(name, at)});
}

std::map<std::string, std::string> merge_tags(std::map<std::string, std::string> tags, const json::array& add) {
  std::vector<std::string> errs;
  for (size_t i = 0; i < add.size(); ++i) {
    const json::object& tag = add[i].as_object();
    for (const char* member : {"Key", "Value"}) {
      std::string_view text = tag.at(member).as_string();
      if (valid_tag_text(text)) continue;
      errs.push_back("Value '" + std::string(text) + "' at 'tags." + std::to_string(i + 1) + ".member." + (member[0] == 'K' ? "key" : "value") +
                     "' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*");
    }
    tags[std::string(tag.at("Key").as_string())] = std::string(tag.at("Value").as_string());
  }
  if (!errs.empty()) validation_errors(errs);
  if (tags.size() > kMaxTags) throw too_many_tags();
  return tags;
}

// ---- keys and items ----

void check_key_value(const std::string& name, const std::string& type, const AttributeValue& v, bool in_item) {
  if (type_name(v) != type) {
    if (in_item)
      throw ApiError::validation("One or more parameter values were invalid: Type mismatch for key " + name + " expected: " + type +
                                 " actual: " + std::string(type_name(v)));
    throw ApiError::validation("The provided key element does not match the schema");
  }
  if ((type == "S" && v.s().empty()) || (type == "B" && v.b().empty()))
    throw ApiError::validation("One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty " +
                               std::string(type == "S" ? "string" : "binary") + " value. Key: " + name);
}

void validate_item(const TableState& t, const Item& item) {
  for (auto [name, type] : {std::pair{&t.key.hash, &t.key.hash_type}, std::pair{&t.key.range, &t.key.range_type}}) {
    if (name->empty()) continue;
    auto it = item.attrs().find(*name);
    if (it == item.attrs().end()) throw ApiError::validation("One or more parameter values were invalid: Missing the key " + *name + " in the item");
    check_key_value(*name, *type, it->second, true);
  }
  for (auto& ixd : t.desc.indexes()) {
    const IndexState& ix = t.indexes.at(ixd.name());
    for (auto [name, type] : {std::pair{&ix.key.hash, &ix.key.hash_type}, std::pair{&ix.key.range, &ix.key.range_type}}) {
      if (name->empty()) continue;
      auto it = item.attrs().find(*name);
      if (it == item.attrs().end()) continue;
      if (type_name(it->second) != *type)
        throw ApiError::validation("One or more parameter values were invalid: Type mismatch for Index Key " + *name + " Expected: " + *type +
                                   " Actual: " + std::string(type_name(it->second)) + " IndexName: " + ixd.name());
      if ((*type == "S" && it->second.s().empty()) || (*type == "B" && it->second.b().empty()))
        throw ApiError::validation("One or more parameter values are not valid. A value specified for a secondary index key is not supported. The AttributeValue for a key attribute cannot contain an empty " +
                                   std::string(*type == "S" ? "string" : "binary") + " value. IndexName: " + ixd.name() + ", IndexKey: " + *name);
    }
  }
  if (item_size(item) > kMaxItemSize) throw ApiError::validation("Item size has exceeded the maximum allowed size");
  // Nesting is checked as items are read (item_from_json) and where updates
  // store values (check_update_nesting): no second walk here.
}

void check_update_nesting(const std::vector<UpdateAction>& actions, const Item& updated) {
  // Values are read at level 0 (they need not be stored); what a SET or ADD
  // stores must fit within AWS's nesting limit where it lands.
  for (auto& a : actions) {
    if (a.kind != UpdateAction::Kind::kSet && a.kind != UpdateAction::Kind::kAdd) continue;
    auto it = updated.attrs().find(a.path[0].name);
    if (it != updated.attrs().end() && nesting_level(it->second, 1) >= kMaxNesting) nesting_exceeded();
  }
}

Item key_from_json(const TableState& t, const json::value* jv) {
  if (!jv || !jv->is_object()) throw ApiError::validation("The provided key element does not match the schema");
  Item key = item_from_json(*jv);
  size_t want = t.key.range.empty() ? 1 : 2;
  if (key.attrs_size() != static_cast<int>(want)) throw ApiError::validation("The provided key element does not match the schema");
  for (auto [name, type] : {std::pair{&t.key.hash, &t.key.hash_type}, std::pair{&t.key.range, &t.key.range_type}}) {
    if (name->empty()) continue;
    auto it = key.attrs().find(*name);
    if (it == key.attrs().end()) throw ApiError::validation("The provided key element does not match the schema");
    check_key_value(*name, *type, it->second, false);
  }
  return key;
}

Item key_only(const TableState& t, const Item& item) {
  Item k;
  for (auto* n : {&t.key.hash, &t.key.range}) {
    if (n->empty()) continue;
    auto it = item.attrs().find(*n);
    if (it != item.attrs().end()) (*k.mutable_attrs())[*n] = it->second;
  }
  return k;
}

ApiError condition_failed(const std::optional<Item>& old, std::string_view rv_on_fail) {
  if (old && rv_on_fail == "ALL_OLD") return conditional_check_failed(json::serialize(json::object{{"Item", item_to_json(*old, true)}}));
  return conditional_check_failed();
}

void check_return_values(std::string_view rv, std::initializer_list<std::string_view> allowed) {
  if (std::find(allowed.begin(), allowed.end(), rv) == allowed.end()) throw ApiError::validation("Return values set to invalid value");
}

json::object consumed(const json::object& in, std::string_view table, double units) {
  json::object out;
  auto* rc = in.if_contains("ReturnConsumedCapacity");
  if (!rc || !rc->is_string() || rc->as_string() == "NONE") return out;
  json::object c;
  c["TableName"] = table;
  c["CapacityUnits"] = units;
  if (rc->as_string() == "INDEXES") c["Table"] = json::object{{"CapacityUnits", units}};
  out["ConsumedCapacity"] = std::move(c);
  return out;
}

std::string request_digest(const json::object& in) {
  json::object rest = in;
  rest.erase("ClientRequestToken");
  std::string text;
  canonical_json(rest, text);
  return sha256(text);
}

void add_write(Decision& out, const std::string& table, const Item& item, bool deleted) {
  Event ev;
  auto* w = ev.mutable_items()->add_writes();
  w->set_table(table);
  w->set_item(item_bytes(item));
  w->set_deleted(deleted);
  out.add(std::move(ev));
}

// ---- index views ----

Item index_projection(const TableState& t, const IndexView& v, const Item& item) {
  if (!v.def || v.def->projection_type() == "ALL") return item;
  Item out;
  auto keep = [&](const std::string& n) {
    auto it = item.attrs().find(n);
    if (it != item.attrs().end()) (*out.mutable_attrs())[n] = it->second;
  };
  for (auto* n : {&t.key.hash, &t.key.range, &v.key.hash, &v.key.range})
    if (!n->empty()) keep(*n);
  for (auto& n : v.def->non_key_attributes()) keep(n);
  return out;
}

json::object last_key(const TableState& t, const IndexView& v, const Item& item) {
  Item k;
  for (auto* n : {&t.key.hash, &t.key.range, &v.key.hash, &v.key.range}) {
    if (n->empty()) continue;
    auto it = item.attrs().find(*n);
    if (it != item.attrs().end()) (*k.mutable_attrs())[*n] = it->second;
  }
  return item_to_json(k);
}

std::optional<IndexEntry> start_key(const TableState& t, const IndexView& v, const json::object* esk) {
  if (!esk) return std::nullopt;
  Item k = item_from_json(json::value(*esk));
  auto bad = [] { return ApiError::validation("The provided starting key is invalid: The provided key element does not match the schema"); };
  std::set<std::string> names;
  for (auto* n : {&t.key.hash, &t.key.range, &v.key.hash, &v.key.range})
    if (!n->empty()) names.insert(*n);
  if (k.attrs_size() != static_cast<int>(names.size())) throw bad();
  for (auto& [n, val] : k.attrs())
    if (!names.count(n)) throw bad();
  auto typed = [&](const std::string& n, const std::string& type) {
    if (n.empty()) return std::string();
    const AttributeValue& val = k.attrs().at(n);
    if (type_name(val) != type) throw bad();
    return key_bytes(val);
  };
  IndexEntry e;
  e.pk = PrimaryKey(typed(t.key.hash, t.key.hash_type), typed(t.key.range, t.key.range_type));
  e.hash = typed(v.key.hash, v.key.hash_type);
  e.range = typed(v.key.range, v.key.range_type);
  return e;
}

}  // namespace podstack::dynamodb
