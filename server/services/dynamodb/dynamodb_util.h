// Helpers the DynamoDB handler files share: ARNs, key and item validation,
// reading an item as of now (TTL), consumed capacity, request digests,
// emitting writes, and index views (Query, Scan, PartiQL SELECT).
#pragma once
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "server/service.h"
#include "server/services/dynamodb/expression.h"
#include "server/services/dynamodb/item.h"
#include "server/services/dynamodb/number.h"
#include "server/services/dynamodb/table.h"

namespace podstack::dynamodb {

constexpr size_t kPageBytes = 1024 * 1024;           // Query/Scan stop after 1 MB of items read
constexpr size_t kBatchGetBytes = 16 * 1024 * 1024;  // BatchGetItem answers at most 16 MB of items

std::string table_arn(const CallContext& ctx, std::string_view name);
// TableName as AWS checks it (dynalite's tests, recorded against AWS): the
// table operations (CreateTable, DescribeTable, UpdateTable, DeleteTable,
// DescribeTimeToLive) word a bad length their own way; the item operations
// list the pattern and length constraints as the model validation does.
void validate_table_name(std::string_view name);
void validate_item_table_name(std::string_view name);
// BatchGetItem/BatchWriteItem's RequestItems keys (dynalite batchGetItem.js).
void validate_request_items_names(const json::object& request_items);
// IndexName's pattern [a-zA-Z0-9_.-]+ (the codec checks its length);
// `at` is the member's path, e.g. "globalSecondaryIndexes.1.member.indexName".
void validate_index_name(std::string_view name, std::string_view at);

// Tags: `add` ([{"Key":..,"Value":..}], as the codec checked it) merged
// over `tags`; characters outside AWS's tag pattern and more than 50 tags
// in all are ValidationException.
std::map<std::string, std::string> merge_tags(std::map<std::string, std::string> tags, const json::array& add);

// ---- keys and items ----
void check_key_value(const std::string& name, const std::string& type, const AttributeValue& v, bool in_item);
// An item to be written: key attributes present with the right types, index
// key attributes typed as declared, size within 400 KB.
void validate_item(const TableState& t, const Item& item);
// After an update: refuses an attribute a SET or ADD of `actions` made
// deeper than AWS's nesting limit (kMaxNesting, item.h).
void check_update_nesting(const std::vector<UpdateAction>& actions, const Item& updated);
// A Key parameter: exactly the key attributes.
Item key_from_json(const TableState& t, const json::value* jv);
// The key attributes of `item`.
Item key_only(const TableState& t, const Item& item);

// Time to live: an item whose TTL attribute (epoch seconds) has passed reads
// as absent from that second on, and a write to its key replaces it; the
// due-work hooks (next_due/decide_due) then delete it by an event, with a
// REMOVE in the stream. AWS's rule that values more than five years in the
// past never expire is kept.
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/howitworks-ttl.html
constexpr int64_t kTtlHorizonS = 5LL * 365 * 24 * 3600;
// Whether an item that expires at second `at` is expired at `now_s`.
inline bool ttl_due(int64_t at, int64_t now_s) { return at <= now_s && at > now_s - kTtlHorizonS; }
inline bool expired(const TableState& t, const Item& item, int64_t now_ms) {
  if (t.desc.ttl_attribute().empty()) return false;
  std::optional<int64_t> at = ttl_second(item, t.desc.ttl_attribute());
  return at && ttl_due(*at, now_ms / 1000);
}

// The item stored under `pk`, unless absent or expired.
inline std::optional<Item> current_item(const TableState& t, const PrimaryKey& pk, int64_t now_ms) {
  auto it = t.items.find(pk);
  if (it == t.items.end()) return std::nullopt;
  Item item;
  item.ParseFromString(it->second);
  if (expired(t, item, now_ms)) return std::nullopt;
  return item;
}

// ConditionalCheckFailedException, with the old item when the request asked
// for it (ReturnValuesOnConditionCheckFailure=ALL_OLD).
ApiError condition_failed(const std::optional<Item>& old, std::string_view rv_on_fail);
void check_return_values(std::string_view rv, std::initializer_list<std::string_view> allowed);

// {"ConsumedCapacity": ...} when the request asked for it, else {}.
json::object consumed(const json::object& in, std::string_view table, double units);

// The request a ClientRequestToken stands for: the SHA-256 of every
// parameter but the token, as canonical JSON (object keys sorted).
std::string request_digest(const json::object& in);

// Emits one ItemsWritten event with one write.
void add_write(Decision& out, const std::string& table, const Item& item, bool deleted);

// ---- index views: the table or one of its indexes ----
struct IndexView {
  const Index* def = nullptr;  // nullptr: the table itself
  const IndexState* state = nullptr;
  KeyDef key;
};
// Attributes an index holds for an item.
Item index_projection(const TableState& t, const IndexView& v, const Item& item);
// The key of `item` as LastEvaluatedKey: table key plus index key.
json::object last_key(const TableState& t, const IndexView& v, const Item& item);
// ExclusiveStartKey -> the position to continue after.
std::optional<IndexEntry> start_key(const TableState& t, const IndexView& v, const json::object* esk);

}  // namespace podstack::dynamodb
