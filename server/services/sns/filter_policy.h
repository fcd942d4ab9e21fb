// SNS subscription filter policies: validation (AWS's InvalidParameter
// messages) and matching, for both scopes.
//
//   MessageAttributes scope: {"attr": [conditions...]}, matched against the
//     message attributes (String -> string, Number -> number, String.Array ->
//     any element; Binary attributes never match).
//   MessageBody scope: the same, nested to any depth ({"a": {"b": [...]}}),
//     matched against the message parsed as JSON (not JSON: no match).
//
// Conditions (an array is an OR of them; keys of an object are ANDed):
//   "s", 5, true, null                    exact match
//   {"prefix": "s"} {"suffix": "s"}       string prefix/suffix
//   {"equals-ignore-case": "s"}
//   {"anything-but": v | [v...] | {"prefix": "s"} | {"suffix": "s"}}
//   {"numeric": ["=", 5]} {"numeric": [">", 0, "<=", 10]}
//   {"exists": true|false}
//   {"cidr": "10.0.0.0/24"}                IPv4/IPv6 address in a prefix
//   "$or": [policy, policy...]            at any object level
// https://docs.aws.amazon.com/sns/latest/dg/sns-subscription-filter-policies.html
#pragma once
#include <boost/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace podstack::sns {

namespace json = boost::json;

enum class FilterScope { kMessageAttributes, kMessageBody };

// nullopt when `policy` is valid for `scope`, else AWS's reason, the text
// after "Invalid parameter: " (e.g. "FilterPolicy: Empty arrays are not allowed").
std::optional<std::string> validate_filter_policy(std::string_view policy, FilterScope scope);

// The message attributes as the matcher sees them: {name: value} with String
// as a JSON string, Number as a JSON number, String.Array as a JSON array
// (built by the caller from the {name: {DataType, StringValue}} input).
json::object attributes_for_filter(const json::object& message_attributes);

// true when the message passes the (already validated) policy. `attributes`
// from attributes_for_filter(); `body` the raw message.
bool filter_matches(std::string_view policy, FilterScope scope, const json::object& attributes, std::string_view body);

}  // namespace podstack::sns
