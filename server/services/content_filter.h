// Content filtering: the one matcher behind EventBridge event patterns and
// SNS subscription filter policies, which are dialects of one language (the
// one AWS's event-ruler implements). A Dialect names what differs: limits,
// numeric range and precision, the operators only EventBridge has, and the
// wording of the reasons a pattern is refused.
//
// A pattern is a JSON object; its keys are ANDed and name fields of the
// event. A key's value is either an object (a pattern for the nested
// object) or an array of conditions, any of which may match. An event
// field that is an array matches when any element does.
//
//   "s", 5, true, null                       exact value (numbers by value)
//   {"prefix": "s"}  {"suffix": "s"}         (+ {"equals-ignore-case": "s"} inside: extended)
//   {"equals-ignore-case": "s"}
//   {"wildcard": "a*b"}                      '*' any run; "\*" and "\\" escape (extended)
//   {"anything-but": v | [v...] | {"prefix"|"suffix": "s"}
//                    | {"equals-ignore-case"|"wildcard": "s" | ["s"...]} (extended)}
//   {"numeric": ["=", 5]}  {"numeric": [">", 0, "<=", 10]}
//   {"exists": true|false}                   only leaves exist
//   {"cidr": "10.0.0.0/24"}  {"cidr": "2001:db8::/32"}
//   "$or": [pattern, pattern...]             at any object level
//
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html
// https://docs.aws.amazon.com/sns/latest/dg/sns-subscription-filter-policies.html
#pragma once
#include <boost/json.hpp>
#include <string>
#include <string_view>

namespace podstack::content_filter {

namespace json = boost::json;

struct Dialect {
  std::string_view reason_prefix;  // before every reason ("FilterPolicy: ")
  double numeric_bound;            // numbers beyond ±bound are refused in patterns, never match in events
  std::string_view bound_reason;
  double precision;                // numbers compare at 1/precision
  double max_combinations;
  int max_depth;                   // nesting of objects (and $or) below the top
  bool extended;                   // wildcard, ignore-case affixes, anything-but ignore-case/wildcard
  bool nested;                     // nested objects allowed (SNS's MessageAttributes scope: no)
  bool bare_cidr;                  // {"cidr": "10.0.0.1"} is the address itself (else a '/' is required)
  bool eventbridge_wording;        // the reasons' wording: event-ruler's (EventBridge) or SNS's
};

// EventBridge: AWS takes -5.0e9..5.0e9 with six decimals.
inline constexpr Dialect kEventBridge{"", 5e9, "Value must be between -5.0E9 and 5.0E9, inclusive", 1e6, 10000, 50,
                                      true, true, true, true};
// SNS: -1.0e9..1.0e9 with five decimals, at most 150 combinations and five
// levels; its MessageBody scope nests, its MessageAttributes scope does not.
inline constexpr Dialect kSnsBody{"FilterPolicy: ", 1e9, "Value must be between -1.0E9 and 1.0E9, inclusive", 1e5, 150, 5,
                                  false, true, false, false};
inline constexpr Dialect kSnsAttributes{"FilterPolicy: ", 1e9, "Value must be between -1.0E9 and 1.0E9, inclusive", 1e5,
                                        150, 5, false, false, false, false};

// "" when `pattern` (a parsed JSON object) is valid in `d`, else the reason
// it is not, with the dialect's prefix. An empty object is the caller's
// case (SNS: matches everything; EventBridge: refused).
std::string check_pattern(const json::object& pattern, const Dialect& d);

// true when `event` matches the (valid) pattern.
bool matches(const json::object& pattern, const json::value& event, const Dialect& d);

// "*" matching with AWS's escapes ("\*" a star, "\\" a backslash).
bool wildcard_matches(std::string_view pattern, std::string_view s);

}  // namespace podstack::content_filter
