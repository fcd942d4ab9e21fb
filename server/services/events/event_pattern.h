// EventBridge event patterns: validation (AWS's InvalidEventPatternException
// reasons) and matching against an event, in one place.
//
// A pattern is a JSON object; its keys are ANDed and name fields of the
// event. A key's value is either an object (a pattern for the nested
// object) or an array of conditions, any of which may match. An event
// field that is an array matches when any element does.
//
//   "s", 5, true, null                       exact value
//   {"prefix": "s"}  {"prefix": {"equals-ignore-case": "s"}}
//   {"suffix": "s"}  {"suffix": {"equals-ignore-case": "s"}}
//   {"equals-ignore-case": "s"}
//   {"wildcard": "a*b"}                      '*' any run; "\*" and "\\" escape
//   {"anything-but": v | [v...] | {"prefix"|"suffix": "s"}
//                    | {"equals-ignore-case"|"wildcard": "s" | ["s"...]}}
//   {"numeric": ["=", 5]}  {"numeric": [">", 0, "<=", 10]}
//   {"exists": true|false}                   only leaves exist
//   {"cidr": "10.0.0.0/24"}  {"cidr": "2001:db8::/32"}
//   "$or": [pattern, pattern...]             at any object level
//
// The language is the one AWS's event-ruler implements; SNS filter policies
// are a dialect of it (server/services/sns/filter_policy.h).
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html
#pragma once
#include <boost/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace podstack::events {

namespace json = boost::json;

// The pattern parsed, or AWS's reason it is not valid (the text after
// "Event pattern is not valid. Reason: ").
struct ParsedPattern {
  json::value pattern;             // a valid pattern (an object) when `error` is empty
  std::string error;
};
ParsedPattern parse_event_pattern(std::string_view text);

// true when the event (a JSON object) matches the valid pattern.
bool pattern_matches(const json::value& pattern, const json::value& event);

// "*" matching with AWS's escapes ("\*" a star, "\\" a backslash), for
// wildcard patterns (valid ones: see parse_event_pattern).
bool wildcard_matches(std::string_view pattern, std::string_view s);

}  // namespace podstack::events
