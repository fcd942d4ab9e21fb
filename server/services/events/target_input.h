// What a rule's target receives for an event: the event itself, or the
// target's Input (a constant), InputPath (a part of the event) or
// InputTransformer (InputPathsMap + InputTemplate, with AWS's quoting: in a
// JSON template a string value outside quotes is inserted as a JSON string,
// inside quotes as its escaped text; in a plain-text template as it is).
// Reserved placeholders: <aws.events.rule-arn>, <aws.events.rule-name>,
// <aws.events.event.ingestion-time>, <aws.events.event> and
// <aws.events.event.json> (the whole event).
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html
#pragma once
#include <boost/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace podstack::events {

namespace json = boost::json;

// A JSONPath of the subset AWS takes ("$", "$.a.b", "$.a[0].b"): valid?
bool valid_json_path(std::string_view path);
// The value at `path` in `doc`; nullptr when absent.
const json::value* at_json_path(const json::value& doc, std::string_view path);

struct RuleRef {
  std::string name;
  std::string arn;
  std::string ingestion_time;  // ISO 8601
};

// The body a target with `spec` (the Target as PutTargets received it)
// gets for `event`.
std::string target_input(const json::object& spec, const json::object& event, const RuleRef& rule);

// InputTransformer rendering, for tests and target_input.
std::string render_template(std::string_view tmpl, const json::object& paths_map, const json::object& event,
                            const RuleRef& rule);

}  // namespace podstack::events
