// Amazon DynamoDB: tables, items, the expression languages, Query/Scan with
// indexes, batches and transactions.
//
// Events carry resulting item images (ItemsWritten), never expressions: apply()
// only stores bytes and maintains indexes, and replay never re-evaluates an
// expression. A batch or a transaction is one event, applied as a whole.
// AWS reference: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/
#include "server/services/dynamodb/dynamodb_service.h"

#include <algorithm>
#include <deque>

#include "proto/dynamodb.pb.h"
#include "server/protocol/encoding.h"
#include "server/services/dynamodb/expression.h"
#include "server/services/dynamodb/item.h"
#include "server/services/dynamodb/number.h"
#include "server/services/dynamodb/partiql.h"
#include "server/services/dynamodb/table.h"
#include "base/digest.h"

namespace podstack {
namespace {

using namespace dynamodb;
namespace ddb = ::podstack::dynamodb;
class DynamoDbStreamsService;

constexpr size_t kPageBytes = 1024 * 1024;  // Query/Scan stop after 1 MB of items read
constexpr size_t kBatchGetBytes = 16 * 1024 * 1024;  // BatchGetItem answers at most 16 MB of items
constexpr int64_t kTokenWindowMs = 10 * 60 * 1000;  // a ClientRequestToken is remembered for 10 minutes

struct Partition {
  std::map<std::string, TableState, std::less<>> tables;
  // TransactWriteItems ClientRequestTokens, and the same ordered by time so
  // that forgetting the old ones costs only what is forgotten.
  std::map<std::string, ddb::ClientToken, std::less<>> tokens;
  std::set<std::pair<int64_t, std::string>> token_times;

  void remember(const ddb::ClientToken& tok) {
    auto [it, fresh] = tokens.try_emplace(tok.token(), tok);
    if (!fresh) {
      token_times.erase({it->second.time_ms(), it->first});
      it->second = tok;
    }
    token_times.emplace(tok.time_ms(), tok.token());
  }
  // Forgets the tokens whose window has closed by `now_ms` (an event's time).
  void forget_tokens(int64_t now_ms) {
    while (!token_times.empty() && token_times.begin()->first + kTokenWindowMs <= now_ms) {
      tokens.erase(token_times.begin()->second);
      token_times.erase(token_times.begin());
    }
  }
};

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

// The request a ClientRequestToken stands for: every parameter but the token.
std::string request_digest(const json::object& in) {
  json::object rest = in;
  rest.erase("ClientRequestToken");
  std::string text;
  canonical_json(rest, text);
  return sha256(text);
}

ApiError not_found(std::string message = "Requested resource not found") {
  return ApiError::bad_request("ResourceNotFoundException", std::move(message));
}
ApiError in_use(std::string message) { return ApiError::bad_request("ResourceInUseException", std::move(message)); }

std::string table_arn(const CallContext& ctx, std::string_view name) {
  return "arn:aws:dynamodb:" + ctx.region + ":" + ctx.account + ":table/" + std::string(name);
}

void validate_table_name(std::string_view name) {
  bool ok = name.size() >= 3 && name.size() <= 255 && std::all_of(name.begin(), name.end(), [](char c) {
              return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
            });
  if (!ok)
    throw ApiError::validation("1 validation error detected: Value '" + std::string(name) +
                               "' at 'tableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+");
}

std::string event_bytes(const ddb::Event& e) { return e.SerializeAsString(); }

// ---- key validation ----

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

bool nesting_exceeds(const AttributeValue& v, int budget) {
  if (v.v_case() != AttributeValue::kM && v.v_case() != AttributeValue::kL) return false;
  if (budget == 0) return true;
  if (v.v_case() == AttributeValue::kM) {
    for (auto& [k, e] : v.m().fields())
      if (nesting_exceeds(e, budget - 1)) return true;
  } else {
    for (auto& e : v.l().values())
      if (nesting_exceeds(e, budget - 1)) return true;
  }
  return false;
}

// An item to be written: key attributes present with the right types, index
// key attributes typed as declared, size within 400 KB.
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
  // Documents nest at most 32 levels; updates could otherwise deepen an item without bound.
  for (auto& [n, v] : item.attrs())
    if (nesting_exceeds(v, 32)) throw ApiError::validation("Nesting Levels have exceeded supported limits");
}

// A Key parameter: exactly the key attributes.
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

// ---- legacy parameters (Expected, AttributesToGet, KeyConditions, QueryFilter, ScanFilter) ----
// Translated into the same AST as the expressions; values live in `store`.
struct LegacyStore {
  std::deque<AttributeValue> values;
};

Node legacy_value(LegacyStore& s, const AttributeValue& v) {
  Node n;
  n.kind = Node::Kind::kValue;
  s.values.push_back(v);
  n.value = &s.values.back();
  return n;
}

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
  auto need = [&](size_t n) {
    if (vals.size() != n)
      throw ApiError::validation("One or more parameter values were invalid: Invalid number of argument(s) for the " + op + " ComparisonOperator");
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

// ---- the parameters every item operation shares ----
struct ItemRequest {
  std::optional<ExpressionContext> ctx;
  LegacyStore legacy;
  std::optional<Node> condition;
  std::optional<std::vector<Path>> projection;
};

void mixed(std::string_view non_expr, std::string_view expr) {
  throw ApiError::validation("Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {" +
                             std::string(non_expr) + "} Expression parameters: {" + std::string(expr) + "}");
}

// Reads ExpressionAttributeNames/Values and the named expressions of `o`;
// `cond_param` is the condition's parameter (ConditionExpression,
// FilterExpression) and `legacy_cond` its legacy counterpart.
void read_expressions(const json::object& o, ItemRequest& r, std::string_view cond_param, std::string_view legacy_cond,
                      bool legacy_or_from_operator, std::initializer_list<std::string_view> other_exprs = {}) {
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
  if (legacy && cond) mixed(legacy_cond, cond_param);
  if (attrs_to_get && proj) mixed("AttributesToGet", "ProjectionExpression");
  bool any_expr = cond || proj;
  for (auto e : other_exprs) any_expr |= str(e).has_value();
  if (names && !any_expr) throw ApiError::validation("ExpressionAttributeNames can only be specified when using expressions");
  if (values && !cond && !std::any_of(other_exprs.begin(), other_exprs.end(), [&](auto e) { return str(e).has_value(); }))
    throw ApiError::validation("ExpressionAttributeValues can only be specified when using expressions: " + std::string(cond_param.empty() ? "UpdateExpression" : cond_param) + " is null");
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
    for (auto& a : o.at("AttributesToGet").as_array()) paths.push_back(Path{PathElem{std::string(a.as_string()), -1}});
    r.projection = std::move(paths);
  }
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

uint32_t fnv1a(std::string_view s) {
  uint32_t h = 2166136261u;
  for (unsigned char c : s) h = (h ^ c) * 16777619u;
  return h;
}

class DynamoDbService final : public ServiceBase<DynamoDbService> {
  friend class DynamoDbStreamsService;

 public:
  std::string_view name() const override { return "dynamodb"; }
  const protocol::ServiceModel& model() const override { return *protocol::builtin_model("dynamodb"); }

  static const Table& operations() {
    static const Table t = {
        {"CreateTable", {true, &DynamoDbService::create_table}},
        {"DescribeTable", {false, &DynamoDbService::describe_table}},
        {"ListTables", {false, &DynamoDbService::list_tables}},
        {"DeleteTable", {true, &DynamoDbService::delete_table}},
        {"UpdateTable", {true, &DynamoDbService::update_table}},
        {"UpdateTimeToLive", {true, &DynamoDbService::update_ttl}},
        {"DescribeTimeToLive", {false, &DynamoDbService::describe_ttl}},
        {"TagResource", {true, &DynamoDbService::tag_resource}},
        {"UntagResource", {true, &DynamoDbService::untag_resource}},
        {"ListTagsOfResource", {false, &DynamoDbService::list_tags}},
        {"DescribeEndpoints", {false, &DynamoDbService::describe_endpoints}},
        {"DescribeLimits", {false, &DynamoDbService::describe_limits}},
        {"PutItem", {true, &DynamoDbService::put_item}},
        {"GetItem", {false, &DynamoDbService::get_item}},
        {"DeleteItem", {true, &DynamoDbService::delete_item}},
        {"UpdateItem", {true, &DynamoDbService::update_item}},
        {"Query", {false, &DynamoDbService::query}},
        {"Scan", {false, &DynamoDbService::scan}},
        {"BatchGetItem", {false, &DynamoDbService::batch_get}},
        {"BatchWriteItem", {true, &DynamoDbService::batch_write}},
        {"TransactGetItems", {false, &DynamoDbService::transact_get}},
        {"TransactWriteItems", {true, &DynamoDbService::transact_write}},
        // May write: decided under the exclusive lock; reads emit no events.
        {"ExecuteStatement", {true, &DynamoDbService::execute_statement}},
        {"BatchExecuteStatement", {true, &DynamoDbService::batch_execute_statement}},
        {"ExecuteTransaction", {true, &DynamoDbService::execute_transaction}},
    };
    return t;
  }

  // ---- apply: the only mutation ----
  const google::protobuf::MessageLite* event_prototype() const override { return &ddb::Event::default_instance(); }
  void apply(const proto::Event& e) override {
    ddb::Event ev;
    if (!ev.ParseFromString(e.payload())) throw std::runtime_error("dynamodb event does not parse");
    Partition& part = parts_.get(e);
    switch (ev.kind_case()) {
      case ddb::Event::kCreated: {
        TableState& t = part.tables[ev.created().desc().name()];
        t = TableState{};
        t.desc = ev.created().desc();
        t.configure();
        break;
      }
      case ddb::Event::kDeleted: part.tables.erase(ev.deleted().name()); break;
      case ddb::Event::kUpdated: {
        auto it = part.tables.find(ev.updated().desc().name());
        if (it == part.tables.end()) break;
        // A new stream (or none) starts without the old stream's records.
        if (it->second.desc.stream_label() != ev.updated().desc().stream_label() || ev.updated().desc().stream_view_type().empty())
          it->second.stream.clear();
        it->second.desc = ev.updated().desc();
        it->second.configure();
        break;
      }
      case ddb::Event::kItems: {
        // Tokens older than the window are forgotten as time passes, by the
        // events' own times, so replay forgets exactly the same ones.
        part.forget_tokens(e.time_ms());
        if (!ev.items().client_token().empty()) {
          ddb::ClientToken tok;
          tok.set_token(ev.items().client_token());
          tok.set_digest(ev.items().request_digest());
          tok.set_time_ms(e.time_ms());
          part.remember(tok);
        }
        int index = 0;
        for (auto& w : ev.items().writes()) {
          auto it = part.tables.find(w.table());
          if (it == part.tables.end()) continue;
          Item item;
          item.ParseFromString(w.item());
          it->second.record(item, w.deleted(), e.sequence(), index++, e.time_ms());
          if (w.deleted()) it->second.erase(it->second.key_of(item));
          else it->second.put(item, w.item());
        }
        break;
      }
      case ddb::Event::KIND_NOT_SET: throw std::runtime_error("empty dynamodb event");
    }
  }

  std::string snapshot() const override {
    PartitionWriter w;
    for (auto& [key, part] : parts_) {
      w.begin(key.first, key.second);
      for (auto& [n, t] : part.tables) {
        ddb::Table msg;
        *msg.mutable_desc() = t.desc;
        msg.mutable_items()->Reserve(static_cast<int>(t.items.size()));
        for (auto& [pk, b] : t.items) msg.add_items(b);
        for (auto& r : t.stream) *msg.add_stream() = r;
        w.item(msg);
      }
      for (auto& [tok, msg] : part.tokens) w.field(4, msg);
    }
    return w.finish();
  }

  Status restore(std::string_view bytes) override {
    ddb::State st;
    if (Status s = parse_snapshot(bytes, st, "dynamodb"); !s.is_ok()) return s;
    parts_.clear();
    for (auto& p : st.partitions()) {
      Partition& part = parts_.get(p.account(), p.region());
      for (auto& tm : p.tables()) {
        TableState& t = part.tables[tm.desc().name()];
        t.desc = tm.desc();
        t.configure();
        for (auto& b : tm.items()) {
          Item item;
          item.ParseFromString(b);
          t.put(item, b);
        }
        t.stream.assign(tm.stream().begin(), tm.stream().end());
      }
      for (auto& tok : p.tokens()) part.remember(tok);
    }
    return Status::ok();
  }

  Status check_snapshot(std::string_view bytes) const override {
    ddb::State st;
    return parse_snapshot(bytes, st, "dynamodb");
  }

  uint64_t resource_count() const override {
    return parts_.count([](const Partition& p) { return p.tables.size(); });
  }

  void clear() override { parts_.clear(); }

  std::string summarize(const proto::Event& e) const override {
    ddb::Event ev;
    if (!ev.ParseFromString(e.payload())) return "(unreadable)";
    switch (ev.kind_case()) {
      case ddb::Event::kCreated: return "table=" + ev.created().desc().name() + " created";
      case ddb::Event::kDeleted: return "table=" + ev.deleted().name() + " deleted";
      case ddb::Event::kUpdated: return "table=" + ev.updated().desc().name() + " updated";
      case ddb::Event::kItems: {
        std::string s = ev.items().client_token().empty() ? "items" : "transaction token=" + ev.items().client_token() + " items";
        int puts = 0, dels = 0;
        for (auto& w : ev.items().writes()) (w.deleted() ? dels : puts)++;
        return s + " written=" + std::to_string(puts) + " deleted=" + std::to_string(dels) +
               (ev.items().writes_size() ? " table=" + ev.items().writes(0).table() : "");
      }
      default: return {};
    }
  }

 private:
  const Partition* part(const CallContext& ctx) const { return parts_.find(ctx); }

  const TableState* find_table(const CallContext& ctx, std::string_view name) const {
    const Partition* p = part(ctx);
    if (!p) return nullptr;
    auto it = p->tables.find(name);
    return it == p->tables.end() ? nullptr : &it->second;
  }
  const TableState& table(const CallContext& ctx, std::string_view name) const {
    const TableState* t = find_table(ctx, name);
    if (!t) throw not_found();
    return *t;
  }

  // Time to live, applied lazily: an item whose TTL attribute (epoch seconds)
  // has passed reads as absent, and a write to its key replaces it. AWS's rule
  // that values more than five years in the past never expire is kept.
  // https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/howitworks-ttl.html
  static bool expired(const TableState& t, const Item& item, int64_t now_ms) {
    if (t.desc.ttl_attribute().empty()) return false;
    auto it = item.attrs().find(t.desc.ttl_attribute());
    if (it == item.attrs().end() || it->second.v_case() != AttributeValue::kN) return false;
    Decimal ttl, now, floor;
    parse_decimal(it->second.n(), ttl);
    parse_decimal(std::to_string(now_ms / 1000), now);
    parse_decimal(std::to_string(now_ms / 1000 - 5LL * 365 * 24 * 3600), floor);
    return compare(ttl, now) <= 0 && compare(ttl, floor) > 0;
  }

  static std::optional<Item> get(const TableState& t, const PrimaryKey& pk, int64_t now_ms) {
    auto it = t.items.find(pk);
    if (it == t.items.end()) return std::nullopt;
    Item item;
    item.ParseFromString(it->second);
    if (expired(t, item, now_ms)) return std::nullopt;
    return item;
  }

  // ---- table descriptions ----
  static json::array key_schema_json(const google::protobuf::RepeatedPtrField<KeyElement>& ks) {
    json::array a;
    for (auto& k : ks) a.push_back(json::object{{"AttributeName", k.name()}, {"KeyType", k.key_type()}});
    return a;
  }

  json::object describe(const CallContext& ctx, const TableState& t, std::string_view status = "ACTIVE") const {
    const TableDescription& d = t.desc;
    json::object o;
    json::array defs;
    for (auto& a : d.attributes()) defs.push_back(json::object{{"AttributeName", a.name()}, {"AttributeType", a.type()}});
    o["AttributeDefinitions"] = std::move(defs);
    o["TableName"] = d.name();
    o["KeySchema"] = key_schema_json(d.key_schema());
    o["TableStatus"] = status;
    o["CreationDateTime"] = d.created();
    json::object pt{{"NumberOfDecreasesToday", 0}, {"ReadCapacityUnits", d.read_capacity()}, {"WriteCapacityUnits", d.write_capacity()}};
    if (d.last_increase() > 0) pt["LastIncreaseDateTime"] = d.last_increase();
    if (d.last_decrease() > 0) pt["LastDecreaseDateTime"] = d.last_decrease();
    o["ProvisionedThroughput"] = std::move(pt);
    o["TableSizeBytes"] = static_cast<int64_t>(t.bytes);
    o["ItemCount"] = static_cast<int64_t>(t.items.size());
    std::string arn = table_arn(ctx, d.name());
    o["TableArn"] = arn;
    o["TableId"] = d.table_id();
    if (d.billing_mode() == "PAY_PER_REQUEST")
      o["BillingModeSummary"] = json::object{{"BillingMode", "PAY_PER_REQUEST"}, {"LastUpdateToPayPerRequestDateTime", d.created()}};
    json::array lsis, gsis;
    for (auto& ix : d.indexes()) {
      json::object io;
      io["IndexName"] = ix.name();
      io["KeySchema"] = key_schema_json(ix.key_schema());
      json::object proj{{"ProjectionType", ix.projection_type()}};
      if (ix.non_key_attributes_size()) {
        json::array nk;
        for (auto& a : ix.non_key_attributes()) nk.emplace_back(a);
        proj["NonKeyAttributes"] = std::move(nk);
      }
      io["Projection"] = std::move(proj);
      auto it = t.indexes.find(ix.name());
      io["IndexSizeBytes"] = static_cast<int64_t>(it == t.indexes.end() ? 0 : it->second.bytes);
      io["ItemCount"] = static_cast<int64_t>(it == t.indexes.end() ? 0 : it->second.entries.size());
      io["IndexArn"] = arn + "/index/" + ix.name();
      if (ix.local()) {
        lsis.push_back(std::move(io));
      } else {
        io["IndexStatus"] = "ACTIVE";
        io["ProvisionedThroughput"] = json::object{{"NumberOfDecreasesToday", 0}, {"ReadCapacityUnits", ix.read_capacity()}, {"WriteCapacityUnits", ix.write_capacity()}};
        gsis.push_back(std::move(io));
      }
    }
    if (!lsis.empty()) o["LocalSecondaryIndexes"] = std::move(lsis);
    if (!gsis.empty()) o["GlobalSecondaryIndexes"] = std::move(gsis);
    if (!d.stream_view_type().empty()) {
      o["StreamSpecification"] = json::object{{"StreamEnabled", true}, {"StreamViewType", d.stream_view_type()}};
      o["LatestStreamLabel"] = d.stream_label();
      o["LatestStreamArn"] = arn + "/stream/" + d.stream_label();
    }
    if (!d.sse_type().empty()) {
      json::object sse{{"Status", "ENABLED"}, {"SSEType", d.sse_type()}};
      sse["KMSMasterKeyArn"] = d.sse_kms_key().empty() ? "arn:aws:kms:" + ctx.region + ":" + ctx.account + ":key/aws-dynamodb" : d.sse_kms_key();
      o["SSEDescription"] = std::move(sse);
    }
    if (!d.table_class().empty()) o["TableClassSummary"] = json::object{{"TableClass", d.table_class()}};
    o["DeletionProtectionEnabled"] = d.deletion_protection();
    return o;
  }

  // ---- tables ----
  static void read_throughput(const json::object* pt, int64_t& r, int64_t& w) {
    if (!pt) return;
    if (auto* v = pt->if_contains("ReadCapacityUnits"); v && v->is_int64()) r = v->as_int64();
    if (auto* v = pt->if_contains("WriteCapacityUnits"); v && v->is_int64()) w = v->as_int64();
  }

  static Index read_index(const json::object& o, bool local, const std::string& billing) {
    Index ix;
    ix.set_name(std::string(o.at("IndexName").as_string()));
    ix.set_local(local);
    for (auto& k : o.at("KeySchema").as_array()) {
      auto* e = ix.add_key_schema();
      e->set_name(std::string(k.at("AttributeName").as_string()));
      e->set_key_type(std::string(k.at("KeyType").as_string()));
    }
    const auto& p = o.at("Projection").as_object();
    ix.set_projection_type(p.contains("ProjectionType") ? std::string(p.at("ProjectionType").as_string()) : "ALL");
    if (auto* nk = p.if_contains("NonKeyAttributes"); nk && nk->is_array()) {
      if (ix.projection_type() != "INCLUDE")
        throw ApiError::validation("One or more parameter values were invalid: ProjectionType is " + ix.projection_type() + ", but NonKeyAttributes is specified");
      for (auto& a : nk->as_array()) ix.add_non_key_attributes(std::string(a.as_string()));
    }
    if (!local) {
      int64_t r = 0, w = 0;
      const json::object* pt = o.contains("ProvisionedThroughput") && o.at("ProvisionedThroughput").is_object() ? &o.at("ProvisionedThroughput").as_object() : nullptr;
      if (billing == "PROVISIONED" && !pt)
        throw ApiError::validation("One or more parameter values were invalid: ProvisionedThroughput must be specified for index: " + ix.name());
      if (billing == "PAY_PER_REQUEST" && pt)
        throw ApiError::validation("One or more parameter values were invalid: ProvisionedThroughput should not be specified for index: " + ix.name() + " when BillingMode is PAY_PER_REQUEST");
      read_throughput(pt, r, w);
      ix.set_read_capacity(r);
      ix.set_write_capacity(w);
    }
    return ix;
  }

  static void check_key_schema(const google::protobuf::RepeatedPtrField<KeyElement>& ks, const TableDescription& d, std::string_view what) {
    if (ks.empty() || ks.size() > 2 || ks[0].key_type() != "HASH" || (ks.size() == 2 && ks[1].key_type() != "RANGE"))
      throw ApiError::validation(std::string(what) == "table" ? "Invalid KeySchema: The first KeySchemaElement is not a HASH key type"
                                                              : "One or more parameter values were invalid: Invalid KeySchema for index");
    if (ks.size() == 2 && ks[0].name() == ks[1].name())
      throw ApiError::validation("Both the Hash Key and the Range Key element in the KeySchema have the same name");
    for (auto& k : ks) {
      bool defined = std::any_of(d.attributes().begin(), d.attributes().end(), [&](auto& a) { return a.name() == k.name(); });
      if (!defined) {
        std::string keys, defs;
        for (auto& x : ks) keys += (keys.empty() ? "" : ", ") + x.name();
        for (auto& a : d.attributes()) defs += (defs.empty() ? "" : ", ") + a.name();
        throw ApiError::validation("One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. Keys: [" +
                                   keys + "], AttributeDefinitions: [" + defs + "]");
      }
    }
  }

  static void check_index_set(const TableDescription& d) {
    std::set<std::string> used;
    for (auto& k : d.key_schema()) used.insert(k.name());
    std::set<std::string> names;
    int lsis = 0, gsis = 0;
    for (auto& ix : d.indexes()) {
      if (!names.insert(ix.name()).second)
        throw ApiError::validation("One or more parameter values were invalid: Duplicate index name: " + ix.name());
      check_key_schema(ix.key_schema(), d, "index");
      for (auto& k : ix.key_schema()) used.insert(k.name());
      if (ix.local()) {
        ++lsis;
        if (d.key_schema_size() != 2)
          throw ApiError::validation("One or more parameter values were invalid: Table KeySchema does not have a range key, which is required when specifying a LocalSecondaryIndex");
        if (ix.key_schema_size() != 2 || ix.key_schema(0).name() != d.key_schema(0).name())
          throw ApiError::validation("One or more parameter values were invalid: Index KeySchema does not have the same leading hash key as table KeySchema for index: " +
                                     ix.name() + ". index hash key: " + ix.key_schema(0).name() + ", table hash key: " + d.key_schema(0).name());
      } else {
        ++gsis;
      }
    }
    if (lsis > 5) throw ApiError::validation("One or more parameter values were invalid: Number of LocalSecondaryIndexes exceeds per-table limit of 5");
    if (gsis > 20) throw ApiError::validation("One or more parameter values were invalid: Number of GlobalSecondaryIndexes exceeds per-table limit of 20");
    if (used.size() != static_cast<size_t>(d.attributes_size()))
      throw ApiError::validation("One or more parameter values were invalid: Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions");
  }

  static void read_stream_spec(const json::object* spec, TableDescription& d, const CallContext& ctx) {
    if (!spec) return;
    bool enabled = spec->contains("StreamEnabled") && spec->at("StreamEnabled").as_bool();
    if (enabled) {
      auto* vt = spec->if_contains("StreamViewType");
      if (!vt || !vt->is_string())
        throw ApiError::validation("One or more parameter values were invalid: StreamViewType must be specified when StreamEnabled is true");
      if (!d.stream_view_type().empty()) throw in_use("Table " + d.name() + " already has an enabled stream: " + table_arn(ctx, d.name()) + "/stream/" + d.stream_label());
      d.set_stream_view_type(std::string(vt->as_string()));
      // The label is the creation time, ISO 8601 with milliseconds, as AWS.
      d.set_stream_label(protocol::iso8601(ctx.now()).substr(0, 23));
    } else {
      if (d.stream_view_type().empty() && spec->contains("StreamViewType"))
        throw ApiError::validation("One or more parameter values were invalid: StreamViewType cannot be specified when StreamEnabled is false");
      d.clear_stream_view_type();
    }
  }

  void create_table(const Input& in, const CallContext& ctx, Decision& out) const {
    std::string name(in.str("TableName"));
    validate_table_name(name);
    TableDescription d;
    d.set_name(name);
    d.set_table_id(random_uuid());
    d.set_created(static_cast<double>(ctx.now_ms / 1000) + static_cast<double>(ctx.now_ms % 1000) / 1000.0);
    std::map<std::string, std::string> attrs;
    for (auto& a : *in.array("AttributeDefinitions")) {
      std::string n(a.at("AttributeName").as_string());
      if (!attrs.emplace(n, std::string(a.at("AttributeType").as_string())).second)
        throw ApiError::validation("Cannot have two attributes with the same name");
    }
    for (auto& [n, t] : attrs) {
      auto* ad = d.add_attributes();
      ad->set_name(n);
      ad->set_type(t);
    }
    for (auto& k : *in.array("KeySchema")) {
      auto* e = d.add_key_schema();
      e->set_name(std::string(k.at("AttributeName").as_string()));
      e->set_key_type(std::string(k.at("KeyType").as_string()));
    }
    check_key_schema(d.key_schema(), d, "table");
    std::string billing = in.str_or("BillingMode", "PROVISIONED");
    d.set_billing_mode(billing);
    const json::object* pt = in.object("ProvisionedThroughput");
    if (billing == "PROVISIONED" && !pt)
      throw ApiError::validation("One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED");
    if (billing == "PAY_PER_REQUEST" && pt)
      throw ApiError::validation("One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST");
    int64_t r = 0, w = 0;
    read_throughput(pt, r, w);
    d.set_read_capacity(r);
    d.set_write_capacity(w);
    if (auto* l = in.array("LocalSecondaryIndexes")) {
      if (l->empty()) throw ApiError::validation("One or more parameter values were invalid: List of LocalSecondaryIndexes is empty");
      for (auto& ix : *l) *d.add_indexes() = read_index(ix.as_object(), true, billing);
    }
    if (auto* g = in.array("GlobalSecondaryIndexes")) {
      if (g->empty()) throw ApiError::validation("One or more parameter values were invalid: List of GlobalSecondaryIndexes is empty");
      for (auto& ix : *g) *d.add_indexes() = read_index(ix.as_object(), false, billing);
    }
    check_index_set(d);
    read_stream_spec(in.object("StreamSpecification"), d, ctx);
    if (auto* sse = in.object("SSESpecification")) {
      if (sse->contains("Enabled") && sse->at("Enabled").as_bool()) {
        d.set_sse_type(sse->contains("SSEType") ? std::string(sse->at("SSEType").as_string()) : "KMS");
        if (auto* k = sse->if_contains("KMSMasterKeyId"); k && k->is_string()) d.set_sse_kms_key(std::string(k->as_string()));
      }
    }
    if (auto tc = in.opt_str("TableClass")) d.set_table_class(std::string(*tc));
    d.set_deletion_protection(in.flag("DeletionProtectionEnabled"));
    if (auto* tags = in.array("Tags")) {
      std::map<std::string, std::string> m;
      for (auto& t : *tags) m[std::string(t.at("Key").as_string())] = std::string(t.at("Value").as_string());
      for (auto& [k, v] : m) {
        auto* t = d.add_tags();
        t->set_key(k);
        t->set_value(v);
      }
    }
    if (find_table(ctx, name)) throw in_use("Table already exists: " + name);

    ddb::Event ev;
    *ev.mutable_created()->mutable_desc() = d;
    out.add(ev);
    TableState fresh;
    fresh.desc = d;
    fresh.configure();
    out.output = json::object{{"TableDescription", describe(ctx, fresh, "CREATING")}};
  }

  void describe_table(const Input& in, const CallContext& ctx, Decision& out) const {
    std::string_view name = in.str("TableName");
    const TableState* t = find_table(ctx, name);
    if (!t) throw not_found("Requested resource not found: Table: " + std::string(name) + " not found");
    out.output = json::object{{"Table", describe(ctx, *t)}};
  }

  void list_tables(const Input& in, const CallContext& ctx, Decision& out) const {
    int64_t limit = in.opt_int("Limit").value_or(100);
    std::string start = in.str_or("ExclusiveStartTableName", "");
    json::array names;
    std::string last;
    if (const Partition* p = part(ctx)) {
      auto it = start.empty() ? p->tables.begin() : p->tables.upper_bound(start);
      for (; it != p->tables.end(); ++it) {
        if (static_cast<int64_t>(names.size()) == limit) {
          last = names.back().as_string().c_str();
          break;
        }
        names.emplace_back(it->first);
      }
    }
    json::object o{{"TableNames", std::move(names)}};
    if (!last.empty()) o["LastEvaluatedTableName"] = last;
    out.output = std::move(o);
  }

  void delete_table(const Input& in, const CallContext& ctx, Decision& out) const {
    std::string_view name = in.str("TableName");
    const TableState* t = find_table(ctx, name);
    if (!t) throw not_found("Requested resource not found: Table: " + std::string(name) + " not found");
    if (t->desc.deletion_protection())
      throw ApiError::validation("Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first.");
    ddb::Event ev;
    ev.mutable_deleted()->set_name(std::string(name));
    out.add(ev);
    out.output = json::object{{"TableDescription", describe(ctx, *t, "DELETING")}};
  }

  void update_table(const Input& in, const CallContext& ctx, Decision& out) const {
    std::string_view name = in.str("TableName");
    const TableState* t = find_table(ctx, name);
    if (!t) throw not_found("Requested resource not found: Table: " + std::string(name) + " not found");
    TableDescription d = t->desc;
    bool changed = false;
    if (auto* defs = in.array("AttributeDefinitions")) {
      std::map<std::string, std::string> attrs;
      for (auto& a : d.attributes()) attrs[a.name()] = a.type();
      for (auto& a : *defs) attrs[std::string(a.at("AttributeName").as_string())] = std::string(a.at("AttributeType").as_string());
      d.clear_attributes();
      for (auto& [n, ty] : attrs) {
        auto* ad = d.add_attributes();
        ad->set_name(n);
        ad->set_type(ty);
      }
    }
    if (auto b = in.opt_str("BillingMode")) {
      d.set_billing_mode(std::string(*b));
      changed = true;
    }
    if (auto* pt = in.object("ProvisionedThroughput")) {
      if (d.billing_mode() == "PAY_PER_REQUEST")
        throw ApiError::validation("One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST");
      int64_t r = d.read_capacity(), w = d.write_capacity();
      read_throughput(pt, r, w);
      if (r > d.read_capacity() || w > d.write_capacity()) d.set_last_increase(ctx.now());
      if (r < d.read_capacity() || w < d.write_capacity()) d.set_last_decrease(ctx.now());
      d.set_read_capacity(r);
      d.set_write_capacity(w);
      changed = true;
    }
    if (auto* updates = in.array("GlobalSecondaryIndexUpdates")) {
      for (auto& u : *updates) {
        const auto& uo = u.as_object();
        if (auto* c = uo.if_contains("Create"); c && c->is_object()) {
          Index ix = read_index(c->as_object(), false, d.billing_mode());
          for (auto& e : d.indexes())
            if (e.name() == ix.name()) throw ApiError::validation("One or more parameter values were invalid: Index with name " + ix.name() + " already exists");
          *d.add_indexes() = ix;
        } else if (auto* del = uo.if_contains("Delete"); del && del->is_object()) {
          std::string n(del->at("IndexName").as_string());
          auto* ixs = d.mutable_indexes();
          auto it = std::find_if(ixs->begin(), ixs->end(), [&](auto& e) { return e.name() == n && !e.local(); });
          if (it == ixs->end()) throw not_found("Requested resource not found: Index: " + n + " not found");
          ixs->erase(it);
        } else if (auto* up = uo.if_contains("Update"); up && up->is_object()) {
          std::string n(up->at("IndexName").as_string());
          bool found = false;
          for (auto& e : *d.mutable_indexes())
            if (e.name() == n && !e.local()) {
              int64_t r = e.read_capacity(), w = e.write_capacity();
              if (auto* pt = up->as_object().if_contains("ProvisionedThroughput"); pt && pt->is_object()) read_throughput(&pt->as_object(), r, w);
              e.set_read_capacity(r);
              e.set_write_capacity(w);
              found = true;
            }
          if (!found) throw not_found("Requested resource not found: Index: " + n + " not found");
        }
        changed = true;
      }
      // Attribute definitions only for keys in use.
      std::set<std::string> used;
      for (auto& k : d.key_schema()) used.insert(k.name());
      for (auto& ix : d.indexes())
        for (auto& k : ix.key_schema()) used.insert(k.name());
      auto* attrs = d.mutable_attributes();
      for (auto it = attrs->begin(); it != attrs->end();) it = used.count(it->name()) ? std::next(it) : attrs->erase(it);
      check_index_set(d);
    }
    if (auto* spec = in.object("StreamSpecification")) {
      read_stream_spec(spec, d, ctx);
      changed = true;
    }
    if (in.has("DeletionProtectionEnabled")) {
      d.set_deletion_protection(in.flag("DeletionProtectionEnabled"));
      changed = true;
    }
    if (auto* sse = in.object("SSESpecification")) {
      if (sse->contains("Enabled") && sse->at("Enabled").as_bool()) d.set_sse_type(sse->contains("SSEType") ? std::string(sse->at("SSEType").as_string()) : "KMS");
      else d.clear_sse_type();
      changed = true;
    }
    if (auto tc = in.opt_str("TableClass")) {
      d.set_table_class(std::string(*tc));
      changed = true;
    }
    if (!changed)
      throw ApiError::validation("At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, GlobalSecondaryIndexUpdates or SSESpecification or ReplicaUpdates is required");
    ddb::Event ev;
    *ev.mutable_updated()->mutable_desc() = d;
    out.add(ev);
    TableState preview;
    preview.desc = d;
    preview.configure();
    json::object desc = describe(ctx, preview);
    desc["ItemCount"] = static_cast<int64_t>(t->items.size());
    desc["TableSizeBytes"] = static_cast<int64_t>(t->bytes);
    out.output = json::object{{"TableDescription", std::move(desc)}};
  }

  void update_ttl(const Input& in, const CallContext& ctx, Decision& out) const {
    const TableState& t = table(ctx, in.str("TableName"));
    const json::object& spec = *in.object("TimeToLiveSpecification");
    bool enabled = spec.at("Enabled").as_bool();
    std::string attr(spec.at("AttributeName").as_string());
    TableDescription d = t.desc;
    if (enabled && !d.ttl_attribute().empty()) throw ApiError::validation("TimeToLive is already enabled");
    if (!enabled && d.ttl_attribute().empty()) throw ApiError::validation("TimeToLive is already disabled");
    if (!enabled && d.ttl_attribute() != attr) throw ApiError::validation("The attribute name provided does not match the TTL attribute name configured on the table");
    d.set_ttl_attribute(enabled ? attr : "");
    ddb::Event ev;
    *ev.mutable_updated()->mutable_desc() = d;
    out.add(ev);
    out.output = json::object{{"TimeToLiveSpecification", json::object{{"Enabled", enabled}, {"AttributeName", attr}}}};
  }

  void describe_ttl(const Input& in, const CallContext& ctx, Decision& out) const {
    const TableState& t = table(ctx, in.str("TableName"));
    json::object d;
    if (t.desc.ttl_attribute().empty()) {
      d["TimeToLiveStatus"] = "DISABLED";
    } else {
      d["TimeToLiveStatus"] = "ENABLED";
      d["AttributeName"] = t.desc.ttl_attribute();
    }
    out.output = json::object{{"TimeToLiveDescription", std::move(d)}};
  }

  const TableState& table_by_arn(const CallContext& ctx, std::string_view arn) const {
    std::string prefix = table_arn(ctx, "");
    const TableState* t = nullptr;
    if (arn.rfind(prefix, 0) == 0) {
      std::string_view rest = arn.substr(prefix.size());
      t = find_table(ctx, rest.substr(0, rest.find('/')));
    }
    if (!t) throw ApiError::bad_request("ResourceNotFoundException", "Requested resource not found: ResourcArn: " + std::string(arn) + " not found");
    return *t;
  }

  void tag_resource(const Input& in, const CallContext& ctx, Decision& out) const {
    const TableState& t = table_by_arn(ctx, in.str("ResourceArn"));
    std::map<std::string, std::string> tags;
    for (auto& tg : t.desc.tags()) tags[tg.key()] = tg.value();
    for (auto& tg : *in.array("Tags")) tags[std::string(tg.at("Key").as_string())] = std::string(tg.at("Value").as_string());
    if (tags.size() > 50) throw ApiError::validation("One or more parameter values were invalid: The number of tags exceeds the limit of 50");
    TableDescription d = t.desc;
    set_tags(d, tags);
    ddb::Event ev;
    *ev.mutable_updated()->mutable_desc() = d;
    out.add(ev);
  }

  void untag_resource(const Input& in, const CallContext& ctx, Decision& out) const {
    const TableState& t = table_by_arn(ctx, in.str("ResourceArn"));
    std::map<std::string, std::string> tags;
    for (auto& tg : t.desc.tags()) tags[tg.key()] = tg.value();
    for (auto& k : *in.array("TagKeys")) tags.erase(std::string(k.as_string()));
    TableDescription d = t.desc;
    set_tags(d, tags);
    ddb::Event ev;
    *ev.mutable_updated()->mutable_desc() = d;
    out.add(ev);
  }

  static void set_tags(TableDescription& d, const std::map<std::string, std::string>& tags) {
    d.clear_tags();
    for (auto& [k, v] : tags) {
      auto* tg = d.add_tags();
      tg->set_key(k);
      tg->set_value(v);
    }
  }

  void list_tags(const Input& in, const CallContext& ctx, Decision& out) const {
    const TableState& t = table_by_arn(ctx, in.str("ResourceArn"));
    json::array tags;
    for (auto& tg : t.desc.tags()) tags.push_back(json::object{{"Key", tg.key()}, {"Value", tg.value()}});
    out.output = json::object{{"Tags", std::move(tags)}};
  }

  void describe_endpoints(const Input&, const CallContext& ctx, Decision& out) const {
    out.output = json::object{{"Endpoints", json::array{json::object{{"Address", "dynamodb." + ctx.region + ".amazonaws.com"}, {"CachePeriodInMinutes", 1440}}}}};
  }

  void describe_limits(const Input&, const CallContext&, Decision& out) const {
    out.output = json::object{{"AccountMaxReadCapacityUnits", 80000}, {"AccountMaxWriteCapacityUnits", 80000},
                              {"TableMaxReadCapacityUnits", 40000}, {"TableMaxWriteCapacityUnits", 40000}};
  }

  // ---- items ----

  static ApiError condition_failed(const std::optional<Item>& old, std::string_view rv_on_fail) {
    ApiError e = ApiError::bad_request("ConditionalCheckFailedException", "The conditional request failed");
    if (old && rv_on_fail == "ALL_OLD") e.json_fields = json::serialize(json::object{{"Item", item_to_json(*old, true)}});
    return e;
  }

  static void check_return_values(std::string_view rv, std::initializer_list<std::string_view> allowed) {
    if (std::find(allowed.begin(), allowed.end(), rv) == allowed.end()) throw ApiError::validation("Return values set to invalid value");
  }

  static void write(Decision& out, const std::string& table, const Item& item, bool deleted) {
    ddb::Event ev;
    auto* w = ev.mutable_items()->add_writes();
    w->set_table(table);
    w->set_item(item_bytes(item));
    w->set_deleted(deleted);
    out.add(ev);
  }

  static Item key_only(const TableState& t, const Item& item) {
    Item k;
    for (auto* n : {&t.key.hash, &t.key.range}) {
      if (n->empty()) continue;
      auto it = item.attrs().find(*n);
      if (it != item.attrs().end()) (*k.mutable_attrs())[*n] = it->second;
    }
    return k;
  }

  void put_item(const Input& in, const CallContext& ctx, Decision& out) const {
    const TableState& t = table(ctx, in.str("TableName"));
    Item item = item_from_json(json::value(*in.object("Item")));
    std::string rv = in.str_or("ReturnValues", "NONE");
    check_return_values(rv, {"NONE", "ALL_OLD"});
    ItemRequest r;
    read_expressions(in.raw(), r, "ConditionExpression", "Expected", true);
    r.ctx->check_all_used();
    validate_item(t, item);
    std::optional<Item> old = get(t, t.key_of(item), ctx.now_ms);
    if (r.condition && !evaluate(*r.condition, old ? *old : Item())) throw condition_failed(old, in.str_or("ReturnValuesOnConditionCheckFailure", "NONE"));
    write(out, t.desc.name(), item, false);
    json::object o = consumed(in.raw(), t.desc.name(), std::max(1.0, static_cast<double>((item_size(item) + 1023) / 1024)));
    if (rv == "ALL_OLD" && old) o["Attributes"] = item_to_json(*old);
    out.output = std::move(o);
  }

  void get_item(const Input& in, const CallContext& ctx, Decision& out) const {
    const TableState& t = table(ctx, in.str("TableName"));
    Item key = key_from_json(t, in.raw().if_contains("Key"));
    ItemRequest r;
    read_expressions(in.raw(), r, "", "", false);
    r.ctx->check_all_used();
    std::optional<Item> item = get(t, t.key_of(key), ctx.now_ms);
    json::object o = consumed(in.raw(), t.desc.name(), in.flag("ConsistentRead") ? 1.0 : 0.5);
    if (item) o["Item"] = item_to_json(r.projection ? project(*item, *r.projection) : *item);
    out.output = std::move(o);
  }

  void delete_item(const Input& in, const CallContext& ctx, Decision& out) const {
    const TableState& t = table(ctx, in.str("TableName"));
    Item key = key_from_json(t, in.raw().if_contains("Key"));
    std::string rv = in.str_or("ReturnValues", "NONE");
    check_return_values(rv, {"NONE", "ALL_OLD"});
    ItemRequest r;
    read_expressions(in.raw(), r, "ConditionExpression", "Expected", true);
    r.ctx->check_all_used();
    std::optional<Item> old = get(t, t.key_of(key), ctx.now_ms);
    if (r.condition && !evaluate(*r.condition, old ? *old : Item())) throw condition_failed(old, in.str_or("ReturnValuesOnConditionCheckFailure", "NONE"));
    if (old) write(out, t.desc.name(), key, true);
    json::object o = consumed(in.raw(), t.desc.name(), 1.0);
    if (rv == "ALL_OLD" && old) o["Attributes"] = item_to_json(*old);
    out.output = std::move(o);
  }

  // Legacy AttributeUpdates -> update actions.
  static std::vector<UpdateAction> legacy_updates(const json::object& au, LegacyStore& s) {
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

  // UpdateItem's core, shared with TransactWriteItems: the new image or an error.
  struct UpdateResult {
    std::optional<Item> old;
    Item updated;
    std::vector<UpdateAction> actions;
  };

  static UpdateResult compute_update(const TableState& t, const json::object& o, std::string_view rv_on_fail, int64_t now_ms) {
    Item key = key_from_json(t, o.if_contains("Key"));
    ItemRequest r;
    read_expressions(o, r, "ConditionExpression", "Expected", true, {"UpdateExpression"});
    UpdateResult res;
    auto* ue = o.if_contains("UpdateExpression");
    auto* au = o.if_contains("AttributeUpdates");
    bool has_ue = ue && ue->is_string(), has_au = au && au->is_object();
    if (has_ue && has_au) mixed("AttributeUpdates", "UpdateExpression");
    if (has_ue) res.actions = parse_update(ue->as_string(), *r.ctx);
    else if (has_au) res.actions = legacy_updates(au->as_object(), r.legacy);
    r.ctx->check_all_used();
    for (auto& a : res.actions)
      if (a.path[0].name == t.key.hash || (!t.key.range.empty() && a.path[0].name == t.key.range))
        throw ApiError::validation("One or more parameter values were invalid: Cannot update attribute " + a.path[0].name + ". This attribute is part of the key");
    res.old = get(t, t.key_of(key), now_ms);
    if (r.condition && !evaluate(*r.condition, res.old ? *res.old : Item())) throw condition_failed(res.old, rv_on_fail);
    res.updated = res.old ? *res.old : key;
    apply_update(res.actions, res.updated);
    validate_item(t, res.updated);
    return res;
  }

  void update_item(const Input& in, const CallContext& ctx, Decision& out) const {
    const TableState& t = table(ctx, in.str("TableName"));
    std::string rv = in.str_or("ReturnValues", "NONE");
    check_return_values(rv, {"NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW"});
    UpdateResult res = compute_update(t, in.raw(), in.str_or("ReturnValuesOnConditionCheckFailure", "NONE"), ctx.now_ms);
    write(out, t.desc.name(), res.updated, false);
    json::object o = consumed(in.raw(), t.desc.name(), std::max(1.0, static_cast<double>((item_size(res.updated) + 1023) / 1024)));
    std::vector<Path> touched;
    for (auto& a : res.actions) touched.push_back(a.path);
    std::optional<Item> shown;
    if (rv == "ALL_OLD") shown = res.old;
    else if (rv == "ALL_NEW") shown = res.updated;
    else if (rv == "UPDATED_OLD" && res.old) shown = project(*res.old, touched);
    else if (rv == "UPDATED_NEW") shown = project(res.updated, touched);
    if (shown && shown->attrs_size()) o["Attributes"] = item_to_json(*shown);
    out.output = std::move(o);
  }

  // ---- Query and Scan ----

  struct IndexView {
    const Index* def = nullptr;     // nullptr: the table itself
    const IndexState* state = nullptr;
    KeyDef key;
  };

  static IndexView view(const TableState& t, const Input& in, bool consistent) {
    IndexView v;
    v.key = t.key;
    if (auto n = in.opt_str("IndexName")) {
      for (auto& ix : t.desc.indexes())
        if (ix.name() == *n) v.def = &ix;
      if (!v.def) throw ApiError::validation("The table does not have the specified index: " + std::string(*n));
      v.state = &t.indexes.at(v.def->name());
      v.key = v.state->key;
      if (consistent && !v.def->local()) throw ApiError::validation("Consistent reads are not supported on global secondary indexes");
    }
    return v;
  }

  // Attributes an index holds for an item.
  static Item index_projection(const TableState& t, const IndexView& v, const Item& item) {
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

  // The key of `item` as LastEvaluatedKey: table key plus index key.
  static json::object last_key(const TableState& t, const IndexView& v, const Item& item) {
    Item k;
    for (auto* n : {&t.key.hash, &t.key.range, &v.key.hash, &v.key.range}) {
      if (n->empty()) continue;
      auto it = item.attrs().find(*n);
      if (it != item.attrs().end()) (*k.mutable_attrs())[*n] = it->second;
    }
    return item_to_json(k);
  }

  // ExclusiveStartKey -> the position to continue after.
  static std::optional<IndexEntry> start_key(const TableState& t, const IndexView& v, const json::object* esk) {
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

  struct Page {
    json::array items;
    int64_t count = 0, scanned = 0;
    std::optional<json::object> last;
    size_t bytes = 0;
  };

  // Reads one stored item into the page (filter, projection, select); false
  // when the page is full (Limit items read or 1 MB), with LastEvaluatedKey set.
  static bool page_add(const TableState& t, const IndexView& v, const std::string& bytes, const ItemRequest& r, std::string_view select,
                       int64_t limit, int64_t now_ms, Page& page) {
    Item stored;
    stored.ParseFromString(bytes);
    if (expired(t, stored, now_ms)) return true;
    page.scanned++;
    std::optional<Item> projected;
    if (v.def && v.def->projection_type() != "ALL") projected = index_projection(t, v, stored);
    const Item& item = projected ? *projected : stored;
    page.bytes += item_size(item);
    if (!r.condition || evaluate(*r.condition, item)) {
      page.count++;
      if (select != "COUNT") page.items.push_back(item_to_json(r.projection ? project(item, *r.projection) : item));
    }
    if (page.scanned >= limit || page.bytes >= kPageBytes) {
      page.last = last_key(t, v, stored);
      return false;
    }
    return true;
  }

  static std::string select_of(const Input& in, const IndexView& v, const ItemRequest& r) {
    std::string select = in.str_or("Select", r.projection ? "SPECIFIC_ATTRIBUTES" : (v.def ? "ALL_PROJECTED_ATTRIBUTES" : "ALL_ATTRIBUTES"));
    if (select == "SPECIFIC_ATTRIBUTES" && !r.projection)
      throw ApiError::validation("1 validation error detected: Value 'SPECIFIC_ATTRIBUTES' at 'select' failed to satisfy constraint: Specific attributes requires ProjectionExpression or AttributesToGet");
    if (select != "SPECIFIC_ATTRIBUTES" && r.projection && in.has("Select"))
      throw ApiError::validation("Cannot specify the AttributesToGet when choosing to get " + select);
    if (select == "ALL_PROJECTED_ATTRIBUTES" && !v.def)
      throw ApiError::validation("ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName");
    if (select == "ALL_ATTRIBUTES" && v.def && v.def->projection_type() != "ALL")
      throw ApiError::validation("One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported for global secondary index " + v.def->name() +
                                 " because its projection type is not ALL");
    return select;
  }

  static void check_filter_keys(const Node& n, const TableState& t, const IndexView& v) {
    if (n.kind == Node::Kind::kPath && n.path.size() == 1) {
      for (auto* k : {&t.key.hash, &t.key.range, &v.key.hash, &v.key.range})
        if (!k->empty() && n.path[0].name == *k)
          throw ApiError::validation("Filter Expression can only contain non-primary key attributes: Primary key attribute: " + *k);
    }
    for (auto& c : n.kids) check_filter_keys(c, t, v);
  }

  // The key condition: hash = value, optional range condition.
  struct KeyCondition {
    const AttributeValue* hash = nullptr;
    std::string range_op;  // "", "=", "<", "<=", ">", ">=", "BETWEEN", "begins_with"
    const AttributeValue* r1 = nullptr;
    const AttributeValue* r2 = nullptr;
  };

  static void key_part(const Node& n, const KeyDef& k, KeyCondition& kc, std::string_view what) {
    auto invalid_op = [&](std::string_view op) {
      return ApiError::validation("Invalid operator used in " + std::string(what) + ": " + std::string(op));
    };
    auto path_name = [&](const Node& p) -> std::string {
      if (p.kind != Node::Kind::kPath || p.path.size() != 1) throw ApiError::validation("Query key condition not supported");
      return p.path[0].name;
    };
    auto value_of = [&](const Node& p) -> const AttributeValue* {
      if (p.kind != Node::Kind::kValue) throw ApiError::validation("Query key condition not supported");
      return p.value;
    };
    switch (n.kind) {
      case Node::Kind::kAnd:
        key_part(n.kids[0], k, kc, what);
        key_part(n.kids[1], k, kc, what);
        return;
      case Node::Kind::kOr: throw invalid_op("OR");
      case Node::Kind::kNot: throw invalid_op("NOT");
      case Node::Kind::kIn: throw invalid_op("IN");
      case Node::Kind::kCompare: {
        if (n.op == "<>") throw invalid_op("<>");
        bool flipped = n.kids[0].kind == Node::Kind::kValue;
        std::string name = path_name(n.kids[flipped ? 1 : 0]);
        const AttributeValue* val = value_of(n.kids[flipped ? 0 : 1]);
        std::string op = n.op;
        if (flipped) op = op == "<" ? ">" : op == ">" ? "<" : op == "<=" ? ">=" : op == ">=" ? "<=" : op;
        if (name == k.hash) {
          if (op != "=") throw ApiError::validation("Query key condition not supported");
          if (kc.hash) throw ApiError::validation("KeyConditionExpressions must only contain one condition per key");
          kc.hash = val;
        } else if (name == k.range) {
          if (!kc.range_op.empty()) throw ApiError::validation("KeyConditionExpressions must only contain one condition per key");
          kc.range_op = op;
          kc.r1 = val;
        } else {
          throw ApiError::validation("Query condition missed key schema element: " + (kc.hash ? k.range : k.hash));
        }
        return;
      }
      case Node::Kind::kBetween: {
        std::string name = path_name(n.kids[0]);
        if (name != k.range || k.range.empty()) throw ApiError::validation("Query key condition not supported");
        if (!kc.range_op.empty()) throw ApiError::validation("KeyConditionExpressions must only contain one condition per key");
        kc.range_op = "BETWEEN";
        kc.r1 = value_of(n.kids[1]);
        kc.r2 = value_of(n.kids[2]);
        bool comparable = false;
        if (compare_values(*kc.r1, *kc.r2, comparable) > 0 && comparable)
          throw ApiError::validation("Invalid " + std::string(what) + ": The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: " +
                                     describe_value(*kc.r1) + ", upper bound operand: AttributeValue: " + describe_value(*kc.r2));
        return;
      }
      case Node::Kind::kFunction: {
        if (n.op != "begins_with") throw invalid_op(n.op);
        std::string name = path_name(n.kids[0]);
        if (name != k.range || k.range.empty()) throw ApiError::validation("Query key condition not supported");
        if (!kc.range_op.empty()) throw ApiError::validation("KeyConditionExpressions must only contain one condition per key");
        kc.range_op = "begins_with";
        kc.r1 = value_of(n.kids[1]);
        if (type_name(*kc.r1) == "N")
          throw ApiError::validation("Invalid " + std::string(what) + ": Incorrect operand type for operator or function; operator or function: begins_with, operand type: N");
        return;
      }
      default: throw ApiError::validation("Query key condition not supported");
    }
  }

  void query(const Input& in, const CallContext& ctx, Decision& out) const {
    const TableState& t = table(ctx, in.str("TableName"));
    IndexView v = view(t, in, in.flag("ConsistentRead"));
    ItemRequest r;
    auto kce = in.opt_str("KeyConditionExpression");
    const json::object* legacy_kc = in.object("KeyConditions");
    if (kce && legacy_kc) mixed("KeyConditions", "KeyConditionExpression");
    read_expressions(in.raw(), r, "FilterExpression", "QueryFilter", true, {"KeyConditionExpression"});
    KeyCondition kc;
    LegacyStore kstore;
    std::optional<Node> knode;
    if (kce) knode = parse_condition(*kce, "KeyConditionExpression", *r.ctx);
    else if (legacy_kc) knode = legacy_conditions(legacy_kc, false, false, kstore);
    else throw ApiError::validation("Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.");
    r.ctx->check_all_used();
    key_part(*knode, v.key, kc, "KeyConditionExpression");
    if (!kc.hash) throw ApiError::validation("Query condition missed key schema element: " + v.key.hash);
    if (type_name(*kc.hash) != v.key.hash_type) throw ApiError::validation("One or more parameter values were invalid: Condition parameter type does not match schema type");
    for (auto* rv : {kc.r1, kc.r2})
      if (rv && type_name(*rv) != v.key.range_type) throw ApiError::validation("One or more parameter values were invalid: Condition parameter type does not match schema type");
    if (r.condition) check_filter_keys(*r.condition, t, v);
    std::string select = select_of(in, v, r);
    int64_t limit = in.opt_int("Limit").value_or(INT64_MAX);
    bool forward = in.flag("ScanIndexForward", true);
    std::optional<IndexEntry> esk = start_key(t, v, in.object("ExclusiveStartKey"));
    std::string hash = key_bytes(*kc.hash);
    std::string lo, hi;  // range bounds (bytes), inclusive
    bool has_lo = false, has_hi = false;
    std::string prefix;
    if (kc.range_op == "=" || kc.range_op == ">=" || kc.range_op == "BETWEEN") lo = key_bytes(*kc.r1), has_lo = true;
    if (kc.range_op == "=" || kc.range_op == "<=") hi = key_bytes(*kc.r1), has_hi = true;
    if (kc.range_op == "BETWEEN") hi = key_bytes(*kc.r2), has_hi = true;
    if (kc.range_op == "begins_with") prefix = key_bytes(*kc.r1);
    std::string strict_lo, strict_hi;
    if (kc.range_op == ">") strict_lo = key_bytes(*kc.r1);
    if (kc.range_op == "<") strict_hi = key_bytes(*kc.r1);
    auto in_range = [&](const std::string& rk) {
      if (has_lo && rk < lo) return false;
      if (has_hi && rk > hi) return false;
      if (kc.range_op == ">" && rk <= strict_lo) return false;
      if (kc.range_op == "<" && rk >= strict_hi) return false;
      if (!prefix.empty() && rk.compare(0, prefix.size(), prefix) != 0) return false;
      return true;
    };

    Page page;
    // Entries of the hash key in order: (range bytes, primary key).
    auto visit = [&](const std::string& rk, const PrimaryKey&, const std::string& bytes) -> bool {
      return !in_range(rk) || page_add(t, v, bytes, r, select, limit, ctx.now_ms, page);
    };
    bool done = true;
    if (!v.state) {
      auto first = t.items.lower_bound(PrimaryKey(hash, ""));
      auto end = t.items.upper_bound(PrimaryKey(hash, std::string(1024 + 1, '\xff')));
      // Bound by the hash key: every key with this hash lies in [first, next hash).
      end = first;
      while (end != t.items.end() && end->first.first == hash) ++end;
      if (forward) {
        auto it = esk ? t.items.upper_bound(esk->pk) : first;
        if (esk && esk->pk.first != hash) it = end;
        for (; it != end; ++it)
          if (!visit(it->first.second, it->first, it->second)) {
            done = false;
            break;
          }
      } else {
        auto it = esk ? t.items.lower_bound(esk->pk) : end;
        if (esk && esk->pk.first != hash) it = first;
        while (it != first) {
          --it;
          if (!visit(it->first.second, it->first, it->second)) {
            done = false;
            break;
          }
        }
      }
    } else {
      const auto& es = v.state->entries;
      IndexEntry lo_e{hash, "", {}};
      auto first = es.lower_bound(lo_e);
      auto end = first;
      while (end != es.end() && end->hash == hash) ++end;
      auto item_of = [&](const IndexEntry& e) -> const std::string& { return t.items.at(e.pk); };
      if (forward) {
        auto it = esk ? es.upper_bound(*esk) : first;
        if (esk && esk->hash != hash) it = end;
        for (; it != end; ++it)
          if (!visit(it->range, it->pk, item_of(*it))) {
            done = false;
            break;
          }
      } else {
        auto it = esk ? es.lower_bound(*esk) : end;
        if (esk && esk->hash != hash) it = first;
        while (it != first) {
          --it;
          if (!visit(it->range, it->pk, item_of(*it))) {
            done = false;
            break;
          }
        }
      }
    }
    finish_page(in, t, page, done, out);
  }

  static void finish_page(const Input& in, const TableState& t, Page& page, bool done, Decision& out) {
    json::object o = consumed(in.raw(), t.desc.name(), std::max(0.5, static_cast<double>(page.bytes) / 4096.0 / 2));
    if (in.str_or("Select", "") != "COUNT") o["Items"] = std::move(page.items);
    o["Count"] = page.count;
    o["ScannedCount"] = page.scanned;
    if (!done && page.last) o["LastEvaluatedKey"] = std::move(*page.last);
    out.output = std::move(o);
  }

  void scan(const Input& in, const CallContext& ctx, Decision& out) const {
    const TableState& t = table(ctx, in.str("TableName"));
    IndexView v = view(t, in, in.flag("ConsistentRead"));
    ItemRequest r;
    read_expressions(in.raw(), r, "FilterExpression", "ScanFilter", true);
    r.ctx->check_all_used();
    std::string select = select_of(in, v, r);
    auto segment = in.opt_int("Segment");
    auto total = in.opt_int("TotalSegments");
    if (segment && !total) throw ApiError::validation("The TotalSegments parameter is required but was not present in the request when Segment parameter is present");
    if (total && !segment) throw ApiError::validation("The Segment parameter is required but was not present in the request when parameter TotalSegments is present");
    if (segment && *segment >= *total)
      throw ApiError::validation("The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: " + std::to_string(*segment) +
                                 " is not less than TotalSegments: " + std::to_string(*total));
    int64_t limit = in.opt_int("Limit").value_or(INT64_MAX);
    std::optional<IndexEntry> esk = start_key(t, v, in.object("ExclusiveStartKey"));
    // Segments split the hash-key space by a stable hash of the key bytes.
    auto in_segment = [&](const std::string& hash) { return !segment || static_cast<int64_t>(fnv1a(hash) % *total) == *segment; };
    Page page;
    bool done = true;
    auto visit = [&](const std::string& bytes) { return page_add(t, v, bytes, r, select, limit, ctx.now_ms, page); };
    if (!v.state) {
      for (auto it = esk ? t.items.upper_bound(esk->pk) : t.items.begin(); it != t.items.end(); ++it) {
        if (!in_segment(it->first.first)) continue;
        if (!visit(it->second)) {
          done = false;  // as AWS: a full page has a LastEvaluatedKey even if nothing follows
          break;
        }
      }
    } else {
      const auto& es = v.state->entries;
      for (auto it = esk ? es.upper_bound(*esk) : es.begin(); it != es.end(); ++it) {
        if (!in_segment(it->hash)) continue;
        if (!visit(t.items.at(it->pk))) {
          done = false;
          break;
        }
      }
    }
    finish_page(in, t, page, done, out);
  }

  // ---- batches ----

  // At most 100 keys (the model refuses more for one table; this counts all
  // tables) and 16 MB of items: the keys whose items would not fit are
  // returned in UnprocessedKeys, with the table's other parameters, to be
  // asked for again.
  // https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchGetItem.html
  void batch_get(const Input& in, const CallContext& ctx, Decision& out) const {
    const json::object* req = in.object("RequestItems");
    size_t total = 0, bytes = 0;
    for (auto& kv : *req)
      if (auto* keys = kv.value().as_object().if_contains("Keys"); keys && keys->is_array() && (total += keys->as_array().size()) > 100)
        throw ApiError::validation("Too many items requested for the BatchGetItem call");
    json::object responses, unprocessed;
    for (auto& kv : *req) {
      const TableState& t = table(ctx, kv.key());
      const auto& spec = kv.value().as_object();
      ItemRequest r;
      read_expressions(spec, r, "", "", false);
      r.ctx->check_all_used();
      std::set<PrimaryKey> seen;
      json::array items, later;
      for (auto& k : spec.at("Keys").as_array()) {
        Item key = key_from_json(t, &k);
        PrimaryKey pk = t.key_of(key);
        if (!seen.insert(pk).second) throw ApiError::validation("Provided list of item keys contains duplicates");
        if (!later.empty()) {
          later.push_back(k);
          continue;
        }
        auto item = get(t, pk, ctx.now_ms);
        if (!item) continue;
        if ((bytes += item_size(*item)) > kBatchGetBytes) {
          later.push_back(k);
          continue;
        }
        items.push_back(item_to_json(r.projection ? project(*item, *r.projection) : *item));
      }
      responses[kv.key()] = std::move(items);
      if (!later.empty()) {
        json::object rest = spec;
        rest["Keys"] = std::move(later);
        unprocessed[kv.key()] = std::move(rest);
      }
    }
    out.output = json::object{{"Responses", std::move(responses)}, {"UnprocessedKeys", std::move(unprocessed)}};
  }

  void batch_write(const Input& in, const CallContext& ctx, Decision& out) const {
    const json::object* req = in.object("RequestItems");
    ddb::Event ev;
    size_t total = 0;
    for (auto& kv : *req) {
      const TableState& t = table(ctx, kv.key());
      std::set<PrimaryKey> seen;
      for (auto& w : kv.value().as_array()) {
        // More than 25 for one table is refused by the model's constraint
        // (the codec); this is the total over tables.
        if (++total > 25) throw ApiError::validation("Too many items requested for the BatchWriteItem call");
        const auto& wo = w.as_object();
        auto* put = wo.if_contains("PutRequest");
        auto* del = wo.if_contains("DeleteRequest");
        bool has_put = put && put->is_object(), has_del = del && del->is_object();
        if (has_put == has_del)
          throw ApiError::validation("Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes");
        Item item;
        if (has_put) {
          item = item_from_json(put->as_object().at("Item"));
          validate_item(t, item);
        } else {
          item = key_from_json(t, del->as_object().if_contains("Key"));
        }
        if (!seen.insert(t.key_of(item)).second) throw ApiError::validation("Provided list of item keys contains duplicates");
        auto* iw = ev.mutable_items()->add_writes();
        iw->set_table(t.desc.name());
        iw->set_item(item_bytes(item));
        iw->set_deleted(has_del);
      }
    }
    if (ev.items().writes_size()) out.add(ev);
    out.output = json::object{{"UnprocessedItems", json::object()}};
  }

  // ---- transactions ----

  void transact_get(const Input& in, const CallContext& ctx, Decision& out) const {
    json::array responses;
    for (auto& ti : *in.array("TransactItems")) {
      const auto& g = ti.at("Get").as_object();
      const TableState& t = table(ctx, g.at("TableName").as_string());
      Item key = key_from_json(t, g.if_contains("Key"));
      ItemRequest r;
      read_expressions(g, r, "", "", false);
      r.ctx->check_all_used();
      json::object resp;
      if (auto item = get(t, t.key_of(key), ctx.now_ms)) resp["Item"] = item_to_json(r.projection ? project(*item, *r.projection) : *item);
      responses.push_back(std::move(resp));
    }
    out.output = json::object{{"Responses", std::move(responses)}};
  }

  // ClientRequestToken (TransactWriteItems, ExecuteTransaction): a repeat
  // of a committed transaction within 10 minutes succeeds without writing
  // again; the same token with other parameters is refused. A cancelled
  // transaction records nothing, so its retry runs afresh. The window is
  // judged at the request's time against the commit time the event recorded.
  // https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html
  struct TokenCheck {
    std::string token, digest;
    bool repeat = false;  // a repeat of a committed transaction: answer success, write nothing
    // Records the token on the transaction's event (written even without writes).
    void record(ddb::Event& ev) const {
      if (token.empty()) return;
      ev.mutable_items()->set_client_token(token);
      ev.mutable_items()->set_request_digest(digest);
    }
  };
  TokenCheck client_token(const Input& in, const CallContext& ctx) const {
    TokenCheck t;
    t.token = in.opt_str("ClientRequestToken").value_or("");
    if (t.token.empty()) return t;
    t.digest = request_digest(in.raw());
    if (const Partition* p = part(ctx)) {
      auto it = p->tokens.find(t.token);
      if (it != p->tokens.end() && ctx.now_ms < it->second.time_ms() + kTokenWindowMs) {
        if (it->second.digest() != t.digest)
          throw ApiError::bad_request("IdempotentParameterMismatchException",
                                      "The request with the same client token was received with different parameters");
        t.repeat = true;
      }
    }
    return t;
  }

  void transact_write(const Input& in, const CallContext& ctx, Decision& out) const {
    const json::array& items = *in.array("TransactItems");
    TokenCheck token = client_token(in, ctx);
    if (token.repeat) {
      out.output = json::object();
      return;
    }
    ddb::Event ev;
    json::array reasons;
    bool failed = false;
    std::set<std::pair<std::string, PrimaryKey>> seen;
    for (auto& ti : items) {
      const auto& o = ti.as_object();
      std::string kind;
      const json::object* op = nullptr;
      int kinds = 0;
      for (auto k : {"ConditionCheck", "Put", "Delete", "Update"})
        if (auto* v = o.if_contains(k); v && v->is_object()) kind = k, op = &v->as_object(), ++kinds;
      if (kinds != 1)
        throw ApiError::validation("TransactItems can only contain one of Check, Put, Update or Delete");
      const TableState& t = table(ctx, op->at("TableName").as_string());
      std::string rv_fail = op->contains("ReturnValuesOnConditionCheckFailure") && op->at("ReturnValuesOnConditionCheckFailure").is_string()
                                ? std::string(op->at("ReturnValuesOnConditionCheckFailure").as_string()) : "NONE";
      json::object reason{{"Code", "None"}};
      Item image;
      bool del = false, writes = true;
      try {
        if (kind == "Update") {
          UpdateResult res = compute_update(t, *op, rv_fail, ctx.now_ms);
          image = std::move(res.updated);
        } else {
          ItemRequest r;
          read_expressions(*op, r, "ConditionExpression", "", false);
          r.ctx->check_all_used();
          if (kind == "Put") {
            image = item_from_json(op->at("Item"));
            validate_item(t, image);
          } else {
            image = key_from_json(t, op->if_contains("Key"));
            del = kind == "Delete";
            writes = kind == "Delete";
          }
          if (kind == "ConditionCheck" && !r.condition)
            throw ApiError::validation("The ConditionExpression parameter must be specified for ConditionCheck");
          std::optional<Item> old = get(t, t.key_of(image), ctx.now_ms);
          if (r.condition && !evaluate(*r.condition, old ? *old : Item())) throw condition_failed(old, rv_fail);
          if (del && !old) writes = false;
        }
      } catch (ApiError& e) {
        if (e.code != "ConditionalCheckFailedException") throw;
        failed = true;
        reason["Code"] = "ConditionalCheckFailed";
        reason["Message"] = e.message;
        if (!e.json_fields.empty()) reason["Item"] = json::parse(e.json_fields).as_object().at("Item");
      }
      if (!seen.emplace(t.desc.name(), t.key_of(image)).second)
        throw ApiError::validation("Transaction request cannot include multiple operations on one item");
      reasons.push_back(std::move(reason));
      if (!writes) continue;
      auto* w = ev.mutable_items()->add_writes();
      w->set_table(t.desc.name());
      w->set_item(item_bytes(del ? key_only(t, image) : image));
      w->set_deleted(del);
    }
    if (failed) {
      std::string codes;
      for (auto& r : reasons) codes += (codes.empty() ? "" : ", ") + std::string(r.at("Code").as_string());
      ApiError e = ApiError::bad_request("TransactionCanceledException",
                                         "Transaction cancelled, please refer cancellation reasons for specific reasons [" + codes + "]");
      e.json_fields = json::serialize(json::object{{"CancellationReasons", std::move(reasons)}});
      throw e;
    }
    token.record(ev);
    if (ev.items().writes_size() || !token.token.empty()) out.add(ev);
    out.output = json::object();
  }

  // ---- PartiQL ----

  // The value `name = value` fixes in a WHERE clause (top-level ANDs only).
  static const AttributeValue* equality_on(const Node& n, const std::string& name) {
    if (n.kind == Node::Kind::kAnd) {
      const AttributeValue* v = equality_on(n.kids[0], name);
      return v ? v : equality_on(n.kids[1], name);
    }
    if (n.kind != Node::Kind::kCompare || n.op != "=") return nullptr;
    for (int side = 0; side < 2; ++side) {
      const Node& p = n.kids[side];
      const Node& v = n.kids[1 - side];
      if (p.kind == Node::Kind::kPath && p.path.size() == 1 && p.path[0].name == name && v.kind == Node::Kind::kValue) return v.value;
    }
    return nullptr;
  }

  // ExecuteStatement's paging of a SELECT: at most `limit` items evaluated
  // and 1 MB read, then a NextToken to continue after the last one.
  struct Paging {
    int64_t limit = INT64_MAX;
    std::optional<std::string_view> next_token;
  };

  // Runs one statement: reads fill the result, writes are appended to `ev`.
  json::object run_statement(const CallContext& ctx, std::string_view text, const json::array* params, ddb::Event& ev,
                             const Paging* paging = nullptr) const {
    PartiqlStatement st = parse_partiql(text, params);
    const TableState* tp = find_table(ctx, st.table);
    if (!tp) throw not_found();
    const TableState& t = *tp;
    ExpressionContext ec(st.names.empty() ? nullptr : &st.names, st.values.empty() ? nullptr : &st.values);
    std::optional<Node> where;
    if (!st.where.empty()) where = parse_condition(st.where, "WHERE clause", ec);
    json::object out;
    using K = PartiqlStatement::Kind;
    if (st.kind == K::kSelect) {
      std::optional<std::vector<Path>> proj;
      if (!st.projection.empty()) proj = parse_projection(st.projection, "projection", ec);
      IndexView v;
      v.key = t.key;
      if (!st.index.empty()) {
        for (auto& ix : t.desc.indexes())
          if (ix.name() == st.index) v.def = &ix;
        if (!v.def) throw ApiError::validation("The table does not have the specified index: " + st.index);
        v.state = &t.indexes.at(st.index);
        v.key = v.state->key;
      }
      const AttributeValue* hash = where ? equality_on(*where, v.key.hash) : nullptr;
      // NextToken: base64 of the last evaluated key's JSON, continued after.
      std::optional<IndexEntry> after;
      if (paging && paging->next_token) {
        auto decoded = protocol::base64_decode(*paging->next_token);
        boost::system::error_code jec;
        json::value jv = decoded ? json::parse(*decoded, jec) : json::value();
        if (!decoded || jec || !jv.is_object()) throw ApiError::validation("Invalid NextToken");
        after = start_key(t, v, &jv.as_object());
      }
      json::array items;
      int64_t evaluated = 0;
      size_t read = 0;
      std::optional<json::object> last;
      auto take = [&](const std::string& bytes) {
        Item stored;
        stored.ParseFromString(bytes);
        if (expired(t, stored, ctx.now_ms)) return true;
        Item item = index_projection(t, v, stored);
        if (!where || evaluate(*where, item)) items.push_back(item_to_json(proj ? project(item, *proj) : item));
        read += item_size(stored);
        if (paging && (++evaluated >= paging->limit || read >= kPageBytes)) {
          last = last_key(t, v, stored);
          return false;
        }
        return true;
      };
      std::string hb = hash && type_name(*hash) == v.key.hash_type ? key_bytes(*hash) : std::string();
      if (!v.state) {
        auto it = after ? t.items.upper_bound(after->pk) : hash ? t.items.lower_bound(PrimaryKey(hb, "")) : t.items.begin();
        for (; it != t.items.end() && (!hash || it->first.first == hb); ++it)
          if (!take(it->second)) break;
      } else {
        const auto& es = v.state->entries;
        auto it = after ? es.upper_bound(*after) : hash ? es.lower_bound(IndexEntry{hb, "", {}}) : es.begin();
        for (; it != es.end() && (!hash || it->hash == hb); ++it)
          if (!take(t.items.at(it->pk))) break;
      }
      out["Items"] = std::move(items);
      if (last) {
        out["NextToken"] = protocol::base64_encode(json::serialize(*last));
        out["LastEvaluatedKey"] = std::move(*last);
      }
      return out;
    }
    auto write = [&](const Item& item, bool deleted) {
      auto* w = ev.mutable_items()->add_writes();
      w->set_table(t.desc.name());
      w->set_item(item_bytes(item));
      w->set_deleted(deleted);
    };
    if (st.kind == K::kInsert) {
      Item item = item_from_json(json::value(st.item));
      validate_item(t, item);
      if (get(t, t.key_of(item), ctx.now_ms)) throw ApiError::bad_request("DuplicateItemException", "Duplicate primary key exists in table");
      write(item, false);
      return out;
    }
    // UPDATE / DELETE: the WHERE clause names the whole key.
    Item key;
    for (auto [name, type] : {std::pair{&t.key.hash, &t.key.hash_type}, std::pair{&t.key.range, &t.key.range_type}}) {
      if (name->empty()) continue;
      const AttributeValue* v = equality_on(*where, *name);
      if (!v) throw ApiError::validation("Where clause does not contain a mandatory equality on all key attributes");
      check_key_value(*name, *type, *v, false);
      (*key.mutable_attrs())[*name] = *v;
    }
    std::optional<Item> old = get(t, t.key_of(key), ctx.now_ms);
    if (!old || !evaluate(*where, *old)) throw condition_failed(std::nullopt, "NONE");
    if (st.kind == K::kDelete) {
      write(key, true);
      return out;
    }
    std::vector<UpdateAction> actions = parse_update(st.update, ec);
    for (auto& a : actions)
      if (a.path[0].name == t.key.hash || (!t.key.range.empty() && a.path[0].name == t.key.range))
        throw ApiError::validation("One or more parameter values were invalid: Cannot update attribute " + a.path[0].name + ". This attribute is part of the key");
    Item updated = *old;
    apply_update(actions, updated);
    validate_item(t, updated);
    write(updated, false);
    return out;
  }

  void execute_statement(const Input& in, const CallContext& ctx, Decision& out) const {
    ddb::Event ev;
    Paging paging;
    paging.limit = in.opt_int("Limit").value_or(INT64_MAX);
    paging.next_token = in.opt_str("NextToken");
    out.output = run_statement(ctx, in.str("Statement"), in.array("Parameters"), ev, &paging);
    if (ev.items().writes_size()) out.add(ev);
  }

  void batch_execute_statement(const Input& in, const CallContext& ctx, Decision& out) const {
    ddb::Event ev;
    json::array responses;
    for (auto& s : *in.array("Statements")) {
      const auto& so = s.as_object();
      const json::value* params = so.if_contains("Parameters");
      json::object r;
      try {
        ddb::Event one;
        json::object got = run_statement(ctx, so.at("Statement").as_string(), params && params->is_array() ? &params->as_array() : nullptr, one);
        for (auto& w : one.items().writes()) *ev.mutable_items()->add_writes() = w;
        if (auto* items = got.if_contains("Items"); items && !items->as_array().empty()) r["Item"] = items->as_array()[0];
        r["TableName"] = parse_partiql(so.at("Statement").as_string(), params && params->is_array() ? &params->as_array() : nullptr).table;
      } catch (const ApiError& e) {
        std::string code = e.code == "ConditionalCheckFailedException" ? "ConditionalCheckFailed"
                         : e.code == "DuplicateItemException" ? "DuplicateItem" : e.code == "ResourceNotFoundException" ? "ResourceNotFound"
                         : "ValidationError";
        r["Error"] = json::object{{"Code", code}, {"Message", e.message}};
      }
      responses.push_back(std::move(r));
    }
    if (ev.items().writes_size()) out.add(ev);
    out.output = json::object{{"Responses", std::move(responses)}};
  }

  // All statements or none: one event; a failed condition cancels the whole
  // transaction with per-statement reasons, as TransactWriteItems does.
  void execute_transaction(const Input& in, const CallContext& ctx, Decision& out) const {
    TokenCheck token = client_token(in, ctx);
    if (token.repeat) {
      out.output = json::object();
      return;
    }
    ddb::Event ev;
    json::array reasons, responses;
    bool failed = false, reads = false, writes = false;
    std::set<std::pair<std::string, PrimaryKey>> seen;
    for (auto& s : *in.array("TransactStatements")) {
      const auto& so = s.as_object();
      const json::value* params = so.if_contains("Parameters");
      const json::array* pa = params && params->is_array() ? &params->as_array() : nullptr;
      json::object reason{{"Code", "None"}};
      try {
        ddb::Event one;
        json::object got = run_statement(ctx, so.at("Statement").as_string(), pa, one);
        for (auto& w : one.items().writes()) {
          Item written;
          written.ParseFromString(w.item());
          if (!seen.emplace(w.table(), table(ctx, w.table()).key_of(written)).second)
            throw ApiError::validation("Transaction request cannot include multiple operations on one item");
          *ev.mutable_items()->add_writes() = w;
        }
        if (auto* items = got.if_contains("Items")) {
          reads = true;
          json::object r;
          if (!items->as_array().empty()) r["Item"] = items->as_array()[0];
          responses.push_back(std::move(r));
        } else {
          writes = true;
        }
      } catch (const ApiError& e) {
        if (e.code != "ConditionalCheckFailedException" && e.code != "DuplicateItemException") throw;
        failed = true;
        reason["Code"] = e.code == "DuplicateItemException" ? "DuplicateItem" : "ConditionalCheckFailed";
        reason["Message"] = e.message;
      }
      reasons.push_back(std::move(reason));
    }
    if (reads && writes) throw ApiError::validation("Transactions must contain either all reads or all writes");
    if (failed) {
      std::string codes;
      for (auto& r : reasons) codes += (codes.empty() ? "" : ", ") + std::string(r.at("Code").as_string());
      ApiError e = ApiError::bad_request("TransactionCanceledException",
                                         "Transaction cancelled, please refer cancellation reasons for specific reasons [" + codes + "]");
      e.json_fields = json::serialize(json::object{{"CancellationReasons", std::move(reasons)}});
      throw e;
    }
    if (!reads) token.record(ev);  // a read transaction is not remembered: it changed nothing
    if (ev.items().writes_size() || !ev.items().client_token().empty()) out.add(ev);
    out.output = reads ? json::object{{"Responses", std::move(responses)}} : json::object();
  }

  Partitions<Partition> parts_;
};

// DynamoDB Streams: a read-only view of the tables' stream records, which
// the DynamoDB service derives in apply(). It holds no state of its own and
// reads the DynamoDB service under that service's shared lock.
class DynamoDbStreamsService final : public StatelessService<DynamoDbStreamsService> {
 public:
  explicit DynamoDbStreamsService(const DynamoDbService& tables) : tables_(tables) {}
  std::string_view name() const override { return "dynamodbstreams"; }
  const protocol::ServiceModel& model() const override { return *protocol::builtin_model("dynamodbstreams"); }
  static const Table& operations() {
    static const Table t = {
        {"ListStreams", {false, &DynamoDbStreamsService::list_streams}},
        {"DescribeStream", {false, &DynamoDbStreamsService::describe_stream}},
        {"GetShardIterator", {false, &DynamoDbStreamsService::get_shard_iterator}},
        {"GetRecords", {false, &DynamoDbStreamsService::get_records}},
    };
    return t;
  }

 private:
  static std::string stream_arn(const CallContext& ctx, const TableDescription& d) { return table_arn(ctx, d.name()) + "/stream/" + d.stream_label(); }
  static std::string shard_id(const TableDescription& d) {
    // AWS's shape: shardId-<20 digits>-<8 hex digits>.
    char id[64];
    snprintf(id, sizeof id, "shardId-%020lld-%08x", static_cast<long long>(d.created() * 1000), fnv1a(d.table_id() + d.stream_label()));
    return id;
  }

  // The table whose current stream `arn` names.
  const TableState& by_stream(const CallContext& ctx, std::string_view arn) const {
    std::string_view rest = arn;
    size_t t = rest.find(":table/");
    size_t s = rest.find("/stream/");
    if (t != std::string_view::npos && s != std::string_view::npos && s > t) {
      std::string name(rest.substr(t + 7, s - t - 7));
      if (const TableState* ts = tables_.find_table(ctx, name))
        if (!ts->desc.stream_view_type().empty() && stream_arn(ctx, ts->desc) == arn) return *ts;
    }
    throw not_found("Requested resource not found: Stream: " + std::string(arn) + " not found");
  }

  void list_streams(const Input& in, const CallContext& ctx, Decision& out) const {
    std::shared_lock lock(tables_.mutex());
    json::array streams;
    std::string only = in.str_or("TableName", "");
    if (const Partition* p = tables_.parts_.find(ctx))
      for (auto& [name, t] : p->tables)
        if (!t.desc.stream_view_type().empty() && (only.empty() || only == name))
          streams.push_back(json::object{{"StreamArn", stream_arn(ctx, t.desc)}, {"TableName", name}, {"StreamLabel", t.desc.stream_label()}});
    out.output = json::object{{"Streams", std::move(streams)}};
  }

  void describe_stream(const Input& in, const CallContext& ctx, Decision& out) const {
    std::shared_lock lock(tables_.mutex());
    const TableState& t = by_stream(ctx, in.str("StreamArn"));
    json::object range;
    range["StartingSequenceNumber"] = t.stream.empty() ? std::string("000000000000000000001") : t.stream.front().sequence_number();
    json::array ks;
    for (auto& k : t.desc.key_schema()) ks.push_back(json::object{{"AttributeName", k.name()}, {"KeyType", k.key_type()}});
    out.output = json::object{{"StreamDescription", json::object{
        {"StreamArn", stream_arn(ctx, t.desc)}, {"StreamLabel", t.desc.stream_label()}, {"StreamStatus", "ENABLED"},
        {"StreamViewType", t.desc.stream_view_type()}, {"CreationRequestDateTime", t.desc.created()}, {"TableName", t.desc.name()},
        {"KeySchema", std::move(ks)},
        {"Shards", json::array{json::object{{"ShardId", shard_id(t.desc)}, {"SequenceNumberRange", std::move(range)}}}}}}};
  }

  // Iterator: base64 of "arn\nshard\nnext sequence number to return".
  void get_shard_iterator(const Input& in, const CallContext& ctx, Decision& out) const {
    std::shared_lock lock(tables_.mutex());
    std::string arn(in.str("StreamArn"));
    const TableState& t = by_stream(ctx, arn);
    if (in.str("ShardId") != shard_id(t.desc))
      throw not_found("Requested resource not found: Shard does not exist");
    std::string type(in.str("ShardIteratorType"));
    std::string from;
    if (type == "TRIM_HORIZON") {
      from = "0";
    } else if (type == "LATEST") {
      from = t.stream.empty() ? "0" : next_after(t.stream.back().sequence_number());
    } else {
      auto seq = in.opt_str("SequenceNumber");
      if (!seq) throw ApiError::validation("Must provide SequenceNumber when ShardIteratorType is " + type);
      from = type == "AT_SEQUENCE_NUMBER" ? std::string(*seq) : next_after(*seq);
    }
    out.output = json::object{{"ShardIterator", protocol::base64_encode(arn + "\n" + shard_id(t.desc) + "\n" + from)}};
  }

  static std::string next_after(std::string_view seq) {
    std::string s(seq);
    for (size_t i = s.size(); i-- > 0;) {
      if (s[i] < '9') {
        ++s[i];
        return s;
      }
      s[i] = '0';
    }
    return "1" + s;
  }

  void get_records(const Input& in, const CallContext& ctx, Decision& out) const {
    std::shared_lock lock(tables_.mutex());
    auto raw = protocol::base64_decode(in.str("ShardIterator"));
    auto bad = [] { return ApiError::validation("Invalid ShardIterator"); };
    if (!raw) throw bad();
    size_t a = raw->find('\n'), b = a == std::string::npos ? a : raw->find('\n', a + 1);
    if (b == std::string::npos) throw bad();
    std::string arn = raw->substr(0, a), from = raw->substr(b + 1);
    const TableState& t = by_stream(ctx, arn);
    while (from.size() < 21) from.insert(0, "0");
    int64_t limit = in.opt_int("Limit").value_or(1000);
    json::array records;
    std::string last = from;
    auto it = std::lower_bound(t.stream.begin(), t.stream.end(), from,
                               [](const StreamRecord& r, const std::string& s) { return r.sequence_number() < s; });
    for (; it != t.stream.end() && static_cast<int64_t>(records.size()) < limit; ++it) {
      const StreamRecord& r = *it;
      json::object d;
      d["ApproximateCreationDateTime"] = r.created();
      Item keys;
      keys.ParseFromString(r.keys());
      d["Keys"] = item_to_json(keys);
      if (r.has_new()) {
        Item img;
        img.ParseFromString(r.new_image());
        d["NewImage"] = item_to_json(img);
      }
      if (r.has_old()) {
        Item img;
        img.ParseFromString(r.old_image());
        d["OldImage"] = item_to_json(img);
      }
      d["SequenceNumber"] = r.sequence_number();
      d["SizeBytes"] = r.size_bytes();
      d["StreamViewType"] = r.view_type();
      records.push_back(json::object{{"eventID", std::to_string(fnv1a(arn + r.sequence_number()))}, {"eventName", r.event_name()},
                                     {"eventVersion", "1.1"}, {"eventSource", "aws:dynamodb"}, {"awsRegion", ctx.region}, {"dynamodb", std::move(d)}});
      last = next_after(r.sequence_number());
    }
    out.output = json::object{{"Records", std::move(records)},
                              {"NextShardIterator", protocol::base64_encode(arn + "\n" + shard_id(t.desc) + "\n" + last)}};
  }

  const DynamoDbService& tables_;
};

}  // namespace

std::unique_ptr<Service> make_dynamodb_service() { return std::make_unique<DynamoDbService>(); }

std::unique_ptr<Service> make_dynamodb_streams_service(const Service& dynamodb) {
  return std::make_unique<DynamoDbStreamsService>(static_cast<const DynamoDbService&>(dynamodb));
}

}  // namespace podstack
