// SNS subscriptions: Subscribe, ConfirmSubscription, Unsubscribe,
// ListSubscriptions, ListSubscriptionsByTopic, Get/SetSubscriptionAttributes;
// the subscription lookups the other areas use. An http/https endpoint is
// pending until it confirms: Subscribe adds the SubscriptionConfirmation
// POST to the outbox.
// https://docs.aws.amazon.com/sns/latest/api/API_Subscribe.html
#include <algorithm>
#include <map>

#include "server/protocol/encoding.h"
#include "server/services/arn.h"
#include "server/services/sns/filter_policy.h"
#include "server/services/sns/sns_errors.h"
#include "server/services/sns/sns_service.h"
#include "server/services/sns/sns_util.h"

namespace podstack::sns {
namespace {

constexpr std::string_view kSubscriptionAttrs[] = {"DeliveryPolicy", "FilterPolicy", "FilterPolicyScope",
                                                   "RawMessageDelivery", "RedrivePolicy", "SubscriptionRoleArn",
                                                   "ReplayPolicy"};
constexpr std::string_view kProtocols[] = {"http", "https", "email", "email-json", "sms", "sqs", "application", "lambda", "firehose"};

std::string token_chars(size_t n) { return random_chars(n, "0123456789abcdef"); }

// Validates one subscription attribute; `prefix` is "Attributes Reason: "
// at Subscribe, empty at SetSubscriptionAttributes (AWS's two wordings).
void check_subscription_attribute(const std::string& n, std::string& v, std::string_view protocol, std::string_view prefix,
                                  const std::string& scope_for_policy) {
  std::string p(prefix);
  if (!one_of(kSubscriptionAttrs, n)) throw invalid_parameter(p.empty() ? "AttributeName" : p + "Unknown attribute " + n);
  if (n == "RawMessageDelivery") {
    if (!is_bool(v)) throw invalid_parameter(p + "RawMessageDelivery: Invalid value [" + v + "]. Must be true or false.");
    if (protocol != "sqs" && protocol != "http" && protocol != "https" && protocol != "firehose")
      throw invalid_parameter(p + "Delivery protocol [" + std::string(protocol) + "] does not support raw message delivery.");
    v = is_true(v) ? "true" : "false";
  } else if (n == "FilterPolicyScope") {
    if (v != "MessageAttributes" && v != "MessageBody")
      throw invalid_parameter(p + "FilterPolicyScope: Invalid value [" + v + "]. Please use either MessageBody or MessageAttributes");
  } else if (n == "FilterPolicy" && !v.empty()) {
    auto scope = scope_for_policy == "MessageBody" ? FilterScope::kMessageBody : FilterScope::kMessageAttributes;
    if (auto why = validate_filter_policy(v, scope)) throw invalid_parameter(p + *why);
  } else if (n == "RedrivePolicy" && !v.empty()) {
    boost::system::error_code ec;
    json::value rv = json::parse(v, ec);
    if (ec || !rv.is_object()) throw invalid_parameter(p + "RedrivePolicy: Redrive policy is not a valid JSON map.");
    auto* dl = rv.as_object().if_contains("deadLetterTargetArn");
    if (!dl || !dl->is_string()) throw invalid_parameter(p + "RedrivePolicy: deadLetterTargetArn is missing");
    auto a = parse_arn(dl->as_string());
    if (!a || a->service != "sqs" || a->resource.empty())
      throw invalid_parameter(p + "RedrivePolicy: deadLetterTargetArn is an invalid arn");
  } else if (n == "DeliveryPolicy" && !v.empty()) {
    boost::system::error_code ec;
    json::value dv = json::parse(v, ec);
    if (ec || !dv.is_object()) throw invalid_parameter(p + "DeliveryPolicy: failed to parse JSON");
  }
}

void check_endpoint(std::string_view protocol, std::string_view endpoint) {
  if (protocol == "http" || protocol == "https") {
    if (endpoint.rfind(std::string(protocol) + "://", 0) != 0) throw invalid_parameter("Endpoint must match the specified protocol");
  } else if (protocol == "sqs") {
    auto a = parse_arn(endpoint);
    if (!a || a->service != "sqs" || a->resource.empty()) throw invalid_parameter("SQS endpoint ARN");
  } else if (protocol == "sms") {
    if (!valid_phone(endpoint)) throw invalid_parameter("SMS endpoint ARN");
  } else if (protocol == "email" || protocol == "email-json") {
    if (endpoint.find('@') == std::string_view::npos) throw invalid_parameter("Email address");
  } else if (protocol == "lambda" || protocol == "application" || protocol == "firehose") {
    auto a = parse_arn(endpoint);
    if (!a) throw invalid_parameter(std::string(protocol) == "lambda" ? "Lambda endpoint ARN" : "Endpoint ARN");
  }
}

PendingEffect confirmation_effect(const CallContext& ctx, const std::string& arn_topic, const Subscription& s) {
  std::string id = random_uuid();
  std::string subscribe_url = base_url(ctx) + "/?Action=ConfirmSubscription&TopicArn=" + arn_topic + "&Token=" + s.token();
  std::string timestamp = protocol::iso8601(ctx.now());
  std::string message = "You have chosen to subscribe to the topic " + arn_topic +
                        ".\nTo confirm the subscription, visit the SubscribeURL included in this message.";
  json::object body;
  body["Type"] = "SubscriptionConfirmation";
  body["MessageId"] = id;
  body["Token"] = s.token();
  body["TopicArn"] = arn_topic;
  body["Message"] = message;
  body["SubscribeURL"] = subscribe_url;
  body["Timestamp"] = timestamp;
  body["SignatureVersion"] = "1";
  body["Signature"] = signature("Message\n" + message + "\nMessageId\n" + id + "\nSubscribeURL\n" + subscribe_url +
                                "\nTimestamp\n" + timestamp + "\nToken\n" + s.token() + "\nTopicArn\n" + arn_topic +
                                "\nType\nSubscriptionConfirmation\n");
  body["SigningCertURL"] = signing_cert_url(ctx);
  PendingEffect fx;
  fx.set_id(id);
  fx.set_kind("http");
  fx.set_target(s.endpoint());
  fx.set_body(json::serialize(body));
  add_http_headers(fx, "SubscriptionConfirmation", id, arn_topic, "", false);
  fx.set_not_before_ms(ctx.now_ms);
  fx.set_subscription_arn(s.arn());
  fx.set_purpose("SubscriptionConfirmation");
  return fx;
}

json::object subscription_summary(const CallContext& ctx, const Topic& t, const Subscription& s) {
  return json::object{{"SubscriptionArn", s.pending() ? "PendingConfirmation" : s.arn()},
                      {"Owner", s.owner()},
                      {"Protocol", s.protocol()},
                      {"Endpoint", s.endpoint()},
                      {"TopicArn", topic_arn_of(ctx, t)}};
}

}  // namespace

// Subscription ARN = topic ARN + ":" + id.
std::pair<const Topic*, const Subscription*> SnsService::find_subscription(const CallContext& ctx, std::string_view arn) const {
  auto a = parse_arn(arn);
  if (!a || a->service != "sns") return {nullptr, nullptr};
  size_t c = a->resource.rfind(':');
  if (c == std::string::npos) return {nullptr, nullptr};
  // Only in ctx's partition (find_topic checks): the events apply there.
  const Topic* t = find_topic(ctx, topic_arn(a->region, a->account, a->resource.substr(0, c)));
  if (!t) return {nullptr, nullptr};
  return {t, find_sub(*t, arn)};
}
std::pair<const Topic*, const Subscription*> SnsService::subscription_of(const Input& in, const CallContext& ctx) const {
  std::string_view arn = in.str("SubscriptionArn");
  auto a = parse_arn(arn);
  if (!a || a->service != "sns" || a->resource.find(':') == std::string::npos)
    throw invalid_parameter("SubscriptionArn Reason: An ARN must have at least 6 elements, not " +
                            std::to_string(std::count(arn.begin(), arn.end(), ':') + 1));
  auto r = find_subscription(ctx, arn);
  if (!r.second) throw not_found("Subscription does not exist");
  return r;
}

void SnsService::subscribe(const Request& req, Decision& out) const {
  const Topic& t = topic_of(req.in, req.ctx);
  std::string protocol(req.in.str("Protocol"));
  std::string endpoint = req.in.str_or("Endpoint", "");
  if (!one_of(kProtocols, protocol)) throw invalid_parameter("Amazon SNS does not support this protocol string: " + protocol);
  check_endpoint(protocol, endpoint);
  if (fifo(t) && protocol != "sqs" && protocol != "firehose")
    throw invalid_parameter("Invalid protocol type: " + protocol + " for a FIFO topic");
  // AWS's wording, "Invalid parameter" twice (recorded by LocalStack, 2025).
  if (!fifo(t) && protocol == "sqs" && ends_with(endpoint, ".fifo")) throw fifo_queue_on_standard_topic();
  std::map<std::string, std::string> attrs;
  if (const json::object* a = req.in.object("Attributes")) {
    std::string scope = "MessageAttributes";
    if (auto* s = a->if_contains("FilterPolicyScope"); s && s->is_string()) scope = std::string(s->as_string());
    for (auto& kv : *a) {
      std::string n(kv.key());
      std::string v = kv.value().is_string() ? std::string(kv.value().as_string()) : json::serialize(kv.value());
      check_subscription_attribute(n, v, protocol, "Attributes Reason: ", scope);
      attrs[n] = v;
    }
  }
  bool return_arn = req.in.flag("ReturnSubscriptionArn");
  std::string arn_topic = topic_arn_of(req.ctx, t);
  for (auto& s : t.subscriptions())
    if (s.protocol() == protocol && s.endpoint() == endpoint) {
      // Idempotent: the same endpoint subscribes once; different attributes are an error.
      for (auto& [k, v] : attrs)
        if (sub_attr(s, k) != v) throw invalid_parameter("Attributes Reason: Subscription already exists with different attributes");
      if (s.pending()) {
        // AWS sends the confirmation again (same token) to an endpoint still pending.
        Event ev;
        ev.mutable_subscribed()->set_topic(t.name());
        *ev.mutable_subscribed()->mutable_subscription() = s;
        *ev.mutable_subscribed()->add_effects() = confirmation_effect(req.ctx, arn_topic, s);
        out.add(std::move(ev));
        out.effects = true;
      }
      out.output = json::object{{"SubscriptionArn", s.pending() && !return_arn ? "pending confirmation" : s.arn()}};
      return;
    }
  Event ev;
  Subscribed* sub = ev.mutable_subscribed();
  sub->set_topic(t.name());
  Subscription* s = sub->mutable_subscription();
  s->set_arn(arn_topic + ":" + random_uuid());
  s->set_protocol(protocol);
  s->set_endpoint(endpoint);
  s->set_owner(req.ctx.account);
  for (auto& [k, v] : attrs) (*s->mutable_attributes())[k] = v;
  s->set_created_ms(req.ctx.now_ms);
  bool confirm = protocol == "http" || protocol == "https";
  if (confirm) {
    s->set_pending(true);
    s->set_token(token_chars(128));
    *sub->add_effects() = confirmation_effect(req.ctx, arn_topic, *s);
    out.effects = true;
  }
  out.output = json::object{{"SubscriptionArn", confirm && !return_arn ? "pending confirmation" : s->arn()}};
  out.add(std::move(ev));
}

void SnsService::confirm_subscription(const Request& req, Decision& out) const {
  CallContext at = arn_context(req.ctx, req.in.str("TopicArn"));
  const Topic& t = topic_of(req.in, at);
  std::string token(req.in.str("Token"));
  for (auto& s : t.subscriptions()) {
    if (s.token().empty() || s.token() != token) continue;
    if (s.pending()) {
      Event ev;
      ev.mutable_confirmed()->set_topic(t.name());
      ev.mutable_confirmed()->set_arn(s.arn());
      set_partition(ev, req.ctx, at);
      out.add(std::move(ev));
    }
    out.output = json::object{{"SubscriptionArn", s.arn()}};
    return;
  }
  throw invalid_parameter("Token");
}

void SnsService::unsubscribe(const Request& req, Decision& out) const {
  CallContext at = arn_context(req.ctx, req.in.str("SubscriptionArn"));
  auto [t, s] = subscription_of(req.in, at);
  Event ev;
  ev.mutable_unsubscribed()->set_topic(t->name());
  ev.mutable_unsubscribed()->set_arn(s->arn());
  set_partition(ev, req.ctx, at);
  out.add(std::move(ev));
}

void SnsService::list_subscriptions(const Request& req, Decision& out) const {
  std::map<std::string, std::pair<const Topic*, const Subscription*>> all;
  if (const SnsPartition* p = part(req.ctx))
    for (auto& [n, t] : p->topics)
      for (auto& s : t.subscriptions()) all[s.arn()] = {&t, &s};
  Page page = page_of(req.in);
  json::array subs;
  for (auto it = all.upper_bound(page.after()); it != all.end(); ++it) {
    if (page.full(subs.size(), it->first)) break;
    subs.push_back(subscription_summary(req.ctx, *it->second.first, *it->second.second));
  }
  json::object result{{"Subscriptions", std::move(subs)}};
  page.emit(result);
  out.output = std::move(result);
}

void SnsService::list_subscriptions_by_topic(const Request& req, Decision& out) const {
  const Topic& t = topic_of(req.in, req.ctx);
  Page page = page_of(req.in);
  json::array subs;
  for (auto& s : t.subscriptions()) {  // sorted by arn
    if (s.arn() <= page.after()) continue;
    if (page.full(subs.size(), s.arn())) break;
    subs.push_back(subscription_summary(req.ctx, t, s));
  }
  json::object result{{"Subscriptions", std::move(subs)}};
  page.emit(result);
  out.output = std::move(result);
}

void SnsService::get_subscription_attributes(const Request& req, Decision& out) const {
  auto [t, s] = subscription_of(req.in, req.ctx);
  json::object a;
  a["SubscriptionArn"] = s->arn();
  a["TopicArn"] = topic_arn_of(req.ctx, *t);
  a["Owner"] = s->owner();
  a["Protocol"] = s->protocol();
  a["Endpoint"] = s->endpoint();
  a["ConfirmationWasAuthenticated"] = s->pending() ? "false" : "true";
  a["PendingConfirmation"] = s->pending() ? "true" : "false";
  a["RawMessageDelivery"] = "false";
  a["SubscriptionPrincipal"] = arn_prefix(req.ctx.region) + "iam::" + req.ctx.account + ":user/podstack";
  if (s->protocol() == "http" || s->protocol() == "https") a["EffectiveDeliveryPolicy"] = kEffectiveDeliveryPolicy;
  for (auto& [k, v] : s->attributes()) a[k] = v;
  if (s->attributes().count("FilterPolicy") && !s->attributes().count("FilterPolicyScope"))
    a["FilterPolicyScope"] = "MessageAttributes";
  out.output = json::object{{"Attributes", std::move(a)}};
}

void SnsService::set_subscription_attributes(const Request& req, Decision& out) const {
  auto [t, s] = subscription_of(req.in, req.ctx);
  std::string n(req.in.str("AttributeName"));
  std::string v = req.in.str_or("AttributeValue", "");
  std::string scope = n == "FilterPolicyScope" ? v : sub_attr(*s, "FilterPolicyScope");
  check_subscription_attribute(n, v, s->protocol(), "", scope.empty() ? "MessageAttributes" : scope);
  if (n == "FilterPolicyScope" && !sub_attr(*s, "FilterPolicy").empty()) {
    auto sc = v == "MessageBody" ? FilterScope::kMessageBody : FilterScope::kMessageAttributes;
    if (auto why = validate_filter_policy(sub_attr(*s, "FilterPolicy"), sc)) throw invalid_parameter(*why);
  }
  Event ev;
  auto* e = ev.mutable_subscription_attributes();
  e->set_topic(t->name());
  e->set_arn(s->arn());
  (*e->mutable_attributes())[n] = v;
  out.add(std::move(ev));
}

}  // namespace podstack::sns
