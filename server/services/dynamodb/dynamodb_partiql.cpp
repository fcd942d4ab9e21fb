// DynamoDB PartiQL: ExecuteStatement, BatchExecuteStatement,
// ExecuteTransaction (the statement parser is partiql.cpp). A statement's
// writes become ItemsWritten events like the item operations'.
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ExecuteStatement.html
#include <climits>
#include <set>

#include "server/protocol/encoding.h"
#include "server/services/dynamodb/dynamodb_service.h"
#include "server/services/dynamodb/dynamodb_util.h"
#include "server/services/dynamodb/partiql.h"

namespace podstack::dynamodb {
namespace {

// The value `name = value` fixes in a WHERE clause (top-level ANDs only).
const AttributeValue* equality_on(const Node& n, const std::string& name) {
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

}  // namespace

// Runs one statement: reads fill the result, writes are appended to `ev`.
json::object DynamoDbService::run_statement(const CallContext& ctx, std::string_view text, const json::array* params, Event& ev,
                                            const Paging* paging) const {
  PartiqlStatement st = parse_partiql(text, params);
  const TableState* tp = state().find_table(ctx, st.table);
  if (!tp) throw resource_not_found();
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
    if (current_item(t, t.key_of(item), ctx.now_ms)) throw duplicate_item();
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
  std::optional<Item> old = current_item(t, t.key_of(key), ctx.now_ms);
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
  check_update_nesting(actions, updated);
  validate_item(t, updated);
  write(updated, false);
  return out;
}

void DynamoDbService::execute_statement(const Request& req, Decision& out) const {
  const Input& in = req.in;
  const CallContext& ctx = req.ctx;
  Event ev;
  Paging paging;
  paging.limit = in.opt_int("Limit").value_or(INT64_MAX);
  paging.next_token = in.opt_str("NextToken");
  out.output = run_statement(ctx, in.str("Statement"), in.array("Parameters"), ev, &paging);
  if (ev.items().writes_size()) out.add(std::move(ev));
}

void DynamoDbService::batch_execute_statement(const Request& req, Decision& out) const {
  const Input& in = req.in;
  const CallContext& ctx = req.ctx;
  Event ev;
  json::array responses;
  for (auto& s : *in.array("Statements")) {
    const auto& so = s.as_object();
    const json::value* params = so.if_contains("Parameters");
    json::object r;
    try {
      Event one;
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
  if (ev.items().writes_size()) out.add(std::move(ev));
  out.output = json::object{{"Responses", std::move(responses)}};
}

// All statements or none: one event; a failed condition cancels the whole
// transaction with per-statement reasons, as TransactWriteItems does.
void DynamoDbService::execute_transaction(const Request& req, Decision& out) const {
  const Input& in = req.in;
  const CallContext& ctx = req.ctx;
  TokenCheck token = client_token(in, ctx);
  if (token.repeat) {
    out.output = json::object();
    return;
  }
  Event ev;
  json::array reasons, responses;
  bool failed = false, reads = false, writes = false;
  std::set<std::pair<std::string, PrimaryKey>> seen;
  for (auto& s : *in.array("TransactStatements")) {
    const auto& so = s.as_object();
    const json::value* params = so.if_contains("Parameters");
    const json::array* pa = params && params->is_array() ? &params->as_array() : nullptr;
    json::object reason{{"Code", "None"}};
    try {
      Event one;
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
  if (failed) throw transaction_canceled(std::move(reasons));
  if (!reads) token.record(ev);  // a read transaction is not remembered: it changed nothing
  if (ev.items().writes_size() || !ev.items().client_token().empty()) out.add(std::move(ev));
  out.output = reads ? json::object{{"Responses", std::move(responses)}} : json::object();
}

}  // namespace podstack::dynamodb
