// DynamoDB items: PutItem, GetItem, DeleteItem, UpdateItem (and
// compute_update, UpdateItem's core, which TransactWriteItems shares).
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_PutItem.html
#include <algorithm>

#include "server/services/dynamodb/dynamodb_params.h"
#include "server/services/dynamodb/dynamodb_service.h"
#include "server/services/dynamodb/dynamodb_util.h"

namespace podstack::dynamodb {

void DynamoDbService::put_item(const Request& req, Decision& out) const {
  const Input& in = req.in;
  const CallContext& ctx = req.ctx;
  const TableState& t = table(ctx, in.str("TableName"));
  Item item = item_from_json(json::value(*in.object("Item")));
  std::string rv = in.str_or("ReturnValues", "NONE");
  check_return_values(rv, {"NONE", "ALL_OLD"});
  ItemRequest r;
  read_expressions(in.raw(), r, "ConditionExpression", "Expected", true);
  r.ctx->check_all_used();
  validate_item(t, item);
  std::optional<Item> old = current_item(t, t.key_of(item), ctx.now_ms);
  if (r.condition && !evaluate(*r.condition, old ? *old : Item())) throw condition_failed(old, in.str_or("ReturnValuesOnConditionCheckFailure", "NONE"));
  add_write(out, t.desc.name(), item, false);
  json::object o = consumed(in.raw(), t.desc.name(), std::max(1.0, static_cast<double>((item_size(item) + 1023) / 1024)));
  if (rv == "ALL_OLD" && old) o["Attributes"] = item_to_json(*old);
  out.output = std::move(o);
}

void DynamoDbService::get_item(const Request& req, Decision& out) const {
  const Input& in = req.in;
  const CallContext& ctx = req.ctx;
  const TableState& t = table(ctx, in.str("TableName"));
  Item key = key_from_json(t, in.raw().if_contains("Key"));
  ItemRequest r;
  read_expressions(in.raw(), r, "", "", false);
  r.ctx->check_all_used();
  std::optional<Item> item = current_item(t, t.key_of(key), ctx.now_ms);
  json::object o = consumed(in.raw(), t.desc.name(), in.flag("ConsistentRead") ? 1.0 : 0.5);
  if (item) o["Item"] = item_to_json(r.projection ? project(*item, *r.projection) : *item);
  out.output = std::move(o);
}

void DynamoDbService::delete_item(const Request& req, Decision& out) const {
  const Input& in = req.in;
  const CallContext& ctx = req.ctx;
  const TableState& t = table(ctx, in.str("TableName"));
  Item key = key_from_json(t, in.raw().if_contains("Key"));
  std::string rv = in.str_or("ReturnValues", "NONE");
  check_return_values(rv, {"NONE", "ALL_OLD"});
  ItemRequest r;
  read_expressions(in.raw(), r, "ConditionExpression", "Expected", true);
  r.ctx->check_all_used();
  std::optional<Item> old = current_item(t, t.key_of(key), ctx.now_ms);
  if (r.condition && !evaluate(*r.condition, old ? *old : Item())) throw condition_failed(old, in.str_or("ReturnValuesOnConditionCheckFailure", "NONE"));
  if (old) add_write(out, t.desc.name(), key, true);
  json::object o = consumed(in.raw(), t.desc.name(), 1.0);
  if (rv == "ALL_OLD" && old) o["Attributes"] = item_to_json(*old);
  out.output = std::move(o);
}

DynamoDbService::UpdateResult DynamoDbService::compute_update(const TableState& t, const json::object& o, std::string_view rv_on_fail, int64_t now_ms) {
  Item key = key_from_json(t, o.if_contains("Key"));
  ItemRequest r;
  read_expressions(o, r, "ConditionExpression", "Expected", true, {"UpdateExpression"});
  UpdateResult res;
  auto* ue = o.if_contains("UpdateExpression");
  auto* au = o.if_contains("AttributeUpdates");
  bool has_ue = ue && ue->is_string(), has_au = au && au->is_object();
  if (has_ue) res.actions = parse_update(ue->as_string(), *r.ctx);
  else if (has_au) res.actions = legacy_updates(au->as_object(), r.legacy);
  r.ctx->check_all_used();
  for (auto& a : res.actions)
    if (a.path[0].name == t.key.hash || (!t.key.range.empty() && a.path[0].name == t.key.range))
      throw ApiError::validation("One or more parameter values were invalid: Cannot update attribute " + a.path[0].name + ". This attribute is part of the key");
  res.old = current_item(t, t.key_of(key), now_ms);
  if (r.condition && !evaluate(*r.condition, res.old ? *res.old : Item())) throw condition_failed(res.old, rv_on_fail);
  res.updated = res.old ? *res.old : key;
  res.writes = res.old || res.actions.empty() ||
               std::any_of(res.actions.begin(), res.actions.end(), [](auto& a) { return a.kind != UpdateAction::Kind::kRemove; });
  if (!res.writes) return res;
  apply_update(res.actions, res.updated);
  check_update_nesting(res.actions, res.updated);
  validate_item(t, res.updated);
  return res;
}

void DynamoDbService::update_item(const Request& req, Decision& out) const {
  const Input& in = req.in;
  const CallContext& ctx = req.ctx;
  const TableState& t = table(ctx, in.str("TableName"));
  std::string rv = in.str_or("ReturnValues", "NONE");
  check_return_values(rv, {"NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW"});
  UpdateResult res = compute_update(t, in.raw(), in.str_or("ReturnValuesOnConditionCheckFailure", "NONE"), ctx.now_ms);
  if (res.writes) add_write(out, t.desc.name(), res.updated, false);
  json::object o = consumed(in.raw(), t.desc.name(), std::max(1.0, static_cast<double>((item_size(res.updated) + 1023) / 1024)));
  std::vector<Path> touched;
  for (auto& a : res.actions) touched.push_back(a.path);
  std::optional<Item> shown;
  if (rv == "ALL_OLD") shown = res.old;
  else if (rv == "ALL_NEW" && res.writes) shown = res.updated;
  else if (rv == "UPDATED_OLD" && res.old) shown = project(*res.old, touched);
  else if (rv == "UPDATED_NEW" && res.writes) shown = project(res.updated, touched);
  if (shown && shown->attrs_size()) o["Attributes"] = item_to_json(*shown);
  out.output = std::move(o);
}

}  // namespace podstack::dynamodb
