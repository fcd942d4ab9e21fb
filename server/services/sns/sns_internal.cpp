// SNS internal operations (podstack's take on LocalStack's inspection
// endpoints; "__" names the AWS API never routes to):
//   GET/DELETE /_aws/sns/sms-messages                 __ListSmsMessages, __ClearSmsMessages
//   GET/DELETE /_aws/sns/platform-endpoint-messages   __ListPlatformEndpointMessages, __ClearPlatformEndpointMessages
//   GET /_aws/sns/subscription-tokens/<arn>           __GetSubscriptionToken
// The messages are those Publish recorded instead of sending (sns_publish.cpp).
#include <algorithm>
#include <map>

#include "server/protocol/encoding.h"
#include "server/services/arn.h"
#include "server/services/sns/sns_errors.h"
#include "server/services/sns/sns_service.h"
#include "server/services/sns/sns_util.h"

namespace podstack::sns {
namespace {

json::value null_or(const std::string& s) { return s.empty() ? json::value(nullptr) : json::value(s); }

json::object recorded_json(const Recorded& r, bool platform) {
  json::object attrs;
  std::map<std::string, MessageAttribute> sorted(r.attributes().begin(), r.attributes().end());
  for (auto& [n, a] : sorted) {
    json::object v{{"DataType", a.data_type()}};
    if (a.data_type().rfind("Binary", 0) == 0) v["BinaryValue"] = protocol::base64_encode(a.binary_value());
    else v["StringValue"] = a.string_value();
    attrs[n] = std::move(v);
  }
  json::object o;
  if (platform) o["TargetArn"] = r.endpoint();
  else o["PhoneNumber"] = r.endpoint();
  o["TopicArn"] = null_or(r.topic_arn());
  if (!platform) o["SubscriptionArn"] = null_or(r.subscription_arn());
  o["MessageId"] = r.message_id();
  o["Message"] = r.message();
  o["MessageAttributes"] = std::move(attrs);
  o["MessageStructure"] = null_or(r.message_structure());
  o["Subject"] = null_or(r.subject());
  return o;
}

}  // namespace

void SnsService::list_recorded(const Input& in, const CallContext& ctx, Decision& out, std::string_view protocol,
                               std::string_view filter_member, std::string_view out_member) const {
  std::string only = in.str_or(filter_member, "");
  json::object by_endpoint;
  if (!only.empty()) by_endpoint[only] = json::array();  // LocalStack names the filtered key even when empty
  CallContext at = protocol == "application" && !only.empty() ? arn_context(ctx, only) : ctx;
  if (const SnsPartition* p = part(at))
    for (auto& r : p->recorded) {
      if (r.protocol() != protocol || (!only.empty() && r.endpoint() != only)) continue;
      auto& list = by_endpoint[r.endpoint()];
      if (!list.is_array()) list = json::array();
      list.as_array().push_back(recorded_json(r, protocol == "application"));
    }
  out.output = json::object{{"region", at.region}, {out_member, std::move(by_endpoint)}};
}

void SnsService::clear_recorded(const Input& in, const CallContext& ctx, Decision& out, std::string_view protocol,
                                std::string_view filter_member) const {
  std::string only = in.str_or(filter_member, "");
  // A platform endpoint ARN names its partition (LocalStack).
  CallContext at = protocol == "application" && !only.empty() ? arn_context(ctx, only) : ctx;
  const SnsPartition* p = part(at);
  if (!p || std::none_of(p->recorded.begin(), p->recorded.end(), [&](const Recorded& r) {
        return r.protocol() == protocol && (only.empty() || r.endpoint() == only);
      }))
    return;
  Event ev;
  ev.mutable_recorded_cleared()->set_protocol(std::string(protocol));
  ev.mutable_recorded_cleared()->set_endpoint(only);
  set_partition(ev, ctx, at);
  out.add(std::move(ev));
}

void SnsService::list_sms_messages(const Request& req, Decision& out) const {
  list_recorded(req.in, req.ctx, out, "sms", "phoneNumber", "sms_messages");
}
void SnsService::clear_sms_messages(const Request& req, Decision& out) const {
  clear_recorded(req.in, req.ctx, out, "sms", "phoneNumber");
}
void SnsService::list_platform_messages(const Request& req, Decision& out) const {
  list_recorded(req.in, req.ctx, out, "application", "endpointArn", "platform_endpoint_messages");
}
void SnsService::clear_platform_messages(const Request& req, Decision& out) const {
  clear_recorded(req.in, req.ctx, out, "application", "endpointArn");
}

// LocalStack's /_aws/sns/subscription-tokens/<arn>: the confirmation token
// of an http/https subscription, for tests without a reachable endpoint.
void SnsService::get_subscription_token(const Request& req, Decision& out) const {
  std::string arn = req.in.str_or("subscription_arn", "");
  CallContext at = arn_context(req.ctx, arn);
  auto a = parse_arn(arn);
  if (!a) throw subscription_arn_invalid();
  auto [t, s] = find_subscription(at, arn);
  if (!s || s->token().empty()) throw subscription_arn_not_found();
  out.output = json::object{{"subscription_token", s->token()}, {"subscription_arn", arn}};
}

}  // namespace podstack::sns
