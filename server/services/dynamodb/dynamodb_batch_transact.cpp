// DynamoDB batches and transactions: BatchGetItem, BatchWriteItem,
// TransactGetItems, TransactWriteItems (and client_token, the
// ClientRequestToken check ExecuteTransaction shares).
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchWriteItem.html
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html
#include <set>

#include "server/services/dynamodb/dynamodb_params.h"
#include "server/services/dynamodb/dynamodb_service.h"
#include "server/services/dynamodb/dynamodb_util.h"

namespace podstack::dynamodb {

void DynamoDbService::batch_get(const Request& req, Decision& out) const {
  const Input& in = req.in;
  const CallContext& ctx = req.ctx;
  const json::object* request_items = in.object("RequestItems");
  validate_request_items_names(*request_items);
  size_t total = 0, bytes = 0;
  for (auto& kv : *request_items)
    if (auto* keys = kv.value().as_object().if_contains("Keys"); keys && keys->is_array() && (total += keys->as_array().size()) > 100)
      throw ApiError::validation("Too many items requested for the BatchGetItem call");
  json::object responses, unprocessed;
  for (auto& kv : *request_items) {
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
      auto item = current_item(t, pk, ctx.now_ms);
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

void DynamoDbService::batch_write(const Request& req, Decision& out) const {
  const Input& in = req.in;
  const CallContext& ctx = req.ctx;
  const json::object* request_items = in.object("RequestItems");
  validate_request_items_names(*request_items);
  Event ev;
  size_t total = 0;
  for (auto& kv : *request_items) {
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
  if (ev.items().writes_size()) out.add(std::move(ev));
  out.output = json::object{{"UnprocessedItems", json::object()}};
}

// ---- transactions ----

void DynamoDbService::transact_get(const Request& req, Decision& out) const {
  const Input& in = req.in;
  const CallContext& ctx = req.ctx;
  json::array responses;
  for (auto& ti : *in.array("TransactItems")) {
    const auto& g = ti.at("Get").as_object();
    const TableState& t = table(ctx, g.at("TableName").as_string());
    Item key = key_from_json(t, g.if_contains("Key"));
    ItemRequest r;
    read_expressions(g, r, "", "", false);
    r.ctx->check_all_used();
    json::object resp;
    if (auto item = current_item(t, t.key_of(key), ctx.now_ms)) resp["Item"] = item_to_json(r.projection ? project(*item, *r.projection) : *item);
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
DynamoDbService::TokenCheck DynamoDbService::client_token(const Input& in, const CallContext& ctx) const {
  TokenCheck t;
  t.token = in.opt_str("ClientRequestToken").value_or("");
  if (t.token.empty()) return t;
  t.digest = request_digest(in.raw());
  if (const PartitionState* p = state().partition(ctx)) {
    auto it = p->tokens.find(t.token);
    if (it != p->tokens.end() && ctx.now_ms < it->second.time_ms() + kTokenWindowMs) {
      if (it->second.digest() != t.digest) throw idempotent_parameter_mismatch();
      t.repeat = true;
    }
  }
  return t;
}

void DynamoDbService::transact_write(const Request& req, Decision& out) const {
  const Input& in = req.in;
  const CallContext& ctx = req.ctx;
  const json::array& items = *in.array("TransactItems");
  TokenCheck token = client_token(in, ctx);
  if (token.repeat) {
    out.output = json::object();
    return;
  }
  Event ev;
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
        writes = res.writes;
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
        std::optional<Item> old = current_item(t, t.key_of(image), ctx.now_ms);
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
  if (failed) throw transaction_canceled(std::move(reasons));
  token.record(ev);
  if (ev.items().writes_size() || !token.token.empty()) out.add(std::move(ev));
  out.output = json::object();
}

}  // namespace podstack::dynamodb
