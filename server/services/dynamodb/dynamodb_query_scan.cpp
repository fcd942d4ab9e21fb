// DynamoDB Query and Scan, on the table or a secondary index: key
// conditions, filters, projections, paging (Limit, 1 MB pages,
// ExclusiveStartKey) and parallel scan segments.
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Query.html
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Scan.html
#include <algorithm>
#include <climits>

#include "server/services/dynamodb/dynamodb_params.h"
#include "server/services/dynamodb/dynamodb_service.h"
#include "server/services/dynamodb/dynamodb_util.h"
#include "server/services/dynamodb/hash.h"

namespace podstack::dynamodb {
namespace {

IndexView view(const TableState& t, const Input& in, bool consistent) {
  IndexView v;
  v.key = t.key;
  if (auto n = in.opt_str("IndexName")) {
    for (auto& ix : t.desc.indexes())
      if (ix.name() == *n) v.def = &ix;
    if (!v.def) {
      validate_index_name(*n, "indexName");  // only on a miss: no badly named index exists
      throw ApiError::validation("The table does not have the specified index: " + std::string(*n));
    }
    v.state = &t.indexes.at(v.def->name());
    v.key = v.state->key;
    if (consistent && !v.def->local()) throw ApiError::validation("Consistent reads are not supported on global secondary indexes");
  }
  return v;
}

struct Page {
  json::array items;
  int64_t count = 0, scanned = 0;
  std::optional<json::object> last;
  size_t bytes = 0;
};

// Reads one stored item into the page (filter, projection, select); false
// when the page is full (Limit items read or 1 MB), with LastEvaluatedKey set.
bool page_add(const TableState& t, const IndexView& v, const std::string& bytes, const ItemRequest& r, std::string_view select,
                     int64_t limit, int64_t now_ms, Page& page) {
  Item stored;
  stored.ParseFromString(bytes);
  if (expired(t, stored, now_ms)) return true;
  page.scanned++;
  std::optional<Item> projected;
  // An LSI answers ALL_ATTRIBUTES and SPECIFIC_ATTRIBUTES from the table,
  // whatever it projects (alternator test_lsi.py); a GSI only what it holds.
  bool from_table = v.def && v.def->local() && (select == "ALL_ATTRIBUTES" || select == "SPECIFIC_ATTRIBUTES");
  if (v.def && v.def->projection_type() != "ALL" && !from_table) projected = index_projection(t, v, stored);
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

std::string select_of(const Input& in, const IndexView& v, const ItemRequest& r) {
  std::string select = in.str_or("Select", r.projection ? "SPECIFIC_ATTRIBUTES" : (v.def ? "ALL_PROJECTED_ATTRIBUTES" : "ALL_ATTRIBUTES"));
  if (select == "SPECIFIC_ATTRIBUTES" && !r.projection)
    throw ApiError::validation("1 validation error detected: Value 'SPECIFIC_ATTRIBUTES' at 'select' failed to satisfy constraint: Specific attributes requires ProjectionExpression or AttributesToGet");
  if (select != "SPECIFIC_ATTRIBUTES" && r.projection && in.has("Select"))
    throw ApiError::validation("Cannot specify the AttributesToGet when choosing to get " + select);
  if (select == "ALL_PROJECTED_ATTRIBUTES" && !v.def)
    throw ApiError::validation("ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName");
  // Only a GSI refuses it: an LSI fetches the other attributes from the table
  // (alternator test_lsi.py, test_gsi.py; the message: dynalite query.js).
  if (select == "ALL_ATTRIBUTES" && v.def && !v.def->local() && v.def->projection_type() != "ALL")
    throw ApiError::validation("One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported for global secondary index " + v.def->name() +
                               " because its projection type is not ALL");
  return select;
}

void check_filter_keys(const Node& n, const TableState& t, const IndexView& v) {
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

void key_part(const Node& n, const KeyDef& k, KeyCondition& kc, std::string_view what) {
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

void finish_page(const Input& in, const TableState& t, Page& page, bool done, Decision& out) {
  json::object o = consumed(in.raw(), t.desc.name(), std::max(0.5, static_cast<double>(page.bytes) / 4096.0 / 2));
  if (in.str_or("Select", "") != "COUNT") o["Items"] = std::move(page.items);
  o["Count"] = page.count;
  o["ScannedCount"] = page.scanned;
  if (!done && page.last) o["LastEvaluatedKey"] = std::move(*page.last);
  out.output = std::move(o);
}

}  // namespace

void DynamoDbService::query(const Request& req, Decision& out) const {
  const Input& in = req.in;
  const CallContext& ctx = req.ctx;
  const TableState& t = table(ctx, in.str("TableName"));
  IndexView v = view(t, in, in.flag("ConsistentRead"));
  ItemRequest r;
  auto kce = in.opt_str("KeyConditionExpression");
  const json::object* legacy_kc = in.object("KeyConditions");
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

void DynamoDbService::scan(const Request& req, Decision& out) const {
  const Input& in = req.in;
  const CallContext& ctx = req.ctx;
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
  if (esk && !in_segment(v.state ? esk->hash : esk->pk.first))
    throw ApiError::validation("The provided starting key is invalid: Invalid ExclusiveStartKey. Please use ExclusiveStartKey with correct Segment. TotalSegments: " +
                               std::to_string(*total) + " Segment: " + std::to_string(*segment));
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

}  // namespace podstack::dynamodb
