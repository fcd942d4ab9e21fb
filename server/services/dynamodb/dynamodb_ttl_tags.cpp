// DynamoDB time to live and tags: UpdateTimeToLive, DescribeTimeToLive,
// TagResource, UntagResource, ListTagsOfResource. Each change is a
// TableUpdated event with the whole new description. And the deletes time
// to live makes when the clock passes an item's time (due work).
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateTimeToLive.html
#include <algorithm>
#include <map>

#include "server/services/dynamodb/dynamodb_service.h"
#include "server/services/dynamodb/dynamodb_util.h"

namespace podstack::dynamodb {
namespace {

void set_tags(TableDescription& d, const std::map<std::string, std::string>& tags) {
  d.clear_tags();
  for (auto& [k, v] : tags) {
    auto* tg = d.add_tags();
    tg->set_key(k);
    tg->set_value(v);
  }
}

}  // namespace

void DynamoDbService::update_ttl(const Request& req, Decision& out) const {
  const Input& in = req.in;
  const CallContext& ctx = req.ctx;
  const TableState& t = table(ctx, in.str("TableName"));
  const json::object& spec = *in.object("TimeToLiveSpecification");
  bool enabled = spec.at("Enabled").as_bool();
  std::string attr(spec.at("AttributeName").as_string());
  TableDescription d = t.desc;
  if (enabled && !d.ttl_attribute().empty()) throw ApiError::validation("TimeToLive is already enabled");
  if (!enabled && d.ttl_attribute().empty()) throw ApiError::validation("TimeToLive is already disabled");
  if (!enabled && d.ttl_attribute() != attr) throw ApiError::validation("The attribute name provided does not match the TTL attribute name configured on the table");
  d.set_ttl_attribute(enabled ? attr : "");
  Event ev;
  *ev.mutable_updated()->mutable_desc() = std::move(d);
  out.add(std::move(ev));
  out.output = json::object{{"TimeToLiveSpecification", json::object{{"Enabled", enabled}, {"AttributeName", attr}}}};
}

void DynamoDbService::describe_ttl(const Request& req, Decision& out) const {
  const Input& in = req.in;
  const CallContext& ctx = req.ctx;
  validate_table_name(in.str("TableName"));
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

const TableState& DynamoDbService::table_by_arn(const CallContext& ctx, std::string_view arn) const {
  if (arn.rfind("arn:", 0) != 0) throw ApiError::validation("Invalid ResourceArn provided as input " + std::string(arn) + ": ARNs must start with 'arn:'");
  std::string prefix = table_arn(ctx, "");
  const TableState* t = nullptr;
  if (arn.rfind(prefix, 0) == 0) {
    std::string_view rest = arn.substr(prefix.size());
    t = state().find_table(ctx, rest.substr(0, rest.find('/')));
  }
  if (!t) throw resource_not_found("Requested resource not found: ResourcArn: " + std::string(arn) + " not found");
  return *t;
}

void DynamoDbService::tag_resource(const Request& req, Decision& out) const {
  const Input& in = req.in;
  const CallContext& ctx = req.ctx;
  const TableState& t = table_by_arn(ctx, in.str("ResourceArn"));
  std::map<std::string, std::string> tags;
  for (auto& tg : t.desc.tags()) tags[tg.key()] = tg.value();
  const json::array& add = *in.array("Tags");
  if (add.empty())
    throw ApiError::validation("1 validation error detected: Value '[]' at 'tags' failed to satisfy constraint: Member must have length greater than or equal to 1");
  TableDescription d = t.desc;
  set_tags(d, merge_tags(std::move(tags), add));
  Event ev;
  *ev.mutable_updated()->mutable_desc() = std::move(d);
  out.add(std::move(ev));
  out.output = nullptr;  // AWS answers an empty body
}

void DynamoDbService::untag_resource(const Request& req, Decision& out) const {
  const Input& in = req.in;
  const CallContext& ctx = req.ctx;
  const TableState& t = table_by_arn(ctx, in.str("ResourceArn"));
  std::map<std::string, std::string> tags;
  for (auto& tg : t.desc.tags()) tags[tg.key()] = tg.value();
  for (auto& k : *in.array("TagKeys")) tags.erase(std::string(k.as_string()));
  TableDescription d = t.desc;
  set_tags(d, tags);
  Event ev;
  *ev.mutable_updated()->mutable_desc() = std::move(d);
  out.add(std::move(ev));
  out.output = nullptr;  // AWS answers an empty body
}

void DynamoDbService::list_tags(const Request& req, Decision& out) const {
  const Input& in = req.in;
  const CallContext& ctx = req.ctx;
  const TableState& t = table_by_arn(ctx, in.str("ResourceArn"));
  json::array tags;
  for (auto& tg : t.desc.tags()) tags.push_back(json::object{{"Key", tg.key()}, {"Value", tg.value()}});
  out.output = json::object{{"Tags", std::move(tags)}};
}

// ---- time to live as due work ----

namespace {
// The first entry of `t`'s TTL index that can still expire.
auto first_expirable(const TableState& t) {
  const int64_t after = t.ttl_floor_s == INT64_MIN ? INT64_MIN : t.ttl_floor_s + 1;
  return t.ttl_index.lower_bound({after, PrimaryKey{}});
}
}  // namespace

// Walks the TTL-enabled tables (none: answered at once), each an ordered
// index: O(tables with TTL · log items).
DueWork DynamoDbService::next_due() const {
  DueWork w;
  if (state().ttl_tables() == 0) return w;
  for (auto& [key, part] : state().partitions()) {
    for (auto& [name, t] : part.tables) {
      auto it = first_expirable(t);
      if (it == t.ttl_index.end() || it->first >= w.at_ms / 1000) continue;
      w.at_ms = it->first * 1000;
      w.account = key.first;
      w.region = key.second;
    }
  }
  return w;
}

// Everything expired in the partition, as one ItemsWritten per table: the
// keys, deleted, marked by_ttl (the stream shows a service-made REMOVE).
void DynamoDbService::decide_due(const CallContext& ctx, Decision& out) const {
  const PartitionState* part = state().partition(ctx);
  if (!part) return;
  const int64_t now_s = ctx.now_ms / 1000;
  for (auto& [name, t] : part->tables) {
    if (t.ttl_index.empty()) continue;
    // Values this old never expire now (and never will: the clock only
    // moves forward, and a rollback rebuilds the index).
    t.ttl_floor_s = std::max(t.ttl_floor_s, now_s - kTtlHorizonS);
    Event ev;
    for (auto it = first_expirable(t); it != t.ttl_index.end() && it->first <= now_s; ++it) {
      auto item = t.items.find(it->second);
      if (item == t.items.end()) continue;
      Item full;
      full.ParseFromString(item->second);
      auto* w = ev.mutable_items()->add_writes();
      w->set_table(name);
      w->set_item(item_bytes(key_only(t, full)));
      w->set_deleted(true);
      w->set_by_ttl(true);
    }
    if (ev.items().writes_size()) out.add(std::move(ev));
  }
}

}  // namespace podstack::dynamodb
