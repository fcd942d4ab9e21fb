// EventBridge event patterns: the EventBridge dialect of the content-filter
// language (server/services/content_filter.h), which SNS filter policies share.
#include "server/services/events/event_pattern.h"

#include "server/services/content_filter.h"

namespace podstack::events {

ParsedPattern parse_event_pattern(std::string_view text) {
  ParsedPattern out;
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec) {
    out.error = "Filter is not valid JSON: " + ec.message();
    return out;
  }
  if (!v.is_object()) {
    out.error = "Filter is not an object";
    return out;
  }
  out.error = content_filter::check_pattern(v.as_object(), content_filter::kEventBridge);
  if (out.error.empty()) out.pattern = std::move(v);
  return out;
}

bool pattern_matches(const json::value& pattern, const json::value& event) {
  return pattern.is_object() && content_filter::matches(pattern.as_object(), event, content_filter::kEventBridge);
}

bool wildcard_matches(std::string_view pattern, std::string_view s) { return content_filter::wildcard_matches(pattern, s); }

}  // namespace podstack::events
