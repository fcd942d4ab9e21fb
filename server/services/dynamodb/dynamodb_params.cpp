// The parameters DynamoDB's item operations share (see dynamodb_params.h).
#include "server/services/dynamodb/dynamodb_params.h"

#include <algorithm>

namespace podstack::dynamodb {
namespace {

Node legacy_path(const std::string& name) {
  Node n;
  n.kind = Node::Kind::kPath;
  n.path.push_back(PathElem{name, -1});
  return n;
}

Node legacy_condition(const std::string& attr, std::string op, const json::array* list, LegacyStore& s) {
  std::vector<AttributeValue> vals;
  if (list)
    for (auto& v : *list) vals.push_back(from_json(v));
  // The types each operator compares (EQ and NE: any), checked after the count.
  // https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Condition.html
  auto check_types = [&] {
    for (auto& v : vals) {
      auto vc = v.v_case();
      bool scalar = vc == AttributeValue::kS || vc == AttributeValue::kN || vc == AttributeValue::kB;
      bool ok = true;
      if (op == "LT" || op == "LE" || op == "GT" || op == "GE" || op == "IN" || op == "BETWEEN") ok = scalar;
      else if (op == "CONTAINS" || op == "NOT_CONTAINS") ok = vc != AttributeValue::kSs && vc != AttributeValue::kNs && vc != AttributeValue::kBs &&
                                                              vc != AttributeValue::kM && vc != AttributeValue::kL;
      else if (op == "BEGINS_WITH") ok = vc == AttributeValue::kS || vc == AttributeValue::kB;
      if (!ok)
        throw ApiError::validation("One or more parameter values were invalid: ComparisonOperator " + op + " is not valid for " +
                                   std::string(type_name(v)) + " AttributeValue type");
    }
  };
  auto need = [&](size_t n) {
    if (vals.size() != n)
      throw ApiError::validation("One or more parameter values were invalid: Invalid number of argument(s) for the " + op + " ComparisonOperator");
    check_types();
  };
  Node n;
  if (op == "EQ" || op == "NE" || op == "LT" || op == "LE" || op == "GT" || op == "GE") {
    need(1);
    n.kind = Node::Kind::kCompare;
    n.op = op == "EQ" ? "=" : op == "NE" ? "<>" : op == "LT" ? "<" : op == "LE" ? "<=" : op == "GT" ? ">" : ">=";
    n.kids.push_back(legacy_path(attr));
    n.kids.push_back(legacy_value(s, vals[0]));
  } else if (op == "NOT_NULL" || op == "NULL") {
    need(0);
    n.kind = Node::Kind::kFunction;
    n.op = op == "NULL" ? "attribute_not_exists" : "attribute_exists";
    n.kids.push_back(legacy_path(attr));
  } else if (op == "CONTAINS" || op == "NOT_CONTAINS" || op == "BEGINS_WITH") {
    need(1);
    n.kind = Node::Kind::kFunction;
    n.op = op == "BEGINS_WITH" ? "begins_with" : "contains";
    n.kids.push_back(legacy_path(attr));
    n.kids.push_back(legacy_value(s, vals[0]));
    if (op == "NOT_CONTAINS") {
      // AWS: NOT_CONTAINS is true for an absent attribute? No: it requires the attribute.
      Node both;
      both.kind = Node::Kind::kAnd;
      Node exists;
      exists.kind = Node::Kind::kFunction;
      exists.op = "attribute_exists";
      exists.kids.push_back(legacy_path(attr));
      Node neg;
      neg.kind = Node::Kind::kNot;
      neg.kids.push_back(std::move(n));
      both.kids.push_back(std::move(exists));
      both.kids.push_back(std::move(neg));
      return both;
    }
  } else if (op == "IN") {
    if (vals.empty()) need(1);
    check_types();
    n.kind = Node::Kind::kIn;
    n.kids.push_back(legacy_path(attr));
    for (auto& v : vals) n.kids.push_back(legacy_value(s, v));
  } else if (op == "BETWEEN") {
    need(2);
    n.kind = Node::Kind::kBetween;
    n.kids.push_back(legacy_path(attr));
    n.kids.push_back(legacy_value(s, vals[0]));
    n.kids.push_back(legacy_value(s, vals[1]));
  } else {
    throw ApiError::validation("1 validation error detected: Value '" + op + "' at 'comparisonOperator' failed to satisfy constraint: Member must satisfy enum value set: [IN, NULL, BETWEEN, LT, NOT_CONTAINS, EQ, GT, NOT_NULL, NE, LE, BEGINS_WITH, GE, CONTAINS]");
  }
  return n;
}

}  // namespace

Node legacy_value(LegacyStore& s, const AttributeValue& v) {
  Node n;
  n.kind = Node::Kind::kValue;
  s.values.push_back(v);
  n.value = &s.values.back();
  return n;
}

// Expected / QueryFilter / ScanFilter / KeyConditions -> one condition (AND or OR).
std::optional<Node> legacy_conditions(const json::object* conds, bool expected, bool use_or, LegacyStore& s) {
  if (!conds || conds->empty()) return std::nullopt;
  std::optional<Node> all;
  for (auto& kv : *conds) {
    std::string attr(kv.key());
    const auto& c = kv.value().as_object();
    Node n;
    const json::value* op = c.if_contains("ComparisonOperator");
    const json::value* list = c.if_contains("AttributeValueList");
    if (expected && (!op || op->is_null())) {
      const json::value* exists = c.if_contains("Exists");
      const json::value* value = c.if_contains("Value");
      bool ex = !exists || exists->is_null() || exists->as_bool();
      bool has_value = value && !value->is_null();
      if (ex && !has_value)
        throw ApiError::validation("One or more parameter values were invalid: Value must be provided when Exists is true for Attribute: " + attr);
      if (!ex && has_value)
        throw ApiError::validation("One or more parameter values were invalid: Value cannot be used when Exists is false for Attribute: " + attr);
      if (ex) {
        json::array one;
        one.push_back(*value);
        n = legacy_condition(attr, "EQ", &one, s);
      } else {
        n = legacy_condition(attr, "NULL", nullptr, s);
      }
    } else {
      if (!op || op->is_null()) throw ApiError::validation("One or more parameter values were invalid: ComparisonOperator must be specified");
      n = legacy_condition(attr, std::string(op->as_string()), list && list->is_array() ? &list->as_array() : nullptr, s);
    }
    if (!all) {
      all = std::move(n);
    } else {
      Node both;
      both.kind = use_or ? Node::Kind::kOr : Node::Kind::kAnd;
      both.kids.push_back(std::move(*all));
      both.kids.push_back(std::move(n));
      all = std::move(both);
    }
  }
  return all;
}

std::vector<UpdateAction> legacy_updates(const json::object& au, LegacyStore& s) {
  std::vector<UpdateAction> acts;
  for (auto& kv : au) {
    const auto& u = kv.value().as_object();
    std::string action = u.contains("Action") && u.at("Action").is_string() ? std::string(u.at("Action").as_string()) : "PUT";
    UpdateAction a;
    a.path = Path{PathElem{std::string(kv.key()), -1}};
    const json::value* v = u.if_contains("Value");
    bool has_v = v && !v->is_null();
    if (action == "PUT") {
      if (!has_v) throw ApiError::validation("One or more parameter values were invalid: Only DELETE action is allowed when no attribute value is specified");
      a.kind = UpdateAction::Kind::kSet;
      a.value = legacy_value(s, from_json(*v));
    } else if (action == "DELETE") {
      a.kind = has_v ? UpdateAction::Kind::kDelete : UpdateAction::Kind::kRemove;
      if (has_v) a.value = legacy_value(s, from_json(*v));
    } else {
      if (!has_v) throw ApiError::validation("One or more parameter values were invalid: Only DELETE action is allowed when no attribute value is specified");
      a.kind = UpdateAction::Kind::kAdd;
      a.value = legacy_value(s, from_json(*v));
      auto vc = a.value.value->v_case();
      if (vc != AttributeValue::kN && vc != AttributeValue::kSs && vc != AttributeValue::kNs && vc != AttributeValue::kBs)
        throw ApiError::validation("One or more parameter values were invalid: ADD action is not supported for the type " + std::string(type_name(*a.value.value)));
    }
    acts.push_back(std::move(a));
  }
  return acts;
}

[[noreturn]] void mixed(std::string_view non_expr, std::string_view expr) {
  throw ApiError::validation("Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {" +
                             std::string(non_expr) + "} Expression parameters: {" + std::string(expr) + "}");
}

namespace {

// The parameters of the two styles, in the order AWS lists them.
constexpr std::string_view kExpressionParams[] = {"UpdateExpression", "ConditionExpression", "ProjectionExpression", "FilterExpression",
                                                   "KeyConditionExpression"};
constexpr std::string_view kLegacyParams[] = {"AttributesToGet", "AttributeUpdates", "Expected", "QueryFilter", "ScanFilter",
                                              "ConditionalOperator", "KeyConditions"};

}  // namespace

// AWS refuses a request that mixes the styles, naming every parameter of
// each (KeyConditions counts only beside KeyConditionExpression: it may come
// with a FilterExpression), and a ConditionalOperator without two or more
// legacy conditions to join.
void check_styles(const json::object& o, std::string_view legacy_cond) {
  unsigned expr = 0, legacy = 0;  // bit i: kExpressionParams[i] / kLegacyParams[i] present
  for (auto& kv : o) {
    if (kv.value().is_null()) continue;
    std::string_view k = kv.key();
    for (unsigned i = 0; i < std::size(kExpressionParams); ++i)
      if (k == kExpressionParams[i]) expr |= 1u << i;
    for (unsigned i = 0; i < std::size(kLegacyParams); ++i)
      if (k == kLegacyParams[i]) legacy |= 1u << i;
  }
  constexpr unsigned kKeyConditionExpression = 1u << 4, kConditionalOperator = 1u << 5, kKeyConditions = 1u << 6;
  if (!(expr & kKeyConditionExpression)) legacy &= ~kKeyConditions;
  if (expr && legacy) {
    auto names = [](unsigned bits, const std::string_view* all, size_t n) {
      std::string s;
      for (unsigned i = 0; i < n; ++i)
        if (bits & (1u << i)) s += (s.empty() ? "" : ", ") + std::string(all[i]);
      return s;
    };
    mixed(names(legacy, kLegacyParams, std::size(kLegacyParams)), names(expr, kExpressionParams, std::size(kExpressionParams)));
  }
  if (legacy & kConditionalOperator) {
    const json::value* conds = legacy_cond.empty() ? nullptr : o.if_contains(legacy_cond);
    if (!conds || !conds->is_object()) throw ApiError::validation("ConditionalOperator cannot be used without Filter or Expected");
    if (conds->as_object().size() < 2)
      throw ApiError::validation("ConditionalOperator can only be used when Filter or Expected has two or more elements");
  }
}

void read_expressions(const json::object& o, ItemRequest& r, std::string_view cond_param, std::string_view legacy_cond,
                      bool legacy_or_from_operator, std::initializer_list<std::string_view> other_exprs) {
  const json::object* names = o.contains("ExpressionAttributeNames") && o.at("ExpressionAttributeNames").is_object()
                                  ? &o.at("ExpressionAttributeNames").as_object() : nullptr;
  const json::object* values = o.contains("ExpressionAttributeValues") && o.at("ExpressionAttributeValues").is_object()
                                   ? &o.at("ExpressionAttributeValues").as_object() : nullptr;
  auto str = [&](std::string_view k) -> std::optional<std::string_view> {
    auto* v = o.if_contains(k);
    if (!v || !v->is_string()) return std::nullopt;
    return std::string_view(v->as_string());
  };
  auto cond = cond_param.empty() ? std::nullopt : str(cond_param);
  auto proj = str("ProjectionExpression");
  const json::object* legacy = nullptr;
  if (!legacy_cond.empty() && o.contains(legacy_cond) && o.at(legacy_cond).is_object()) legacy = &o.at(legacy_cond).as_object();
  bool attrs_to_get = o.contains("AttributesToGet") && !o.at("AttributesToGet").is_null();
  check_styles(o, legacy_cond);
  bool any_expr = cond || proj;
  for (auto e : other_exprs) any_expr |= str(e).has_value();
  if (names && !any_expr) throw ApiError::validation("ExpressionAttributeNames can only be specified when using expressions");
  if (values && !cond && !std::any_of(other_exprs.begin(), other_exprs.end(), [&](auto e) { return str(e).has_value(); })) {
    // AWS names the expressions that take values, in its order.
    std::string missing;
    int n = 0;
    for (std::string_view e : {"UpdateExpression", "ConditionExpression", "FilterExpression", "KeyConditionExpression"})
      if (e == cond_param || std::find(other_exprs.begin(), other_exprs.end(), e) != other_exprs.end())
        missing += (n++ ? " and " : "") + std::string(e);
    if (missing.empty()) missing = "UpdateExpression", n = 1;
    throw ApiError::validation("ExpressionAttributeValues can only be specified when using expressions: " + missing + (n > 1 ? " are null" : " is null"));
  }
  r.ctx.emplace(names, values);
  if (cond) r.condition = parse_condition(*cond, cond_param, *r.ctx);
  if (proj) r.projection = parse_projection(*proj, "ProjectionExpression", *r.ctx);
  if (legacy) {
    bool use_or = false;
    if (legacy_or_from_operator) {
      auto op = str("ConditionalOperator");
      use_or = op && *op == "OR";
    }
    r.condition = legacy_conditions(legacy, legacy_cond == "Expected", use_or, r.legacy);
  }
  if (attrs_to_get) {
    std::vector<Path> paths;
    for (auto& a : o.at("AttributesToGet").as_array()) {
      std::string name(a.as_string());
      for (auto& p : paths)
        if (p[0].name == name) throw ApiError::validation("One or more parameter values were invalid: Duplicate value in attribute name: " + name);
      paths.push_back(Path{PathElem{std::move(name), -1}});
    }
    r.projection = std::move(paths);
  }
}

}  // namespace podstack::dynamodb
