// SNS filter policies: SNS's dialect of the content-filter language
// (server/services/content_filter.h), which EventBridge patterns share, in
// its two scopes.
#include "server/services/sns/filter_policy.h"

#include <cstdlib>

#include "server/services/content_filter.h"

namespace podstack::sns {
namespace {

const content_filter::Dialect& dialect(FilterScope scope) {
  return scope == FilterScope::kMessageAttributes ? content_filter::kSnsAttributes : content_filter::kSnsBody;
}

}  // namespace

std::optional<std::string> validate_filter_policy(std::string_view policy, FilterScope scope) {
  boost::system::error_code ec;
  json::value v = json::parse(policy, ec);
  if (ec) return "FilterPolicy: failed to parse JSON. " + ec.message();
  if (!v.is_object()) return "FilterPolicy: Filter policy must be a JSON object";
  if (v.as_object().empty()) return std::nullopt;  // "{}": the empty policy matches everything (removes filtering)
  std::string reason = content_filter::check_pattern(v.as_object(), dialect(scope));
  if (!reason.empty()) return reason;
  return std::nullopt;
}

json::object attributes_for_filter(const json::object& message_attributes) {
  json::object out;
  for (auto& kv : message_attributes) {
    if (!kv.value().is_object()) continue;
    const auto& a = kv.value().as_object();
    auto* t = a.if_contains("DataType");
    auto* s = a.if_contains("StringValue");
    if (!t || !t->is_string() || !s || !s->is_string()) continue;  // Binary: never matched
    std::string_view type = t->as_string();
    std::string value(s->as_string());
    if (type.substr(0, 6) == "Number") {
      char* end = nullptr;
      double d = std::strtod(value.c_str(), &end);
      if (end && *end == 0) out[kv.key()] = d;
      else out[kv.key()] = value;
    } else if (type.substr(0, 12) == "String.Array") {
      boost::system::error_code ec;
      json::value arr = json::parse(value, ec);
      if (!ec && arr.is_array()) out[kv.key()] = std::move(arr);
      else out[kv.key()] = value;
    } else if (type.substr(0, 6) == "String") {
      out[kv.key()] = value;
    }
  }
  return out;
}

bool filter_matches(std::string_view policy, FilterScope scope, const json::object& attributes, std::string_view body) {
  if (policy.empty()) return true;
  boost::system::error_code ec;
  json::value p = json::parse(policy, ec);
  if (ec || !p.is_object()) return false;
  if (p.as_object().empty()) return true;
  if (scope == FilterScope::kMessageAttributes) return content_filter::matches(p.as_object(), json::value(attributes), dialect(scope));
  json::value b = json::parse(body, ec);
  if (ec || !b.is_object()) return false;
  return content_filter::matches(p.as_object(), b, dialect(scope));
}

}  // namespace podstack::sns
