// DynamoDB attribute values and items: wire JSON <-> proto, AWS's value
// validation, equality, ordering and item size.
#pragma once
#include <boost/json.hpp>
#include <string>
#include <string_view>

#include "proto/dynamodb.pb.h"
#include "server/protocol/api_error.h"

namespace podstack::dynamodb {

namespace json = boost::json;
using protocol::ApiError;
using AttributeValue = ::podstack::dynamodb::AttributeValue;

constexpr size_t kMaxItemSize = 400 * 1024;

// Wire JSON ({"S": "x"}, {"N": "1.50"}, ...; blobs already decoded to raw
// bytes by the codec) -> value. Validates as AWS does (one type, numbers,
// empty and duplicate sets) and normalises numbers. Throws ApiError.
// `level`: the value's nesting level, counted as it is read (an item's
// top-level attributes are level 1, a lone value such as an expression
// value level 0); a map or list at level kMaxNesting or deeper is refused as
// AWS does. DynamoDB Local's AttributeValue translator: isValidNestedLevel is
// level < 32, checked on each M and L.
constexpr int kMaxNesting = 32;
AttributeValue from_json(const json::value& v, int level = 0);
Item item_from_json(const json::value& v);
// The level of the deepest map or list in `v` (itself included) when `v`
// is at `level`; 0 when there is none.
int nesting_level(const AttributeValue& v, int level);
[[noreturn]] void nesting_exceeded();

// Value -> wire JSON. `base64` encodes blobs (for bodies the codec does not
// walk, such as an error's Item).
json::value to_json(const AttributeValue& v, bool base64 = false);
json::object item_to_json(const Item& item, bool base64 = false);

// "S", "N", "B", "SS", "NS", "BS", "M", "L", "NULL", "BOOL".
std::string_view type_name(const AttributeValue& v);

bool equal(const AttributeValue& a, const AttributeValue& b);
// Ordering for <, <=, >, >=, BETWEEN: only S, N and B of the same type are
// comparable; returns false in `comparable` otherwise.
int compare_values(const AttributeValue& a, const AttributeValue& b, bool& comparable);

// AWS's item size: attribute name bytes + value bytes (numbers ~ 1 byte per
// 2 significant digits + 1).
size_t value_size(const AttributeValue& v);
size_t item_size(const Item& item);

// Canonical bytes of an item (deterministic serialization).
std::string item_bytes(const Item& item);
// An order-preserving byte encoding of a key value (S, N, B): keys compare
// with memcmp in DynamoDB's order (numbers numerically).
std::string key_bytes(const AttributeValue& v);

// "{N: 5}" style used in some AWS messages.
std::string describe_value(const AttributeValue& v);

}  // namespace podstack::dynamodb
