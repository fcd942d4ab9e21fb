// SNS: topics (standard and FIFO), subscriptions, publish with filter
// policies and fan-out, SMS and platform applications (recorded), tags.
//
// Fan-out of one publish, decided under the SNS lock:
//   sqs subscription          -> Delivery{sqs, "message"} (same batch, see service.h)
//   http/https                -> PendingEffect "http" in the partition's outbox
//   email/email-json          -> PendingEffect "smtp" when SMTP_HOST is set, else recorded
//   sms, application, lambda,
//   firehose                  -> recorded in state (nothing leaves podstack)
// Effects are retried kMaxAttempts times (1 s, then 2 s later); after the last
// failure a subscription with a RedrivePolicy dead-letters the message into
// its SQS queue, else it is dropped. Every attempt is an EffectAttempted event.
//
// State: per (account, region) items named "topic:NAME" (with its
// subscriptions and FIFO dedup entries), "app:NAME" (with its endpoints),
// "outbox", "recorded" and "settings" (proto/sns.proto).
// AWS reference: https://docs.aws.amazon.com/sns/latest/api/
#include "server/services/sns/sns_service.h"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <set>

#include "proto/sns.pb.h"
#include "server/protocol/encoding.h"
#include "server/services/arn.h"
#include "server/services/pagination.h"
#include "server/services/sns/filter_policy.h"
#include "base/digest.h"

namespace podstack {
namespace {

constexpr int64_t kMaxMessageSize = 262144;
constexpr int64_t kDedupWindowMs = 5 * 60 * 1000;
constexpr size_t kMaxTags = 50;
constexpr size_t kMaxMessageAttributes = 10;
constexpr size_t kMaxBatch = 10;
constexpr int64_t kPageSize = 100;
// Outbox retry policy (podstack's, documented in README): three attempts, the
// second 1 s after the first fails, the third 2 s after the second.
constexpr uint32_t kMaxAttempts = 3;
constexpr int64_t kBackoffMs[] = {1000, 2000};
constexpr std::string_view kMailFrom = "admin@localstack.cloud";

ApiError invalid(std::string msg) { return ApiError::bad_request("InvalidParameter", "Invalid parameter: " + std::move(msg)); }
ApiError not_found(std::string msg) { return ApiError::make(404, "NotFound", std::move(msg)); }
ApiError no_topic() { return not_found("Topic does not exist"); }

bool is_true(std::string_view v) {
  return v.size() == 4 && (v[0] == 't' || v[0] == 'T') && (v[1] == 'r' || v[1] == 'R') && (v[2] == 'u' || v[2] == 'U') &&
         (v[3] == 'e' || v[3] == 'E');
}
bool is_bool(std::string_view v) {
  std::string l(v);
  for (auto& c : l) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return l == "true" || l == "false";
}
bool ends_with(std::string_view s, std::string_view p) { return s.size() >= p.size() && s.substr(s.size() - p.size()) == p; }

std::string topic_arn(const std::string& region, const std::string& account, std::string_view name) {
  return "arn:aws:sns:" + region + ":" + account + ":" + std::string(name);
}

bool valid_topic_name(std::string_view name) {
  std::string_view base = name;
  if (ends_with(base, ".fifo")) base.remove_suffix(5);
  if (base.empty() || name.size() > 256) return false;
  return std::all_of(base.begin(), base.end(),
                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_'; });
}

bool valid_phone(std::string_view p) {
  if (!p.empty() && p[0] == '+') p.remove_prefix(1);
  return p.size() >= 5 && p.size() <= 15 && std::all_of(p.begin(), p.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool valid_batch_id(std::string_view id) {
  return !id.empty() && id.size() <= 80 && std::all_of(id.begin(), id.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
  });
}

std::string sequence_number(uint64_t seq) {
  std::string s = std::to_string(seq);
  return std::string(s.size() < 20 ? 20 - s.size() : 0, '0') + s;
}

std::string token_chars(size_t n) { return random_chars(n, "0123456789abcdef"); }

// Settable topic attributes (others are computed or unknown).
constexpr std::string_view kTopicAttrs[] = {
    "DeliveryPolicy", "DisplayName", "Policy", "KmsMasterKeyId", "SignatureVersion", "TracingConfig",
    "ContentBasedDeduplication", "FifoTopic", "DataProtectionPolicy", "ArchivePolicy",
    "ApplicationSuccessFeedbackRoleArn", "ApplicationSuccessFeedbackSampleRate", "ApplicationFailureFeedbackRoleArn",
    "HTTPSuccessFeedbackRoleArn", "HTTPSuccessFeedbackSampleRate", "HTTPFailureFeedbackRoleArn",
    "LambdaSuccessFeedbackRoleArn", "LambdaSuccessFeedbackSampleRate", "LambdaFailureFeedbackRoleArn",
    "SQSSuccessFeedbackRoleArn", "SQSSuccessFeedbackSampleRate", "SQSFailureFeedbackRoleArn",
    "FirehoseSuccessFeedbackRoleArn", "FirehoseSuccessFeedbackSampleRate", "FirehoseFailureFeedbackRoleArn"};
constexpr std::string_view kSubscriptionAttrs[] = {"DeliveryPolicy", "FilterPolicy", "FilterPolicyScope",
                                                   "RawMessageDelivery", "RedrivePolicy", "SubscriptionRoleArn",
                                                   "ReplayPolicy"};
constexpr std::string_view kProtocols[] = {"http", "https", "email", "email-json", "sms", "sqs", "application", "lambda", "firehose"};
constexpr std::string_view kSmsAttrs[] = {"DefaultSenderID", "MonthlySpendLimit", "DeliveryStatusIAMRole",
                                          "DeliveryStatusSuccessSamplingRate", "DefaultSMSType", "UsageReportS3Bucket"};
constexpr std::string_view kPlatforms[] = {"ADM", "APNS", "APNS_SANDBOX", "GCM", "BAIDU", "MPNS", "WNS"};

template <size_t N>
bool one_of(const std::string_view (&set)[N], std::string_view v) {
  return std::find(std::begin(set), std::end(set), v) != std::end(set);
}

std::string default_policy(const std::string& arn, const std::string& account) {
  json::object st{{"Sid", "__default_statement_ID"},
                  {"Effect", "Allow"},
                  {"Principal", json::object{{"AWS", "*"}}},
                  {"Action", json::array{"SNS:GetTopicAttributes", "SNS:SetTopicAttributes", "SNS:AddPermission",
                                         "SNS:RemovePermission", "SNS:DeleteTopic", "SNS:Subscribe",
                                         "SNS:ListSubscriptionsByTopic", "SNS:Publish"}},
                  {"Resource", arn},
                  {"Condition", json::object{{"StringEquals", json::object{{"AWS:SourceOwner", account}}}}}};
  return json::serialize(json::object{{"Version", "2008-10-17"}, {"Id", "__default_policy_ID"}, {"Statement", json::array{st}}});
}

constexpr std::string_view kEffectiveDeliveryPolicy =
    R"({"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":20,"maxDelayTarget":20,"numRetries":3,"numMaxDelayRetries":0,"numNoDelayRetries":0,"numMinDelayRetries":0,"backoffFunction":"linear"},"disableSubscriptionOverrides":false,"defaultRequestPolicy":{"headerContentType":"text/plain; charset=UTF-8"}}})";

// A message attribute as published (binary values raw).
struct Attr {
  std::string type, string_value, binary_value;
};
using Attrs = std::map<std::string, Attr>;

// One message to fan out.
struct Outgoing {
  std::string message_id;
  std::string message;                  // the default message
  std::string structure;                // "json": per_protocol holds the parsed Message
  json::object per_protocol;
  std::string subject;
  Attrs attrs;
  std::string group_id, dedup_id, sequence_number;  // FIFO
};

struct Partition {
  std::map<std::string, sns::Topic, std::less<>> topics;
  std::map<std::string, sns::PlatformApplication, std::less<>> apps;
  std::vector<sns::Recorded> recorded;
  std::map<std::string, sns::PendingEffect> outbox;
  sns::Settings settings;
};

const sns::Subscription* find_sub(const sns::Topic& t, std::string_view arn) {
  for (auto& s : t.subscriptions())
    if (s.arn() == arn) return &s;
  return nullptr;
}
sns::Subscription* find_sub(sns::Topic& t, std::string_view arn) {
  for (auto& s : *t.mutable_subscriptions())
    if (s.arn() == arn) return &s;
  return nullptr;
}

std::string topic_attr(const sns::Topic& t, std::string_view n) {
  auto it = t.attributes().find(std::string(n));
  return it == t.attributes().end() ? std::string() : it->second;
}
bool fifo(const sns::Topic& t) { return is_true(topic_attr(t, "FifoTopic")); }
std::string sub_attr(const sns::Subscription& s, std::string_view n) {
  auto it = s.attributes().find(std::string(n));
  return it == s.attributes().end() ? std::string() : it->second;
}

// The dead-letter queue ARN of a subscription's RedrivePolicy; empty when none.
std::string dead_letter_arn(const sns::Subscription& s) {
  std::string p = sub_attr(s, "RedrivePolicy");
  if (p.empty()) return {};
  boost::system::error_code ec;
  json::value v = json::parse(p, ec);
  if (ec || !v.is_object()) return {};
  auto* a = v.as_object().if_contains("deadLetterTargetArn");
  return a && a->is_string() ? std::string(a->as_string()) : std::string();
}

json::object envelope_attributes(const Attrs& attrs) {
  json::object o;
  for (auto& [n, a] : attrs)
    o[n] = json::object{{"Type", a.type},
                        {"Value", a.type.rfind("Binary", 0) == 0 ? protocol::base64_encode(a.binary_value) : a.string_value}};
  return o;
}

// SQS JSON-protocol shape of raw delivery attributes.
json::object sqs_attributes(const Attrs& attrs) {
  json::object o;
  for (auto& [n, a] : attrs) {
    json::object v{{"DataType", a.type}};
    if (a.type.rfind("Binary", 0) == 0) v["BinaryValue"] = protocol::base64_encode(a.binary_value);
    else v["StringValue"] = a.string_value;
    o[n] = std::move(v);
  }
  return o;
}

json::object filter_view(const Attrs& attrs) {
  json::object in;
  for (auto& [n, a] : attrs)
    if (a.type.rfind("Binary", 0) != 0) in[n] = json::object{{"DataType", a.type}, {"StringValue", a.string_value}};
  return sns::attributes_for_filter(in);
}

void to_proto(const Attrs& attrs, google::protobuf::Map<std::string, sns::MessageAttribute>& out) {
  for (auto& [n, a] : attrs) {
    sns::MessageAttribute& m = out[n];
    m.set_data_type(a.type);
    m.set_string_value(a.string_value);
    m.set_binary_value(a.binary_value);
  }
}

std::string base_url(const CallContext& ctx) { return "http://" + (ctx.host.empty() ? std::string("localhost:4566") : ctx.host); }
std::string signing_cert_url(const CallContext& ctx) { return base_url(ctx) + "/_podstack/sns/SimpleNotificationService.pem"; }
// Not an RSA signature (podstack has no AWS key): a stable digest of the
// message, so clients that only check presence work.
std::string signature(std::string_view canonical) { return protocol::base64_encode(hmac_sha256("podstack-sns", canonical)); }

// A page of a list operation; a token podstack did not issue is SNS's
// InvalidParameter, not the generic ValidationException.
Page page_of(const Input& in, std::string_view token_member = "NextToken") {
  try {
    return Page(in, kPageSize, "MaxResults", token_member);
  } catch (ApiError&) {
    throw invalid(std::string(token_member));
  }
}

class SnsService final : public ServiceBase<SnsService> {
 public:
  explicit SnsService(std::string smtp_host) : smtp_host_(std::move(smtp_host)) {}
  std::string_view name() const override { return "sns"; }
  // LocalStack's SNS inspection endpoints: GET lists, DELETE clears (an
  // event); ?accountId=&region= pick the partition, other parameters filter.
  std::vector<Route> routes() const override {
    return {{"/_aws/sns/sms-messages", {{"GET", "__ListSmsMessages"}, {"DELETE", "__ClearSmsMessages"}}, ""},
            {"/_aws/sns/platform-endpoint-messages",
             {{"GET", "__ListPlatformEndpointMessages"}, {"DELETE", "__ClearPlatformEndpointMessages"}}, ""},
            {"/_aws/sns/subscription-tokens/", {{"GET", "__GetSubscriptionToken"}}, "subscription_arn"}};
  }
  const protocol::ServiceModel& model() const override { return *protocol::builtin_model("sns"); }

  static const Table& operations() {
    static const Table t = {
        {"CreateTopic", {true, &SnsService::create_topic}},
        {"DeleteTopic", {true, &SnsService::delete_topic}},
        {"ListTopics", {false, &SnsService::list_topics}},
        {"GetTopicAttributes", {false, &SnsService::get_topic_attributes}},
        {"SetTopicAttributes", {true, &SnsService::set_topic_attributes}},
        {"AddPermission", {true, &SnsService::add_permission}},
        {"RemovePermission", {true, &SnsService::remove_permission}},
        {"GetDataProtectionPolicy", {false, &SnsService::get_data_protection_policy}},
        {"PutDataProtectionPolicy", {true, &SnsService::put_data_protection_policy}},
        {"Subscribe", {true, &SnsService::subscribe}},
        {"ConfirmSubscription", {true, &SnsService::confirm_subscription}},
        {"Unsubscribe", {true, &SnsService::unsubscribe}},
        {"ListSubscriptions", {false, &SnsService::list_subscriptions}},
        {"ListSubscriptionsByTopic", {false, &SnsService::list_subscriptions_by_topic}},
        {"GetSubscriptionAttributes", {false, &SnsService::get_subscription_attributes}},
        {"SetSubscriptionAttributes", {true, &SnsService::set_subscription_attributes}},
        {"Publish", {true, &SnsService::publish}},
        {"PublishBatch", {true, &SnsService::publish_batch}},
        {"TagResource", {true, &SnsService::tag_resource}},
        {"UntagResource", {true, &SnsService::untag_resource}},
        {"ListTagsForResource", {false, &SnsService::list_tags_for_resource}},
        {"CheckIfPhoneNumberIsOptedOut", {false, &SnsService::check_opted_out}},
        {"ListPhoneNumbersOptedOut", {false, &SnsService::list_opted_out}},
        {"OptInPhoneNumber", {true, &SnsService::opt_in}},
        {"GetSMSAttributes", {false, &SnsService::get_sms_attributes}},
        {"SetSMSAttributes", {true, &SnsService::set_sms_attributes}},
        {"CreatePlatformApplication", {true, &SnsService::create_platform_application}},
        {"DeletePlatformApplication", {true, &SnsService::delete_platform_application}},
        {"ListPlatformApplications", {false, &SnsService::list_platform_applications}},
        {"GetPlatformApplicationAttributes", {false, &SnsService::get_platform_application_attributes}},
        {"SetPlatformApplicationAttributes", {true, &SnsService::set_platform_application_attributes}},
        {"CreatePlatformEndpoint", {true, &SnsService::create_platform_endpoint}},
        {"DeleteEndpoint", {true, &SnsService::delete_endpoint}},
        {"ListEndpointsByPlatformApplication", {false, &SnsService::list_endpoints}},
        {"GetEndpointAttributes", {false, &SnsService::get_endpoint_attributes}},
        {"SetEndpointAttributes", {true, &SnsService::set_endpoint_attributes}},
        // Internal (LocalStack's /_aws/sns/... endpoints; never routed from the AWS API).
        {"__ListSmsMessages", {false, &SnsService::list_sms_messages}},
        {"__ClearSmsMessages", {true, &SnsService::clear_sms_messages}},
        {"__ListPlatformEndpointMessages", {false, &SnsService::list_platform_messages}},
        {"__ClearPlatformEndpointMessages", {true, &SnsService::clear_platform_messages}},
        {"__GetSubscriptionToken", {false, &SnsService::get_subscription_token}},
    };
    return t;
  }

  // ---- apply: the only mutation ----
  const google::protobuf::MessageLite* event_prototype() const override { return &sns::Event::default_instance(); }
  void apply(const proto::Event& e) override {
    sns::Event ev;
    if (!ev.ParseFromString(e.payload())) throw std::runtime_error("sns event does not parse");
    Partition& part = parts_.get(ev.account().empty() ? e.account() : ev.account(),
                                 ev.region().empty() ? e.region() : ev.region());
    const int64_t now = e.time_ms();
    auto topic = [&](const std::string& n) -> sns::Topic* {
      auto it = part.topics.find(n);
      return it == part.topics.end() ? nullptr : &it->second;
    };
    auto app = [&](const std::string& n) -> sns::PlatformApplication* {
      auto it = part.apps.find(n);
      return it == part.apps.end() ? nullptr : &it->second;
    };
    auto add_effects = [&](const auto& effects) {
      for (auto& fx : effects) part.outbox[fx.id()] = fx;
    };
    switch (ev.kind_case()) {
      case sns::Event::kTopicCreated:
        part.topics[ev.topic_created().topic().name()] = ev.topic_created().topic();
        break;
      case sns::Event::kTopicDeleted:
        part.topics.erase(ev.topic_deleted().name());
        break;
      case sns::Event::kTopicAttributes:
        if (sns::Topic* t = topic(ev.topic_attributes().name()))
          for (auto& [k, v] : ev.topic_attributes().attributes()) {
            if (v.empty()) t->mutable_attributes()->erase(k);
            else (*t->mutable_attributes())[k] = v;
          }
        break;
      case sns::Event::kTags:
        if (sns::Topic* t = topic(ev.tags().topic())) {
          for (auto& [k, v] : ev.tags().set()) (*t->mutable_tags())[k] = v;
          for (auto& k : ev.tags().removed()) t->mutable_tags()->erase(k);
        }
        break;
      case sns::Event::kSubscribed:
        if (sns::Topic* t = topic(ev.subscribed().topic())) {
          if (sns::Subscription* s = find_sub(*t, ev.subscribed().subscription().arn())) {
            *s = ev.subscribed().subscription();  // a repeated Subscribe of a pending endpoint
          } else {
            auto* subs = t->mutable_subscriptions();
            *subs->Add() = ev.subscribed().subscription();
            std::sort(subs->begin(), subs->end(), [](auto& a, auto& b) { return a.arn() < b.arn(); });
          }
        }
        add_effects(ev.subscribed().effects());
        break;
      case sns::Event::kUnsubscribed:
        if (sns::Topic* t = topic(ev.unsubscribed().topic())) {
          auto* subs = t->mutable_subscriptions();
          for (int i = 0; i < subs->size(); ++i)
            if (subs->Get(i).arn() == ev.unsubscribed().arn()) {
              subs->DeleteSubrange(i, 1);
              t->set_subscriptions_deleted(t->subscriptions_deleted() + 1);
              break;
            }
        }
        break;
      case sns::Event::kConfirmed:
        if (sns::Topic* t = topic(ev.confirmed().topic()))
          if (sns::Subscription* s = find_sub(*t, ev.confirmed().arn())) s->set_pending(false);
        break;
      case sns::Event::kSubscriptionAttributes:
        if (sns::Topic* t = topic(ev.subscription_attributes().topic()))
          if (sns::Subscription* s = find_sub(*t, ev.subscription_attributes().arn()))
            for (auto& [k, v] : ev.subscription_attributes().attributes()) {
              if (v.empty()) s->mutable_attributes()->erase(k);
              else (*s->mutable_attributes())[k] = v;
            }
        break;
      case sns::Event::kPublished: {
        const auto& p = ev.published();
        if (!p.topic().empty())
          if (sns::Topic* t = topic(p.topic())) {
            prune_dedup(*t, now);
            if (p.next_seq()) t->set_next_seq(p.next_seq());
            if (p.dedup_size()) {
              for (auto& dd : p.dedup()) *t->add_dedup() = dd;
              auto* dd = t->mutable_dedup();
              std::sort(dd->begin(), dd->end(), [](auto& a, auto& b) { return a.dedup_id() < b.dedup_id(); });
            }
          }
        for (auto& r : p.recorded()) part.recorded.push_back(r);
        add_effects(p.effects());
        break;
      }
      case sns::Event::kEffectAttempted: {
        const auto& a = ev.effect_attempted();
        auto it = part.outbox.find(a.id());
        if (it == part.outbox.end()) break;
        if (a.done()) {
          part.outbox.erase(it);
        } else {
          it->second.set_attempts(it->second.attempts() + 1);
          it->second.set_not_before_ms(a.retry_at_ms());
        }
        break;
      }
      case sns::Event::kRecordedCleared: {
        const auto& c = ev.recorded_cleared();
        std::erase_if(part.recorded, [&](const sns::Recorded& r) {
          return r.protocol() == c.protocol() && (c.endpoint().empty() || r.endpoint() == c.endpoint());
        });
        break;
      }
      case sns::Event::kSettings:
        for (auto& [k, v] : ev.settings().sms_attributes()) (*part.settings.mutable_sms_attributes())[k] = v;
        for (auto& n : ev.settings().opted_in()) {
          auto* out = part.settings.mutable_opted_out();
          for (int i = 0; i < out->size(); ++i)
            if (out->Get(i) == n) {
              out->DeleteSubrange(i, 1);
              break;
            }
        }
        break;
      case sns::Event::kApplicationCreated:
        part.apps[ev.application_created().application().name()] = ev.application_created().application();
        break;
      case sns::Event::kApplicationDeleted:
        part.apps.erase(ev.application_deleted().name());
        break;
      case sns::Event::kApplicationAttributes:
        if (auto* a = app(ev.application_attributes().name()))
          for (auto& [k, v] : ev.application_attributes().attributes()) (*a->mutable_attributes())[k] = v;
        break;
      case sns::Event::kEndpointCreated:
        if (auto* a = app(ev.endpoint_created().application())) {
          *a->add_endpoints() = ev.endpoint_created().endpoint();
          auto* eps = a->mutable_endpoints();
          std::sort(eps->begin(), eps->end(), [](auto& x, auto& y) { return x.arn() < y.arn(); });
        }
        break;
      case sns::Event::kEndpointDeleted:
        if (auto* a = app(ev.endpoint_deleted().application())) {
          auto* eps = a->mutable_endpoints();
          for (int i = 0; i < eps->size(); ++i)
            if (eps->Get(i).arn() == ev.endpoint_deleted().arn()) {
              eps->DeleteSubrange(i, 1);
              break;
            }
        }
        break;
      case sns::Event::kEndpointAttributes:
        if (auto* a = app(ev.endpoint_attributes().application()))
          for (auto& ep : *a->mutable_endpoints())
            if (ep.arn() == ev.endpoint_attributes().arn())
              for (auto& [k, v] : ev.endpoint_attributes().attributes()) (*ep.mutable_attributes())[k] = v;
        break;
      case sns::Event::KIND_NOT_SET:
        throw std::runtime_error("empty sns event");
    }
  }

  std::string snapshot() const override {
    PartitionWriter w;  // encodes sns::State; items in name order
    for (auto& [key, part] : parts_) {
      w.begin(key.first, key.second);
      for (auto& [n, a] : part.apps) {
        sns::Item it;
        it.set_name("app:" + n);
        *it.mutable_application() = a;
        w.item(it);
      }
      if (!part.outbox.empty()) {
        sns::Item it;
        it.set_name("outbox");
        for (auto& [id, fx] : part.outbox) *it.add_outbox() = fx;
        w.item(it);
      }
      if (!part.recorded.empty()) {
        sns::Item it;
        it.set_name("recorded");
        for (auto& r : part.recorded) *it.add_recorded() = r;
        w.item(it);
      }
      if (part.settings.sms_attributes_size() || part.settings.opted_out_size()) {
        sns::Item it;
        it.set_name("settings");
        *it.mutable_settings() = part.settings;
        w.item(it);
      }
      for (auto& [n, t] : part.topics) {
        sns::Item it;
        it.set_name("topic:" + n);
        *it.mutable_topic() = t;
        w.item(it);
      }
    }
    return w.finish();
  }

  Status restore(std::string_view bytes) override {
    sns::State st;
    if (Status s = parse_snapshot(bytes, st, "sns"); !s) return s;
    parts_.clear();
    for (auto& p : st.partitions()) {
      Partition& part = parts_.get(p.account(), p.region());
      for (auto& it : p.items()) {
        const std::string& n = it.name();
        if (n.rfind("topic:", 0) == 0) part.topics[it.topic().name()] = it.topic();
        else if (n.rfind("app:", 0) == 0) part.apps[it.application().name()] = it.application();
        else if (n == "outbox") for (auto& fx : it.outbox()) part.outbox[fx.id()] = fx;
        else if (n == "recorded") part.recorded.assign(it.recorded().begin(), it.recorded().end());
        else if (n == "settings") part.settings = it.settings();
      }
    }
    return Status::ok();
  }

  Status check_snapshot(std::string_view bytes) const override {
    sns::State st;
    return parse_snapshot(bytes, st, "sns");
  }

  uint64_t resource_count() const override {
    return parts_.count([](const Partition& p) { return p.topics.size() + p.apps.size(); });
  }

  void clear() override { parts_.clear(); }

  std::string summarize(const proto::Event& e) const override {
    sns::Event ev;
    if (!ev.ParseFromString(e.payload())) return "(unreadable)";
    switch (ev.kind_case()) {
      case sns::Event::kTopicCreated: return "topic=" + ev.topic_created().topic().name();
      case sns::Event::kTopicDeleted: return "topic=" + ev.topic_deleted().name();
      case sns::Event::kTopicAttributes: return "topic=" + ev.topic_attributes().name();
      case sns::Event::kTags: return "topic=" + ev.tags().topic();
      case sns::Event::kSubscribed: {
        const auto& s = ev.subscribed().subscription();
        return "topic=" + ev.subscribed().topic() + " " + s.protocol() + "=" + s.endpoint() + (s.pending() ? " pending" : "");
      }
      case sns::Event::kUnsubscribed: return "subscription=" + ev.unsubscribed().arn();
      case sns::Event::kConfirmed: return "subscription=" + ev.confirmed().arn() + " confirmed";
      case sns::Event::kSubscriptionAttributes: return "subscription=" + ev.subscription_attributes().arn();
      case sns::Event::kPublished: {
        const auto& p = ev.published();
        std::string s = (p.topic().empty() ? "direct" : "topic=" + p.topic()) + " messages=" + std::to_string(p.message_ids_size());
        if (p.sqs_deliveries()) s += " sqs=" + std::to_string(p.sqs_deliveries());
        if (p.effects_size()) s += " effects=" + std::to_string(p.effects_size());
        for (auto& r : p.recorded()) s += " " + r.protocol() + "=" + r.endpoint();
        return s;
      }
      case sns::Event::kEffectAttempted: {
        const auto& a = ev.effect_attempted();
        return "effect=" + a.id() + (a.ok() ? " delivered" : " failed") + " (" + a.detail() + ")" +
               (a.done() ? (a.ok() ? "" : a.dead_lettered() ? " dead-lettered" : " given up") : " retry");
      }
      case sns::Event::kRecordedCleared: return "cleared " + ev.recorded_cleared().protocol() + " messages";
      case sns::Event::kSettings: return "sms settings";
      case sns::Event::kApplicationCreated: return "application=" + ev.application_created().application().name();
      case sns::Event::kApplicationDeleted: return "application=" + ev.application_deleted().name();
      case sns::Event::kApplicationAttributes: return "application=" + ev.application_attributes().name();
      case sns::Event::kEndpointCreated: return "endpoint=" + ev.endpoint_created().endpoint().arn();
      case sns::Event::kEndpointDeleted: return "endpoint=" + ev.endpoint_deleted().arn();
      case sns::Event::kEndpointAttributes: return "endpoint=" + ev.endpoint_attributes().arn();
      default: return {};
    }
  }

  // ---- cross-service: deliveries into SNS (S3 notifications, SES events) ----
  void deliver(const std::vector<Delivery>& in, const CallContext& ctx, Decision& out) const override {
    const Partition* p = parts_.find(ctx);
    for (auto& dl : in) {
      if (dl.kind != "publish" || !p) continue;
      auto* arn_v = dl.input.if_contains("TopicArn");
      auto* msg_v = dl.input.if_contains("Message");
      if (!arn_v || !arn_v->is_string() || !msg_v || !msg_v->is_string()) continue;
      auto arn = parse_arn(arn_v->as_string());
      if (!arn) continue;
      auto it = p->topics.find(arn->resource);
      if (it == p->topics.end()) continue;  // the topic is gone: dropped, as AWS drops it
      Outgoing m;
      m.message_id = random_uuid();
      m.message = std::string(msg_v->as_string());
      if (auto* s = dl.input.if_contains("Subject"); s && s->is_string()) m.subject = std::string(s->as_string());
      if (auto* a = dl.input.if_contains("MessageAttributes"); a && a->is_object())
        for (auto& kv : a->as_object()) {
          if (!kv.value().is_object()) continue;
          const auto& o = kv.value().as_object();
          Attr at;
          if (auto* t = o.if_contains("DataType"); t && t->is_string()) at.type = std::string(t->as_string());
          if (auto* s = o.if_contains("StringValue"); s && s->is_string()) at.string_value = std::string(s->as_string());
          if (auto* b = o.if_contains("BinaryValue"); b && b->is_string())
            at.binary_value = protocol::base64_decode(b->as_string()).value_or("");
          if (!at.type.empty()) m.attrs[std::string(kv.key())] = std::move(at);
        }
      const sns::Topic& t = it->second;
      if (fifo(t)) {
        // A FIFO topic needs a group; deliveries from AWS services do not name one.
        m.group_id = "default";
        m.dedup_id = m.message_id;
      }
      sns::Event ev;
      sns::Published* pub = ev.mutable_published();
      pub->set_topic(t.name());
      if (fifo(t)) {
        pub->set_next_seq(t.next_seq() + 1);
        m.sequence_number = sequence_number(t.next_seq() + 1);
      }
      pub->add_message_ids(m.message_id);
      fan_out(t, topic_arn(ctx.region, ctx.account, t.name()), m, ctx, *pub, out);
      out.add(ev);
    }
  }

  // ---- the outbox ----
  void pending_effects(std::vector<Effect>& out) const override {
    for (auto& [key, part] : parts_)
      for (auto& [id, fx] : part.outbox) {
        Effect e;
        e.id = fx.id();
        e.account = key.first;
        e.region = key.second;
        e.kind = fx.kind();
        e.target = fx.target();
        e.body = fx.body();
        for (auto& h : fx.headers()) e.headers.emplace_back(h.name(), h.value());
        e.mail_from = fx.mail_from();
        e.rcpt_to.assign(fx.rcpt_to().begin(), fx.rcpt_to().end());
        e.attempts = fx.attempts();
        e.not_before_ms = fx.not_before_ms();
        out.push_back(std::move(e));
      }
  }

  void effect_attempted(const EffectAttempt& attempt, const CallContext& ctx, Decision& out) const override {
    const Partition* p = parts_.find(ctx);
    if (!p) return;
    auto it = p->outbox.find(attempt.id);
    if (it == p->outbox.end()) return;  // settled meanwhile (state reset)
    const sns::PendingEffect& fx = it->second;
    sns::Event ev;
    sns::EffectAttempted* a = ev.mutable_effect_attempted();
    a->set_id(attempt.id);
    a->set_ok(attempt.ok);
    a->set_status(attempt.status);
    a->set_detail(attempt.detail.substr(0, 200));
    uint32_t attempts = fx.attempts() + 1;
    if (attempt.ok) {
      a->set_done(true);
    } else if (attempts >= kMaxAttempts) {
      a->set_done(true);
      if (!fx.dead_letter_input().empty()) {
        boost::system::error_code ec;
        json::value v = json::parse(fx.dead_letter_input(), ec);
        if (!ec && v.is_object()) {
          out.deliveries.push_back(Delivery{"sqs", "message", fx.dead_letter_account(), fx.dead_letter_region(), v.as_object()});
          a->set_dead_lettered(true);
        }
      }
    } else {
      a->set_retry_at_ms(attempt.finished_ms + kBackoffMs[std::min<size_t>(attempts - 1, std::size(kBackoffMs) - 1)]);
      out.effects = true;
    }
    out.add(ev);
  }

 private:
  // ---- apply helpers ----
  static void prune_dedup(sns::Topic& t, int64_t now) {
    auto* dd = t.mutable_dedup();
    dd->erase(std::remove_if(dd->begin(), dd->end(), [&](const sns::Dedup& d) { return d.expires_ms() <= now; }), dd->end());
  }

  // ---- decide helpers ----
  const Partition* part(const CallContext& ctx) const { return parts_.find(ctx); }

  // The topic a TopicArn names in the caller's partition.
  const sns::Topic* find_topic(const CallContext& ctx, std::string_view arn) const {
    auto a = parse_arn(arn);
    if (!a || a->service != "sns" || a->account != ctx.account || a->region != ctx.region) return nullptr;
    const Partition* p = part(ctx);
    if (!p) return nullptr;
    auto it = p->topics.find(a->resource);
    return it == p->topics.end() ? nullptr : &it->second;
  }
  const sns::Topic& topic_of(const Input& in, const CallContext& ctx, std::string_view member = "TopicArn") const {
    std::string_view arn = in.str(member);
    auto a = parse_arn(arn);
    if (!a)
      throw invalid(std::string(member) + " Reason: An ARN must have at least 6 elements, not " +
                    std::to_string(std::count(arn.begin(), arn.end(), ':') + 1));
    if (a->service != "sns" || a->resource.empty() || a->resource.find(':') != std::string::npos)
      throw invalid(std::string(member));
    const sns::Topic* t = find_topic(ctx, arn);
    if (!t) throw no_topic();
    return *t;
  }
  // Subscription ARN = topic ARN + ":" + id.
  std::pair<const sns::Topic*, const sns::Subscription*> find_subscription(const CallContext& ctx, std::string_view arn) const {
    auto a = parse_arn(arn);
    if (!a || a->service != "sns") return {nullptr, nullptr};
    size_t c = a->resource.rfind(':');
    if (c == std::string::npos) return {nullptr, nullptr};
    // Only in ctx's partition (find_topic checks): the events apply there.
    const sns::Topic* t = find_topic(ctx, topic_arn(a->region, a->account, a->resource.substr(0, c)));
    if (!t) return {nullptr, nullptr};
    return {t, find_sub(*t, arn)};
  }
  std::pair<const sns::Topic*, const sns::Subscription*> subscription_of(const Input& in, const CallContext& ctx) const {
    std::string_view arn = in.str("SubscriptionArn");
    auto a = parse_arn(arn);
    if (!a || a->service != "sns" || a->resource.find(':') == std::string::npos)
      throw invalid("SubscriptionArn Reason: An ARN must have at least 6 elements, not " +
                    std::to_string(std::count(arn.begin(), arn.end(), ':') + 1));
    auto r = find_subscription(ctx, arn);
    if (!r.second) throw not_found("Subscription does not exist");
    return r;
  }

  std::string topic_arn_of(const CallContext& ctx, const sns::Topic& t) const { return topic_arn(ctx.region, ctx.account, t.name()); }

  // ---- topics ----
  std::map<std::string, std::string> check_topic_attributes(const json::object* attrs, bool creating, bool is_fifo) const {
    std::map<std::string, std::string> out;
    if (!attrs) return out;
    for (auto& kv : *attrs) {
      std::string n(kv.key());
      std::string v = kv.value().is_string() ? std::string(kv.value().as_string()) : json::serialize(kv.value());
      check_topic_attribute(n, v, creating, is_fifo);
      out[n] = v;
    }
    return out;
  }
  void check_topic_attribute(const std::string& n, std::string& v, bool creating, bool is_fifo) const {
    if (!one_of(kTopicAttrs, n)) throw invalid("AttributeName");
    if (n == "FifoTopic") {
      if (!creating) throw invalid("AttributeName");
      if (!is_bool(v)) throw invalid("FifoTopic Reason: FifoTopic must be true or false");
      v = is_true(v) ? "true" : "false";
    } else if (n == "ContentBasedDeduplication") {
      if (!is_fifo) throw invalid("ContentBasedDeduplication Reason: Content-based deduplication can only be set for FIFO topics");
      if (!is_bool(v)) throw invalid("ContentBasedDeduplication Reason: ContentBasedDeduplication must be true or false");
      v = is_true(v) ? "true" : "false";
    } else if ((n == "Policy" || n == "DeliveryPolicy" || n == "DataProtectionPolicy") && !v.empty()) {
      boost::system::error_code ec;
      json::value pv = json::parse(v, ec);
      if (ec || !pv.is_object()) throw invalid(n + ": failed to parse JSON");
    } else if (n == "DisplayName" && v.size() > 100) {
      throw invalid("DisplayName");
    } else if (n == "SignatureVersion" && v != "1" && v != "2") {
      throw invalid("SignatureVersion");
    }
  }

  static std::vector<std::pair<std::string, std::string>> read_tags(const Input& in, std::string_view member) {
    std::vector<std::pair<std::string, std::string>> out;
    if (const json::array* tags = in.array(member))
      for (auto& t : *tags) {
        if (!t.is_object()) continue;
        auto* k = t.as_object().if_contains("Key");
        auto* v = t.as_object().if_contains("Value");
        out.emplace_back(k && k->is_string() ? std::string(k->as_string()) : "",
                         v && v->is_string() ? std::string(v->as_string()) : "");
      }
    return out;
  }

  void create_topic(const Input& in, const CallContext& ctx, Decision& d) const {
    std::string name(in.str("Name"));
    const json::object* attrs = in.object("Attributes");
    bool fifo_attr = false;
    if (attrs)
      if (auto* f = attrs->if_contains("FifoTopic"); f && f->is_string()) fifo_attr = is_true(f->as_string());
    bool fifo_name = ends_with(name, ".fifo");
    if (!valid_topic_name(name) || (fifo_name && !fifo_attr))
      throw invalid(fifo_name || fifo_attr
                        ? "Fifo Topic names must end with .fifo and must be made up of only uppercase and lowercase ASCII letters, numbers, underscores, and hyphens, and must be between 1 and 256 characters long."
                        : "Topic Name");
    if (fifo_attr && !fifo_name)
      throw invalid("Fifo Topic names must end with .fifo and must be made up of only uppercase and lowercase ASCII letters, numbers, underscores, and hyphens, and must be between 1 and 256 characters long.");
    auto checked = check_topic_attributes(attrs, true, fifo_attr);
    if (auto it = checked.find("FifoTopic"); it != checked.end() && it->second == "false") checked.erase(it);
    if (auto dpp = in.opt_str("DataProtectionPolicy"); dpp && !dpp->empty()) {
      std::string v(*dpp);
      check_topic_attribute("DataProtectionPolicy", v, true, fifo_attr);
      checked["DataProtectionPolicy"] = v;
    }
    auto tags = read_tags(in, "Tags");
    if (tags.size() > kMaxTags) throw ApiError::bad_request("TagLimitExceeded", "Could not complete request: tag quota of per resource exceeded");
    std::string arn = topic_arn(ctx.region, ctx.account, name);
    if (const Partition* p = part(ctx))
      if (auto it = p->topics.find(name); it != p->topics.end()) {
        // Idempotent when the given attributes and tags equal the topic's.
        for (auto& [k, v] : checked)
          if (topic_attr(it->second, k) != v) throw invalid("Attributes Reason: Topic already exists with different attributes");
        for (auto& [k, v] : tags) {
          auto t = it->second.tags().find(k);
          if (t == it->second.tags().end() || t->second != v) throw invalid("Tags Reason: Topic already exists with different tags");
        }
        d.output = json::object{{"TopicArn", arn}};
        return;
      }
    sns::Event ev;
    sns::Topic* t = ev.mutable_topic_created()->mutable_topic();
    t->set_name(name);
    for (auto& [k, v] : checked) (*t->mutable_attributes())[k] = v;
    for (auto& [k, v] : tags) (*t->mutable_tags())[k] = v;
    t->set_created_ms(ctx.now_ms);
    d.add(ev);
    d.output = json::object{{"TopicArn", arn}};
  }

  // AWS: "deleting a topic that does not exist does not result in an error".
  void delete_topic(const Input& in, const CallContext& ctx, Decision& d) const {
    const sns::Topic* found = nullptr;
    try {
      found = &topic_of(in, ctx);
    } catch (ApiError& e) {
      if (e.code == "NotFound") return;
      throw;
    }
    const sns::Topic& t = *found;
    sns::Event ev;
    ev.mutable_topic_deleted()->set_name(t.name());
    d.add(ev);
  }

  void list_topics(const Input& in, const CallContext& ctx, Decision& d) const {
    Page page = page_of(in);
    json::array topics;
    if (const Partition* p = part(ctx))
      for (auto it = p->topics.upper_bound(page.after()); it != p->topics.end(); ++it) {
        if (page.full(topics.size(), it->first)) break;
        topics.push_back(json::object{{"TopicArn", topic_arn_of(ctx, it->second)}});
      }
    json::object out{{"Topics", std::move(topics)}};
    page.emit(out);
    d.output = std::move(out);
  }

  json::object topic_attributes(const CallContext& ctx, const sns::Topic& t) const {
    std::string arn = topic_arn_of(ctx, t);
    json::object a;
    int64_t confirmed = 0, pending = 0;
    for (auto& s : t.subscriptions()) (s.pending() ? pending : confirmed)++;
    a["Policy"] = default_policy(arn, ctx.account);
    a["Owner"] = ctx.account;
    a["TopicArn"] = arn;
    a["DisplayName"] = "";
    a["SubscriptionsConfirmed"] = std::to_string(confirmed);
    a["SubscriptionsPending"] = std::to_string(pending);
    a["SubscriptionsDeleted"] = std::to_string(t.subscriptions_deleted());
    a["EffectiveDeliveryPolicy"] = kEffectiveDeliveryPolicy;
    if (fifo(t)) {
      a["FifoTopic"] = "true";
      a["ContentBasedDeduplication"] = "false";
    }
    for (auto& [k, v] : t.attributes()) {
      if (k == "DataProtectionPolicy") continue;  // GetDataProtectionPolicy
      a[k] = v;
    }
    return a;
  }

  void get_topic_attributes(const Input& in, const CallContext& ctx, Decision& d) const {
    d.output = json::object{{"Attributes", topic_attributes(ctx, topic_of(in, ctx))}};
  }

  void set_topic_attributes(const Input& in, const CallContext& ctx, Decision& d) const {
    const sns::Topic& t = topic_of(in, ctx);
    std::string n(in.str("AttributeName"));
    std::string v = in.str_or("AttributeValue", "");
    check_topic_attribute(n, v, false, fifo(t));
    sns::Event ev;
    ev.mutable_topic_attributes()->set_name(t.name());
    (*ev.mutable_topic_attributes()->mutable_attributes())[n] = v;
    d.add(ev);
  }

  json::object policy_of(const CallContext& ctx, const sns::Topic& t) const {
    std::string p = topic_attr(t, "Policy");
    if (p.empty()) p = default_policy(topic_arn_of(ctx, t), ctx.account);
    boost::system::error_code ec;
    json::value v = json::parse(p, ec);
    if (ec || !v.is_object()) return json::parse(default_policy(topic_arn_of(ctx, t), ctx.account)).as_object();
    if (!v.as_object().contains("Statement") || !v.at("Statement").is_array()) v.as_object()["Statement"] = json::array();
    return v.as_object();
  }

  void add_permission(const Input& in, const CallContext& ctx, Decision& d) const {
    const sns::Topic& t = topic_of(in, ctx);
    std::string label(in.str("Label"));
    json::object policy = policy_of(ctx, t);
    json::array& sts = policy["Statement"].as_array();
    for (auto& s : sts)
      if (s.is_object() && s.as_object().contains("Sid") && s.at("Sid") == json::value(label))
        throw invalid("Statement already exists");
    json::array principals, actions;
    if (auto* a = in.array("AWSAccountId"))
      for (auto& x : *a) principals.push_back(json::string("arn:aws:iam::" + std::string(x.as_string()) + ":root"));
    if (auto* a = in.array("ActionName"))
      for (auto& x : *a) actions.push_back(json::string("SNS:" + std::string(x.as_string())));
    sts.push_back(json::object{{"Sid", label},
                               {"Effect", "Allow"},
                               {"Principal", json::object{{"AWS", std::move(principals)}}},
                               {"Action", std::move(actions)},
                               {"Resource", topic_arn_of(ctx, t)}});
    sns::Event ev;
    ev.mutable_topic_attributes()->set_name(t.name());
    (*ev.mutable_topic_attributes()->mutable_attributes())["Policy"] = json::serialize(policy);
    d.add(ev);
  }

  void remove_permission(const Input& in, const CallContext& ctx, Decision& d) const {
    const sns::Topic& t = topic_of(in, ctx);
    std::string label(in.str("Label"));
    json::object policy = policy_of(ctx, t);
    json::array& sts = policy["Statement"].as_array();
    auto before = sts.size();
    sts.erase(std::remove_if(sts.begin(), sts.end(),
                             [&](const json::value& s) {
                               return s.is_object() && s.as_object().contains("Sid") && s.at("Sid") == json::value(label);
                             }),
              sts.end());
    if (sts.size() == before) return;
    sns::Event ev;
    ev.mutable_topic_attributes()->set_name(t.name());
    (*ev.mutable_topic_attributes()->mutable_attributes())["Policy"] = json::serialize(policy);
    d.add(ev);
  }

  void get_data_protection_policy(const Input& in, const CallContext& ctx, Decision& d) const {
    const sns::Topic& t = topic_of(in, ctx, "ResourceArn");
    json::object out;
    std::string p = topic_attr(t, "DataProtectionPolicy");
    if (!p.empty()) out["DataProtectionPolicy"] = p;
    d.output = std::move(out);
  }

  void put_data_protection_policy(const Input& in, const CallContext& ctx, Decision& d) const {
    const sns::Topic& t = topic_of(in, ctx, "ResourceArn");
    std::string v(in.str("DataProtectionPolicy"));
    check_topic_attribute("DataProtectionPolicy", v, false, fifo(t));
    sns::Event ev;
    ev.mutable_topic_attributes()->set_name(t.name());
    (*ev.mutable_topic_attributes()->mutable_attributes())["DataProtectionPolicy"] = v;
    d.add(ev);
  }

  // ---- subscriptions ----
  // Validates one subscription attribute; `prefix` is "Attributes Reason: "
  // at Subscribe, empty at SetSubscriptionAttributes (AWS's two wordings).
  void check_subscription_attribute(const std::string& n, std::string& v, std::string_view protocol, std::string_view prefix,
                                    const std::string& scope_for_policy) const {
    std::string p(prefix);
    if (!one_of(kSubscriptionAttrs, n)) throw invalid(p.empty() ? "AttributeName" : p + "Unknown attribute " + n);
    if (n == "RawMessageDelivery") {
      if (!is_bool(v)) throw invalid(p + "RawMessageDelivery: Invalid value [" + v + "]. Must be true or false.");
      if (protocol != "sqs" && protocol != "http" && protocol != "https" && protocol != "firehose")
        throw invalid(p + "Delivery protocol [" + std::string(protocol) + "] does not support raw message delivery.");
      v = is_true(v) ? "true" : "false";
    } else if (n == "FilterPolicyScope") {
      if (v != "MessageAttributes" && v != "MessageBody")
        throw invalid(p + "FilterPolicyScope: Invalid value [" + v + "]. Please use either MessageBody or MessageAttributes");
    } else if (n == "FilterPolicy" && !v.empty()) {
      auto scope = scope_for_policy == "MessageBody" ? sns::FilterScope::kMessageBody : sns::FilterScope::kMessageAttributes;
      if (auto why = sns::validate_filter_policy(v, scope)) throw invalid(p + *why);
    } else if (n == "RedrivePolicy" && !v.empty()) {
      boost::system::error_code ec;
      json::value rv = json::parse(v, ec);
      if (ec || !rv.is_object()) throw invalid(p + "RedrivePolicy: Redrive policy is not a valid JSON map.");
      auto* dl = rv.as_object().if_contains("deadLetterTargetArn");
      if (!dl || !dl->is_string()) throw invalid(p + "RedrivePolicy: deadLetterTargetArn is missing");
      auto a = parse_arn(dl->as_string());
      if (!a || a->service != "sqs" || a->resource.empty())
        throw invalid(p + "RedrivePolicy: deadLetterTargetArn is an invalid arn");
    } else if (n == "DeliveryPolicy" && !v.empty()) {
      boost::system::error_code ec;
      json::value dv = json::parse(v, ec);
      if (ec || !dv.is_object()) throw invalid(p + "DeliveryPolicy: failed to parse JSON");
    }
  }

  void check_endpoint(std::string_view protocol, std::string_view endpoint) const {
    if (protocol == "http" || protocol == "https") {
      if (endpoint.rfind(std::string(protocol) + "://", 0) != 0) throw invalid("Endpoint must match the specified protocol");
    } else if (protocol == "sqs") {
      auto a = parse_arn(endpoint);
      if (!a || a->service != "sqs" || a->resource.empty()) throw invalid("SQS endpoint ARN");
    } else if (protocol == "sms") {
      if (!valid_phone(endpoint)) throw invalid("SMS endpoint ARN");
    } else if (protocol == "email" || protocol == "email-json") {
      if (endpoint.find('@') == std::string_view::npos) throw invalid("Email address");
    } else if (protocol == "lambda" || protocol == "application" || protocol == "firehose") {
      auto a = parse_arn(endpoint);
      if (!a) throw invalid(std::string(protocol) == "lambda" ? "Lambda endpoint ARN" : "Endpoint ARN");
    }
  }

  void subscribe(const Input& in, const CallContext& ctx, Decision& d) const {
    const sns::Topic& t = topic_of(in, ctx);
    std::string protocol(in.str("Protocol"));
    std::string endpoint = in.str_or("Endpoint", "");
    if (!one_of(kProtocols, protocol)) throw invalid("Amazon SNS does not support this protocol string: " + protocol);
    check_endpoint(protocol, endpoint);
    if (fifo(t) && protocol != "sqs" && protocol != "firehose")
      throw invalid("Invalid protocol type: " + protocol + " for a FIFO topic");
    std::map<std::string, std::string> attrs;
    if (const json::object* a = in.object("Attributes")) {
      std::string scope = "MessageAttributes";
      if (auto* s = a->if_contains("FilterPolicyScope"); s && s->is_string()) scope = std::string(s->as_string());
      for (auto& kv : *a) {
        std::string n(kv.key());
        std::string v = kv.value().is_string() ? std::string(kv.value().as_string()) : json::serialize(kv.value());
        check_subscription_attribute(n, v, protocol, "Attributes Reason: ", scope);
        attrs[n] = v;
      }
    }
    bool return_arn = in.flag("ReturnSubscriptionArn");
    std::string arn_topic = topic_arn_of(ctx, t);
    for (auto& s : t.subscriptions())
      if (s.protocol() == protocol && s.endpoint() == endpoint) {
        // Idempotent: the same endpoint subscribes once; different attributes are an error.
        for (auto& [k, v] : attrs)
          if (sub_attr(s, k) != v) throw invalid("Attributes Reason: Subscription already exists with different attributes");
        if (s.pending()) {
          // AWS sends the confirmation again (same token) to an endpoint still pending.
          sns::Event ev;
          ev.mutable_subscribed()->set_topic(t.name());
          *ev.mutable_subscribed()->mutable_subscription() = s;
          *ev.mutable_subscribed()->add_effects() = confirmation_effect(ctx, arn_topic, s);
          d.add(ev);
          d.effects = true;
        }
        d.output = json::object{{"SubscriptionArn", s.pending() && !return_arn ? "pending confirmation" : s.arn()}};
        return;
      }
    sns::Event ev;
    sns::Subscribed* sub = ev.mutable_subscribed();
    sub->set_topic(t.name());
    sns::Subscription* s = sub->mutable_subscription();
    s->set_arn(arn_topic + ":" + random_uuid());
    s->set_protocol(protocol);
    s->set_endpoint(endpoint);
    s->set_owner(ctx.account);
    for (auto& [k, v] : attrs) (*s->mutable_attributes())[k] = v;
    s->set_created_ms(ctx.now_ms);
    bool confirm = protocol == "http" || protocol == "https";
    if (confirm) {
      s->set_pending(true);
      s->set_token(token_chars(128));
      *sub->add_effects() = confirmation_effect(ctx, arn_topic, *s);
      d.effects = true;
    }
    d.add(ev);
    d.output = json::object{{"SubscriptionArn", confirm && !return_arn ? "pending confirmation" : s->arn()}};
  }

  sns::PendingEffect confirmation_effect(const CallContext& ctx, const std::string& arn_topic, const sns::Subscription& s) const {
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
    sns::PendingEffect fx;
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

  static void add_http_headers(sns::PendingEffect& fx, std::string_view type, const std::string& id, const std::string& arn_topic,
                               const std::string& sub_arn, bool raw) {
    auto h = [&](std::string n, std::string v) {
      sns::Header* x = fx.add_headers();
      x->set_name(std::move(n));
      x->set_value(std::move(v));
    };
    h("x-amz-sns-message-type", std::string(type));
    h("x-amz-sns-message-id", id);
    h("x-amz-sns-topic-arn", arn_topic);
    if (!sub_arn.empty()) h("x-amz-sns-subscription-arn", sub_arn);
    if (raw) h("x-amz-sns-rawdelivery", "true");
    h("Content-Type", "text/plain; charset=UTF-8");
  }

  // ConfirmSubscription and Unsubscribe also arrive as plain GETs of the URLs
  // in our messages (no credential scope): they act on the partition their
  // ARN names, recorded in the event.
  static CallContext arn_context(const CallContext& ctx, std::string_view arn) {
    CallContext at = ctx;
    if (auto a = parse_arn(arn); a && !a->account.empty() && !a->region.empty()) {
      at.account = a->account;
      at.region = a->region;
    }
    return at;
  }
  static void set_partition(sns::Event& ev, const CallContext& ctx, const CallContext& at) {
    if (at.account != ctx.account || at.region != ctx.region) {
      ev.set_account(at.account);
      ev.set_region(at.region);
    }
  }

  void confirm_subscription(const Input& in, const CallContext& ctx, Decision& d) const {
    CallContext at = arn_context(ctx, in.str("TopicArn"));
    const sns::Topic& t = topic_of(in, at);
    std::string token(in.str("Token"));
    for (auto& s : t.subscriptions()) {
      if (s.token().empty() || s.token() != token) continue;
      if (s.pending()) {
        sns::Event ev;
        ev.mutable_confirmed()->set_topic(t.name());
        ev.mutable_confirmed()->set_arn(s.arn());
        set_partition(ev, ctx, at);
        d.add(ev);
      }
      d.output = json::object{{"SubscriptionArn", s.arn()}};
      return;
    }
    throw invalid("Token");
  }

  void unsubscribe(const Input& in, const CallContext& ctx, Decision& d) const {
    CallContext at = arn_context(ctx, in.str("SubscriptionArn"));
    auto [t, s] = subscription_of(in, at);
    sns::Event ev;
    ev.mutable_unsubscribed()->set_topic(t->name());
    ev.mutable_unsubscribed()->set_arn(s->arn());
    set_partition(ev, ctx, at);
    d.add(ev);
  }

  json::object subscription_summary(const CallContext& ctx, const sns::Topic& t, const sns::Subscription& s) const {
    return json::object{{"SubscriptionArn", s.pending() ? "PendingConfirmation" : s.arn()},
                        {"Owner", s.owner()},
                        {"Protocol", s.protocol()},
                        {"Endpoint", s.endpoint()},
                        {"TopicArn", topic_arn_of(ctx, t)}};
  }

  void list_subscriptions(const Input& in, const CallContext& ctx, Decision& d) const {
    std::map<std::string, std::pair<const sns::Topic*, const sns::Subscription*>> all;
    if (const Partition* p = part(ctx))
      for (auto& [n, t] : p->topics)
        for (auto& s : t.subscriptions()) all[s.arn()] = {&t, &s};
    Page page = page_of(in);
    json::array subs;
    for (auto it = all.upper_bound(page.after()); it != all.end(); ++it) {
      if (page.full(subs.size(), it->first)) break;
      subs.push_back(subscription_summary(ctx, *it->second.first, *it->second.second));
    }
    json::object out{{"Subscriptions", std::move(subs)}};
    page.emit(out);
    d.output = std::move(out);
  }

  void list_subscriptions_by_topic(const Input& in, const CallContext& ctx, Decision& d) const {
    const sns::Topic& t = topic_of(in, ctx);
    Page page = page_of(in);
    json::array subs;
    for (auto& s : t.subscriptions()) {  // sorted by arn
      if (s.arn() <= page.after()) continue;
      if (page.full(subs.size(), s.arn())) break;
      subs.push_back(subscription_summary(ctx, t, s));
    }
    json::object out{{"Subscriptions", std::move(subs)}};
    page.emit(out);
    d.output = std::move(out);
  }

  void get_subscription_attributes(const Input& in, const CallContext& ctx, Decision& d) const {
    auto [t, s] = subscription_of(in, ctx);
    json::object a;
    a["SubscriptionArn"] = s->arn();
    a["TopicArn"] = topic_arn_of(ctx, *t);
    a["Owner"] = s->owner();
    a["Protocol"] = s->protocol();
    a["Endpoint"] = s->endpoint();
    a["ConfirmationWasAuthenticated"] = s->pending() ? "false" : "true";
    a["PendingConfirmation"] = s->pending() ? "true" : "false";
    a["RawMessageDelivery"] = "false";
    a["SubscriptionPrincipal"] = "arn:aws:iam::" + ctx.account + ":user/podstack";
    if (s->protocol() == "http" || s->protocol() == "https") a["EffectiveDeliveryPolicy"] = kEffectiveDeliveryPolicy;
    for (auto& [k, v] : s->attributes()) a[k] = v;
    if (s->attributes().count("FilterPolicy") && !s->attributes().count("FilterPolicyScope"))
      a["FilterPolicyScope"] = "MessageAttributes";
    d.output = json::object{{"Attributes", std::move(a)}};
  }

  void set_subscription_attributes(const Input& in, const CallContext& ctx, Decision& d) const {
    auto [t, s] = subscription_of(in, ctx);
    std::string n(in.str("AttributeName"));
    std::string v = in.str_or("AttributeValue", "");
    std::string scope = n == "FilterPolicyScope" ? v : sub_attr(*s, "FilterPolicyScope");
    check_subscription_attribute(n, v, s->protocol(), "", scope.empty() ? "MessageAttributes" : scope);
    if (n == "FilterPolicyScope" && !sub_attr(*s, "FilterPolicy").empty()) {
      auto sc = v == "MessageBody" ? sns::FilterScope::kMessageBody : sns::FilterScope::kMessageAttributes;
      if (auto why = sns::validate_filter_policy(sub_attr(*s, "FilterPolicy"), sc)) throw invalid(*why);
    }
    sns::Event ev;
    auto* e = ev.mutable_subscription_attributes();
    e->set_topic(t->name());
    e->set_arn(s->arn());
    (*e->mutable_attributes())[n] = v;
    d.add(ev);
  }

  // ---- publish ----
  // Validates and reads MessageAttributes (the input shape; binary values raw).
  static Attrs read_attributes(const json::object* in) {
    Attrs out;
    if (!in) return out;
    if (in->size() > kMaxMessageAttributes)
      throw invalid("MessageAttributes Reason: Number of message attributes [" + std::to_string(in->size()) +
                    "] exceeds the allowed maximum [10].");
    for (auto& kv : *in) {
      std::string name(kv.key());
      // AWS. and Amazon. are reserved, except SNS's own (AWS.SNS.SMS.SMSType, AWS.MM.SMS.OriginationNumber, ...).
      bool reserved = (name.rfind("AWS.", 0) == 0 && name.rfind("AWS.SNS.", 0) != 0 && name.rfind("AWS.MM.", 0) != 0) ||
                      name.rfind("Amazon.", 0) == 0;
      bool name_ok = !name.empty() && name.size() <= 256 && !reserved &&
                     name.front() != '.' && name.back() != '.' && name.find("..") == std::string::npos &&
                     std::all_of(name.begin(), name.end(), [](char c) {
                       return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
                     });
      if (!name_ok) throw invalid("MessageAttributes Reason: Message attribute name '" + name + "' is invalid.");
      if (!kv.value().is_object()) throw invalid("The message attribute '" + name + "' is invalid.");
      const auto& o = kv.value().as_object();
      auto str = [&](std::string_view k) -> std::optional<std::string> {
        auto* x = o.if_contains(k);
        if (!x || !x->is_string()) return std::nullopt;
        return std::string(x->as_string());
      };
      Attr a;
      a.type = str("DataType").value_or("");
      std::string base = a.type.substr(0, a.type.find('.'));
      if (a.type.empty() || (base != "String" && base != "Number" && base != "Binary"))
        throw invalid("The message attribute '" + name +
                      "' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.");
      if (base == "Binary") {
        auto b = str("BinaryValue");
        if (!b) throw invalid("The message attribute '" + name + "' with type 'Binary' must use field 'Binary'.");
        a.binary_value = *b;
      } else {
        auto s = str("StringValue");
        if (!s || s->empty())
          throw invalid("The message attribute '" + name + "' must contain non-empty message attribute value for message attribute type '" +
                        base + "'.");
        a.string_value = *s;
        if (base == "Number") {
          char* end = nullptr;
          std::strtod(s->c_str(), &end);
          if (!end || *end) throw invalid("Could not cast message attribute '" + name + "' value to number.");
        }
        if (a.type == "String.Array") {
          boost::system::error_code ec;
          json::value arr = json::parse(*s, ec);
          if (ec || !arr.is_array())
            throw invalid("The message attribute '" + name + "' with type 'String.Array' has an invalid value: '" + *s +
                          "'. The value must be a valid JSON array.");
        }
      }
      out[name] = std::move(a);
    }
    return out;
  }

  // Validates Message/Subject/MessageStructure/MessageAttributes of one
  // Publish (or batch entry) into `m` (no ids yet).
  static Outgoing read_message(const Input& in) {
    Outgoing m;
    m.message = std::string(in.str("Message"));
    if (m.message.empty()) throw invalid("Empty message");
    m.subject = in.str_or("Subject", "");
    if (in.has("Subject")) {
      bool ok = !m.subject.empty() && m.subject.size() < 100 &&
                std::all_of(m.subject.begin(), m.subject.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
      if (!ok) throw invalid("Subject");
    }
    m.structure = in.str_or("MessageStructure", "");
    if (!m.structure.empty()) {
      if (m.structure != "json") throw invalid("MessageStructure");
      boost::system::error_code ec;
      json::value v = json::parse(m.message, ec);
      if (ec || !v.is_object()) throw invalid("Message Structure - JSON message body failed to parse");
      auto* def = v.as_object().if_contains("default");
      if (!def || !def->is_string()) throw invalid("Message Structure - No default entry in JSON message body");
      m.per_protocol = std::move(v.as_object());
    }
    m.attrs = read_attributes(in.object("MessageAttributes"));
    size_t size = m.message.size();
    for (auto& [n, a] : m.attrs) size += n.size() + a.type.size() + a.string_value.size() + a.binary_value.size();
    if (static_cast<int64_t>(size) > kMaxMessageSize)
      throw invalid("Message too long");
    return m;
  }

  // FIFO fields of one message for topic `t`; returns the dedup entry that
  // hides it, if any (`batch`: dedup ids taken earlier in the same batch).
  const sns::Dedup* read_fifo(const sns::Topic& t, const Input& in, Outgoing& m, const CallContext& ctx,
                              std::map<std::string, sns::Dedup>& batch) const {
    std::string group = in.str_or("MessageGroupId", "");
    std::string dedup = in.str_or("MessageDeduplicationId", "");
    if (!fifo(t)) {
      if (in.has("MessageDeduplicationId"))
        throw invalid("MessageDeduplicationId Reason: The request includes MessageDeduplicationId parameter that is not valid for this topic type");
      if (in.has("MessageGroupId"))
        throw invalid("MessageGroupId Reason: The request includes MessageGroupId parameter that is not valid for this topic type");
      return nullptr;
    }
    if (group.empty()) throw invalid("The MessageGroupId parameter is required for FIFO topics");
    if (dedup.empty()) {
      if (!is_true(topic_attr(t, "ContentBasedDeduplication")))
        throw invalid("The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly");
      dedup = sha256_hex(m.message);
    }
    for (auto* s : {&group, &dedup}) {
      bool ok = s->size() <= 128 && std::all_of(s->begin(), s->end(), [](char c) { return c >= 0x21 && c <= 0x7e; });
      if (!ok) throw invalid(std::string(s == &group ? "MessageGroupId" : "MessageDeduplicationId") + " Reason: " + *s + " is not valid");
    }
    m.group_id = group;
    m.dedup_id = dedup;
    if (auto it = batch.find(dedup); it != batch.end()) return &it->second;
    for (auto& dd : t.dedup())
      if (dd.dedup_id() == dedup && dd.expires_ms() > ctx.now_ms) return &dd;
    return nullptr;
  }

  void publish(const Input& in, const CallContext& ctx, Decision& d) const {
    int targets = in.has("TopicArn") + in.has("TargetArn") + in.has("PhoneNumber");
    if (targets == 0) throw invalid("TopicArn or TargetArn Reason: no value for required parameter");
    if (targets > 1)
      throw invalid("TopicArn Reason: Only one of TopicArn, TargetArn or PhoneNumber can be specified");
    Outgoing m = read_message(in);
    if (auto phone = in.opt_str("PhoneNumber")) return publish_sms(std::string(*phone), in, std::move(m), ctx, d);
    std::string arn(in.has("TopicArn") ? in.str("TopicArn") : in.str("TargetArn"));
    if (arn.find(":endpoint/") != std::string::npos) return publish_endpoint(arn, in, std::move(m), ctx, d);
    const sns::Topic& t = topic_of(in, ctx, in.has("TopicArn") ? "TopicArn" : "TargetArn");
    std::map<std::string, sns::Dedup> batch;
    if (const sns::Dedup* dup = read_fifo(t, in, m, ctx, batch)) {
      // Deduplicated: accepted with the original's ids, delivered once.
      d.output = json::object{{"MessageId", dup->message_id()}, {"SequenceNumber", dup->sequence_number()}};
      return;
    }
    sns::Event ev;
    sns::Published* pub = ev.mutable_published();
    pub->set_topic(t.name());
    m.message_id = random_uuid();
    json::object out{{"MessageId", m.message_id}};
    if (fifo(t)) {
      uint64_t seq = t.next_seq() + 1;
      m.sequence_number = sequence_number(seq);
      pub->set_next_seq(seq);
      sns::Dedup* dd = pub->add_dedup();
      dd->set_dedup_id(m.dedup_id);
      dd->set_message_id(m.message_id);
      dd->set_sequence_number(m.sequence_number);
      dd->set_expires_ms(ctx.now_ms + kDedupWindowMs);
      out["SequenceNumber"] = m.sequence_number;
    }
    pub->add_message_ids(m.message_id);
    fan_out(t, topic_arn_of(ctx, t), m, ctx, *pub, d);
    d.add(ev);
    d.output = std::move(out);
  }

  void publish_sms(const std::string& phone, const Input& in, Outgoing m, const CallContext& ctx, Decision& d) const {
    if (!valid_phone(phone)) throw invalid("PhoneNumber Reason: " + phone + " is not valid to publish to");
    m.message_id = random_uuid();
    sns::Event ev;
    sns::Published* pub = ev.mutable_published();
    pub->add_message_ids(m.message_id);
    record(*pub, "sms", phone, m, "", "", ctx);
    d.add(ev);
    d.output = json::object{{"MessageId", m.message_id}};
  }

  const sns::Endpoint* find_endpoint(const CallContext& ctx, std::string_view arn, const sns::PlatformApplication** app_out) const {
    // arn:aws:sns:REGION:ACCOUNT:endpoint/PLATFORM/APP/ID
    auto a = parse_arn(arn);
    const Partition* p = part(ctx);
    if (!a || !p || a->account != ctx.account || a->region != ctx.region) return nullptr;
    size_t s1 = a->resource.find('/'), s2 = s1 == std::string::npos ? s1 : a->resource.find('/', s1 + 1);
    size_t s3 = s2 == std::string::npos ? s2 : a->resource.find('/', s2 + 1);
    if (s3 == std::string::npos) return nullptr;
    auto it = p->apps.find(a->resource.substr(s2 + 1, s3 - s2 - 1));
    if (it == p->apps.end()) return nullptr;
    for (auto& ep : it->second.endpoints())
      if (ep.arn() == arn) {
        if (app_out) *app_out = &it->second;
        return &ep;
      }
    return nullptr;
  }

  void publish_endpoint(const std::string& arn, const Input& in, Outgoing m, const CallContext& ctx, Decision& d) const {
    const sns::Endpoint* ep = find_endpoint(ctx, arn, nullptr);
    if (!ep) throw invalid("TargetArn Reason: No endpoint found for the target arn specified");
    auto en = ep->attributes().find("Enabled");
    if (en != ep->attributes().end() && !is_true(en->second)) throw ApiError::bad_request("EndpointDisabled", "Endpoint is disabled");
    m.message_id = random_uuid();
    sns::Event ev;
    sns::Published* pub = ev.mutable_published();
    pub->add_message_ids(m.message_id);
    record(*pub, "application", arn, m, "", "", ctx);
    d.add(ev);
    d.output = json::object{{"MessageId", m.message_id}};
  }

  void publish_batch(const Input& in, const CallContext& ctx, Decision& d) const {
    const json::array* entries = in.array("PublishBatchRequestEntries");
    if (!entries || entries->empty())
      throw ApiError::bad_request("EmptyBatchRequest", "The batch request doesn't contain any entries");
    if (entries->size() > kMaxBatch)
      throw ApiError::bad_request("TooManyEntriesInBatchRequest", "The batch request contains more entries than permissible.");
    std::set<std::string> ids;
    size_t total = 0;
    for (auto& e : *entries) {
      std::string id = e.is_object() && e.as_object().contains("Id") && e.at("Id").is_string() ? std::string(e.at("Id").as_string()) : "";
      if (!valid_batch_id(id))
        throw ApiError::bad_request("InvalidBatchEntryId",
                                    "The Id of a batch entry in a batch request doesn't abide by the specification.");
      if (!ids.insert(id).second)
        throw ApiError::bad_request("BatchEntryIdsNotDistinct", "Two or more batch entries in the request have the same Id.");
      if (auto* msg = e.as_object().if_contains("Message"); msg && msg->is_string()) total += msg->as_string().size();
    }
    if (static_cast<int64_t>(total) > kMaxMessageSize)
      throw ApiError::bad_request("BatchRequestTooLong", "The length of all the messages put together is more than the limit.");
    const sns::Topic& t = topic_of(in, ctx);
    sns::Event ev;
    sns::Published* pub = ev.mutable_published();
    pub->set_topic(t.name());
    std::string arn = topic_arn_of(ctx, t);
    uint64_t seq = t.next_seq();
    std::map<std::string, sns::Dedup> batch;
    json::array ok, failed;
    for (auto& e : *entries) {
      const json::object& o = e.as_object();
      std::string id(o.at("Id").as_string());
      try {
        Input ein(o);
        Outgoing m = read_message(ein);
        if (const sns::Dedup* dup = read_fifo(t, ein, m, ctx, batch)) {
          ok.push_back(json::object{{"Id", id}, {"MessageId", dup->message_id()}, {"SequenceNumber", dup->sequence_number()}});
          continue;
        }
        m.message_id = random_uuid();
        json::object r{{"Id", id}, {"MessageId", m.message_id}};
        if (fifo(t)) {
          m.sequence_number = sequence_number(++seq);
          sns::Dedup dd;
          dd.set_dedup_id(m.dedup_id);
          dd.set_message_id(m.message_id);
          dd.set_sequence_number(m.sequence_number);
          dd.set_expires_ms(ctx.now_ms + kDedupWindowMs);
          batch[m.dedup_id] = dd;
          *pub->add_dedup() = dd;
          r["SequenceNumber"] = m.sequence_number;
        }
        pub->add_message_ids(m.message_id);
        fan_out(t, arn, m, ctx, *pub, d);
        ok.push_back(std::move(r));
      } catch (ApiError& err) {
        failed.push_back(json::object{{"Id", id}, {"Code", err.code}, {"Message", err.message}, {"SenderFault", true}});
      }
    }
    if (fifo(t)) pub->set_next_seq(seq);
    if (pub->message_ids_size()) d.add(ev);
    d.output = json::object{{"Successful", std::move(ok)}, {"Failed", std::move(failed)}};
  }

  // The message one protocol receives (MessageStructure=json: its own key, else "default").
  static std::string message_for(const Outgoing& m, std::string_view protocol) {
    if (m.structure != "json") return m.message;
    if (auto* v = m.per_protocol.if_contains(protocol); v && v->is_string()) return std::string(v->as_string());
    return std::string(m.per_protocol.at("default").as_string());
  }

  // AWS's JSON envelope of a notification.
  static std::string envelope(const Outgoing& m, const std::string& arn_topic, const std::string& message,
                              const std::string& sub_arn, const CallContext& ctx) {
    std::string timestamp = protocol::iso8601(ctx.now());
    json::object o;
    o["Type"] = "Notification";
    o["MessageId"] = m.message_id;
    if (!m.sequence_number.empty()) o["SequenceNumber"] = m.sequence_number;
    o["TopicArn"] = arn_topic;
    if (!m.subject.empty()) o["Subject"] = m.subject;
    o["Message"] = message;
    o["Timestamp"] = timestamp;
    o["SignatureVersion"] = "1";
    o["Signature"] = signature("Message\n" + message + "\nMessageId\n" + m.message_id + "\n" +
                               (m.subject.empty() ? "" : "Subject\n" + m.subject + "\n") + "Timestamp\n" + timestamp +
                               "\nTopicArn\n" + arn_topic + "\nType\nNotification\n");
    o["SigningCertURL"] = signing_cert_url(ctx);
    o["UnsubscribeURL"] = base_url(ctx) + "/?Action=Unsubscribe&SubscriptionArn=" + sub_arn;
    if (!m.attrs.empty()) o["MessageAttributes"] = envelope_attributes(m.attrs);
    return json::serialize(o);
  }

  void record(sns::Published& pub, std::string_view protocol, const std::string& endpoint, const Outgoing& m,
              const std::string& arn_topic, const std::string& sub_arn, const CallContext& ctx) const {
    sns::Recorded* r = pub.add_recorded();
    r->set_protocol(std::string(protocol));
    r->set_endpoint(endpoint);
    r->set_message_id(m.message_id);
    r->set_message(protocol == "email-json" ? envelope(m, arn_topic, message_for(m, "email-json"), sub_arn, ctx)
                                            : message_for(m, protocol));
    r->set_subject(m.subject);
    r->set_topic_arn(arn_topic);
    r->set_subscription_arn(sub_arn);
    to_proto(m.attrs, *r->mutable_attributes());
    r->set_message_structure(m.structure);
    r->set_time_ms(ctx.now_ms);
  }

  // What a failed effect sends to the subscription's RedrivePolicy queue, if any.
  static void set_dead_letter(sns::PendingEffect& fx, const sns::Subscription& s, const std::string& body, const Attrs* raw_attrs,
                              const CallContext& ctx) {
    std::string dlq = dead_letter_arn(s);
    if (dlq.empty()) return;
    json::object input{{"QueueArn", dlq}, {"MessageBody", body}};
    if (raw_attrs && !raw_attrs->empty()) input["MessageAttributes"] = sqs_attributes(*raw_attrs);
    auto q = parse_arn(dlq);
    fx.set_dead_letter_input(json::serialize(input));
    fx.set_dead_letter_account(q ? q->account : ctx.account);
    fx.set_dead_letter_region(q ? q->region : ctx.region);
  }

  // Every confirmed subscription of `t` whose filter passes gets `m`.
  void fan_out(const sns::Topic& t, const std::string& arn_topic, const Outgoing& m, const CallContext& ctx, sns::Published& pub,
               Decision& d) const {
    json::object filter_attrs;
    bool have_filter_attrs = false;
    for (auto& s : t.subscriptions()) {
      if (s.pending()) continue;
      if (std::string policy = sub_attr(s, "FilterPolicy"); !policy.empty()) {
        if (!have_filter_attrs) {
          filter_attrs = filter_view(m.attrs);
          have_filter_attrs = true;
        }
        auto scope = sub_attr(s, "FilterPolicyScope") == "MessageBody" ? sns::FilterScope::kMessageBody
                                                                         : sns::FilterScope::kMessageAttributes;
        if (!sns::filter_matches(policy, scope, filter_attrs, message_for(m, s.protocol()))) continue;
      }
      const std::string& proto = s.protocol();
      bool raw = is_true(sub_attr(s, "RawMessageDelivery"));
      std::string message = message_for(m, proto);
      if (proto == "sqs") {
        auto q = parse_arn(s.endpoint());
        if (!q) continue;
        json::object input{{"QueueArn", s.endpoint()},
                           {"MessageBody", raw ? message : envelope(m, arn_topic, message, s.arn(), ctx)}};
        if (raw && !m.attrs.empty()) input["MessageAttributes"] = sqs_attributes(m.attrs);
        if (ends_with(q->resource, ".fifo")) {  // a FIFO topic may also feed standard queues: no FIFO fields there
          if (!m.group_id.empty()) input["MessageGroupId"] = m.group_id;
          if (!m.dedup_id.empty()) input["MessageDeduplicationId"] = m.dedup_id;
        }
        if (std::string dlq = dead_letter_arn(s); !dlq.empty()) input["DeadLetterQueueArn"] = dlq;
        d.deliveries.push_back(Delivery{"sqs", "message", q->account, q->region, std::move(input)});
        pub.set_sqs_deliveries(pub.sqs_deliveries() + 1);
      } else if (proto == "http" || proto == "https") {
        sns::PendingEffect* fx = pub.add_effects();
        fx->set_id(random_uuid());
        fx->set_kind("http");
        fx->set_target(s.endpoint());
        std::string body = raw ? message : envelope(m, arn_topic, message, s.arn(), ctx);
        fx->set_body(body);
        add_http_headers(*fx, "Notification", m.message_id, arn_topic, s.arn(), raw);
        fx->set_not_before_ms(ctx.now_ms);
        fx->set_subscription_arn(s.arn());
        fx->set_purpose("Notification");
        set_dead_letter(*fx, s, body, raw ? &m.attrs : nullptr, ctx);
        d.effects = true;
      } else if ((proto == "email" || proto == "email-json") && !smtp_host_.empty()) {
        sns::PendingEffect* fx = pub.add_effects();
        fx->set_id(random_uuid());
        fx->set_kind("smtp");
        fx->set_target(smtp_host_);
        fx->set_mail_from(std::string(kMailFrom));
        fx->add_rcpt_to(s.endpoint());
        std::string body = proto == "email" ? message : envelope(m, arn_topic, message, s.arn(), ctx);
        fx->set_body(std::string("From: ") + std::string(kMailFrom) + "\r\nTo: " + s.endpoint() +
                     "\r\nSubject: " + (m.subject.empty() ? "AWS Notification Message" : m.subject) +
                     "\r\nDate: " + protocol::http_date(ctx.now()) + "\r\nMessage-ID: <" + m.message_id +
                     "@podstack>\r\nMIME-Version: 1.0\r\nContent-Type: " +
                     (proto == "email" ? "text/plain" : "application/json") + "; charset=UTF-8\r\n\r\n" + body + "\r\n");
        fx->set_not_before_ms(ctx.now_ms);
        fx->set_subscription_arn(s.arn());
        fx->set_purpose("Notification");
        set_dead_letter(*fx, s, body, nullptr, ctx);
        d.effects = true;
      } else {
        // sms, email without SMTP_HOST, application, lambda, firehose: recorded.
        record(pub, proto, s.endpoint(), m, arn_topic, s.arn(), ctx);
      }
    }
  }

  // ---- tags ----
  const sns::Topic& tagged_topic(const Input& in, const CallContext& ctx) const {
    const sns::Topic* t = find_topic(ctx, in.str("ResourceArn"));
    if (!t) throw ApiError::make(404, "ResourceNotFound", "Resource does not exist");
    return *t;
  }

  void tag_resource(const Input& in, const CallContext& ctx, Decision& d) const {
    const sns::Topic& t = tagged_topic(in, ctx);
    auto tags = read_tags(in, "Tags");
    std::set<std::string> keys;
    for (auto& [k, v] : t.tags()) keys.insert(k);
    for (auto& [k, v] : tags) keys.insert(k);
    if (keys.size() > kMaxTags)
      throw ApiError::bad_request("TagLimitExceeded", "Could not complete request: tag quota of per resource exceeded");
    sns::Event ev;
    ev.mutable_tags()->set_topic(t.name());
    for (auto& [k, v] : tags) (*ev.mutable_tags()->mutable_set())[k] = v;
    d.add(ev);
    d.output = json::object();
  }

  void untag_resource(const Input& in, const CallContext& ctx, Decision& d) const {
    const sns::Topic& t = tagged_topic(in, ctx);
    sns::Event ev;
    ev.mutable_tags()->set_topic(t.name());
    if (auto* keys = in.array("TagKeys"))
      for (auto& k : *keys)
        if (k.is_string()) ev.mutable_tags()->add_removed(std::string(k.as_string()));
    d.add(ev);
    d.output = json::object();
  }

  void list_tags_for_resource(const Input& in, const CallContext& ctx, Decision& d) const {
    const sns::Topic& t = tagged_topic(in, ctx);
    std::map<std::string, std::string> sorted(t.tags().begin(), t.tags().end());
    json::array tags;
    for (auto& [k, v] : sorted) tags.push_back(json::object{{"Key", k}, {"Value", v}});
    d.output = json::object{{"Tags", std::move(tags)}};
  }

  // ---- SMS settings ----
  void check_opted_out(const Input& in, const CallContext& ctx, Decision& d) const {
    std::string phone(in.str("phoneNumber"));
    if (!valid_phone(phone)) throw invalid("PhoneNumber Reason: input incorrectly formatted");
    bool out = false;
    if (const Partition* p = part(ctx))
      out = std::find(p->settings.opted_out().begin(), p->settings.opted_out().end(), phone) != p->settings.opted_out().end();
    d.output = json::object{{"isOptedOut", out}};
  }

  void list_opted_out(const Input& in, const CallContext& ctx, Decision& d) const {
    Page page = page_of(in, "nextToken");
    json::array numbers;
    if (const Partition* p = part(ctx))
      for (auto& n : p->settings.opted_out()) {
        if (n <= page.after()) continue;
        if (page.full(numbers.size(), n)) break;
        numbers.push_back(json::string(n));
      }
    json::object out{{"phoneNumbers", std::move(numbers)}};
    page.emit(out, "nextToken");
    d.output = std::move(out);
  }

  // Numbers are never opted out in podstack (no carrier replies STOP), so
  // opting in changes nothing but is accepted.
  void opt_in(const Input& in, const CallContext& ctx, Decision& d) const {
    std::string phone(in.str("phoneNumber"));
    if (!valid_phone(phone)) throw invalid("PhoneNumber Reason: input incorrectly formatted");
    if (const Partition* p = part(ctx))
      if (std::find(p->settings.opted_out().begin(), p->settings.opted_out().end(), phone) != p->settings.opted_out().end()) {
        sns::Event ev;
        ev.mutable_settings()->add_opted_in(phone);
        d.add(ev);
      }
    d.output = json::object();
  }

  void get_sms_attributes(const Input& in, const CallContext& ctx, Decision& d) const {
    json::object attrs;
    std::set<std::string> want;
    if (auto* a = in.array("attributes"))
      for (auto& x : *a)
        if (x.is_string()) want.insert(std::string(x.as_string()));
    if (const Partition* p = part(ctx)) {
      std::map<std::string, std::string> sorted(p->settings.sms_attributes().begin(), p->settings.sms_attributes().end());
      for (auto& [k, v] : sorted)
        if (want.empty() || want.count(k)) attrs[k] = v;
    }
    d.output = json::object{{"attributes", std::move(attrs)}};
  }

  void set_sms_attributes(const Input& in, const CallContext& ctx, Decision& d) const {
    sns::Event ev;
    if (const json::object* a = in.object("attributes"))
      for (auto& kv : *a) {
        std::string n(kv.key());
        std::string v = kv.value().is_string() ? std::string(kv.value().as_string()) : "";
        if (!one_of(kSmsAttrs, n)) throw invalid(n);
        if (n == "DefaultSMSType" && v != "Promotional" && v != "Transactional") throw invalid("DefaultSMSType");
        (*ev.mutable_settings()->mutable_sms_attributes())[n] = v;
      }
    if (ev.settings().sms_attributes_size()) d.add(ev);
    d.output = json::object();
  }

  // ---- platform applications ----
  const sns::PlatformApplication& app_of(const Input& in, const CallContext& ctx) const {
    std::string_view arn = in.str("PlatformApplicationArn");
    auto a = parse_arn(arn);
    const Partition* p = part(ctx);
    if (a && p && a->account == ctx.account && a->region == ctx.region) {
      size_t slash = a->resource.rfind('/');
      if (a->resource.rfind("app/", 0) == 0 && slash != std::string::npos) {
        auto it = p->apps.find(a->resource.substr(slash + 1));
        if (it != p->apps.end() && it->second.arn() == arn) return it->second;
      }
    }
    throw not_found("PlatformApplication does not exist");
  }

  void create_platform_application(const Input& in, const CallContext& ctx, Decision& d) const {
    std::string name(in.str("Name"));
    std::string platform(in.str("Platform"));
    if (!valid_topic_name(name) || ends_with(name, ".fifo")) throw invalid("Name");
    if (!one_of(kPlatforms, platform)) throw invalid("Platform Reason: Platform must be one of ADM, APNS, APNS_SANDBOX, GCM, BAIDU, MPNS, WNS");
    std::string arn = "arn:aws:sns:" + ctx.region + ":" + ctx.account + ":app/" + platform + "/" + name;
    if (const Partition* p = part(ctx))
      if (auto it = p->apps.find(name); it != p->apps.end()) {
        d.output = json::object{{"PlatformApplicationArn", it->second.arn()}};
        return;
      }
    sns::Event ev;
    sns::PlatformApplication* a = ev.mutable_application_created()->mutable_application();
    a->set_name(name);
    a->set_arn(arn);
    a->set_platform(platform);
    if (const json::object* attrs = in.object("Attributes"))
      for (auto& kv : *attrs)
        if (kv.value().is_string()) (*a->mutable_attributes())[std::string(kv.key())] = std::string(kv.value().as_string());
    (*a->mutable_attributes())["Enabled"] = a->attributes().count("Enabled") ? a->attributes().at("Enabled") : "true";
    d.add(ev);
    d.output = json::object{{"PlatformApplicationArn", arn}};
  }

  void delete_platform_application(const Input& in, const CallContext& ctx, Decision& d) const {
    const sns::PlatformApplication* a = nullptr;
    try {
      a = &app_of(in, ctx);
    } catch (ApiError&) {
      return;  // AWS: deleting an absent application succeeds
    }
    sns::Event ev;
    ev.mutable_application_deleted()->set_name(a->name());
    d.add(ev);
  }

  static json::object visible_app_attributes(const sns::PlatformApplication& a) {
    json::object o;
    std::map<std::string, std::string> sorted(a.attributes().begin(), a.attributes().end());
    for (auto& [k, v] : sorted)
      if (k != "PlatformCredential" && k != "PlatformPrincipal") o[k] = v;  // secrets are not returned
    return o;
  }

  void list_platform_applications(const Input& in, const CallContext& ctx, Decision& d) const {
    Page page = page_of(in);
    json::array apps;
    if (const Partition* p = part(ctx))
      for (auto it = p->apps.upper_bound(page.after()); it != p->apps.end(); ++it) {
        if (page.full(apps.size(), it->first)) break;
        apps.push_back(json::object{{"PlatformApplicationArn", it->second.arn()}, {"Attributes", visible_app_attributes(it->second)}});
      }
    json::object out{{"PlatformApplications", std::move(apps)}};
    page.emit(out);
    d.output = std::move(out);
  }

  void get_platform_application_attributes(const Input& in, const CallContext& ctx, Decision& d) const {
    d.output = json::object{{"Attributes", visible_app_attributes(app_of(in, ctx))}};
  }

  void set_platform_application_attributes(const Input& in, const CallContext& ctx, Decision& d) const {
    const sns::PlatformApplication& a = app_of(in, ctx);
    sns::Event ev;
    ev.mutable_application_attributes()->set_name(a.name());
    if (const json::object* attrs = in.object("Attributes"))
      for (auto& kv : *attrs)
        if (kv.value().is_string())
          (*ev.mutable_application_attributes()->mutable_attributes())[std::string(kv.key())] = std::string(kv.value().as_string());
    d.add(ev);
  }

  void create_platform_endpoint(const Input& in, const CallContext& ctx, Decision& d) const {
    const sns::PlatformApplication& a = app_of(in, ctx);
    std::string token(in.str("Token"));
    if (token.empty()) throw invalid("Token Reason: cannot be empty");
    std::map<std::string, std::string> attrs;
    if (const json::object* x = in.object("Attributes"))
      for (auto& kv : *x)
        if (kv.value().is_string()) attrs[std::string(kv.key())] = std::string(kv.value().as_string());
    if (in.has("CustomUserData")) attrs["CustomUserData"] = in.str("CustomUserData");
    attrs["Token"] = token;
    if (!attrs.count("Enabled")) attrs["Enabled"] = "true";
    for (auto& ep : a.endpoints()) {
      auto t = ep.attributes().find("Token");
      if (t == ep.attributes().end() || t->second != token) continue;
      std::map<std::string, std::string> have(ep.attributes().begin(), ep.attributes().end());
      if (have != attrs)
        throw invalid("Token Reason: Endpoint " + ep.arn() + " already exists with the same Token, but different attributes.");
      d.output = json::object{{"EndpointArn", ep.arn()}};
      return;
    }
    std::string arn = "arn:aws:sns:" + ctx.region + ":" + ctx.account + ":endpoint/" + a.platform() + "/" + a.name() + "/" + random_uuid();
    sns::Event ev;
    ev.mutable_endpoint_created()->set_application(a.name());
    sns::Endpoint* ep = ev.mutable_endpoint_created()->mutable_endpoint();
    ep->set_arn(arn);
    for (auto& [k, v] : attrs) (*ep->mutable_attributes())[k] = v;
    d.add(ev);
    d.output = json::object{{"EndpointArn", arn}};
  }

  void delete_endpoint(const Input& in, const CallContext& ctx, Decision& d) const {
    const sns::PlatformApplication* a = nullptr;
    const sns::Endpoint* ep = find_endpoint(ctx, in.str("EndpointArn"), &a);
    if (!ep) return;  // AWS: idempotent
    sns::Event ev;
    ev.mutable_endpoint_deleted()->set_application(a->name());
    ev.mutable_endpoint_deleted()->set_arn(ep->arn());
    d.add(ev);
  }

  void list_endpoints(const Input& in, const CallContext& ctx, Decision& d) const {
    const sns::PlatformApplication& a = app_of(in, ctx);
    Page page = page_of(in);
    json::array eps;
    for (auto& ep : a.endpoints()) {
      if (ep.arn() <= page.after()) continue;
      if (page.full(eps.size(), ep.arn())) break;
      std::map<std::string, std::string> sorted(ep.attributes().begin(), ep.attributes().end());
      json::object attrs;
      for (auto& [k, v] : sorted) attrs[k] = v;
      eps.push_back(json::object{{"EndpointArn", ep.arn()}, {"Attributes", std::move(attrs)}});
    }
    json::object out{{"Endpoints", std::move(eps)}};
    page.emit(out);
    d.output = std::move(out);
  }

  const sns::Endpoint& endpoint_of(const Input& in, const CallContext& ctx, const sns::PlatformApplication** a) const {
    const sns::Endpoint* ep = find_endpoint(ctx, in.str("EndpointArn"), a);
    if (!ep) throw not_found("Endpoint does not exist");
    return *ep;
  }

  void get_endpoint_attributes(const Input& in, const CallContext& ctx, Decision& d) const {
    const sns::Endpoint& ep = endpoint_of(in, ctx, nullptr);
    std::map<std::string, std::string> sorted(ep.attributes().begin(), ep.attributes().end());
    json::object attrs;
    for (auto& [k, v] : sorted) attrs[k] = v;
    d.output = json::object{{"Attributes", std::move(attrs)}};
  }

  void set_endpoint_attributes(const Input& in, const CallContext& ctx, Decision& d) const {
    const sns::PlatformApplication* a = nullptr;
    const sns::Endpoint& ep = endpoint_of(in, ctx, &a);
    sns::Event ev;
    auto* e = ev.mutable_endpoint_attributes();
    e->set_application(a->name());
    e->set_arn(ep.arn());
    if (const json::object* attrs = in.object("Attributes"))
      for (auto& kv : *attrs)
        if (kv.value().is_string()) (*e->mutable_attributes())[std::string(kv.key())] = std::string(kv.value().as_string());
    d.add(ev);
  }

  // ---- internal: LocalStack's /_aws/sns/sms-messages and /_aws/sns/platform-endpoint-messages ----
  static json::value null_or(const std::string& s) { return s.empty() ? json::value(nullptr) : json::value(s); }

  json::object recorded_json(const sns::Recorded& r, bool platform) const {
    json::object attrs;
    std::map<std::string, sns::MessageAttribute> sorted(r.attributes().begin(), r.attributes().end());
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

  void list_recorded(const Input& in, const CallContext& ctx, Decision& d, std::string_view protocol, std::string_view filter_member,
                     std::string_view out_member) const {
    std::string only = in.str_or(filter_member, "");
    json::object by_endpoint;
    if (!only.empty()) by_endpoint[only] = json::array();  // LocalStack names the filtered key even when empty
    CallContext at = protocol == "application" && !only.empty() ? arn_context(ctx, only) : ctx;
    if (const Partition* p = part(at))
      for (auto& r : p->recorded) {
        if (r.protocol() != protocol || (!only.empty() && r.endpoint() != only)) continue;
        auto& list = by_endpoint[r.endpoint()];
        if (!list.is_array()) list = json::array();
        list.as_array().push_back(recorded_json(r, protocol == "application"));
      }
    d.output = json::object{{"region", at.region}, {out_member, std::move(by_endpoint)}};
  }

  void clear_recorded(const Input& in, const CallContext& ctx, Decision& d, std::string_view protocol, std::string_view filter_member) const {
    std::string only = in.str_or(filter_member, "");
    // A platform endpoint ARN names its partition (LocalStack).
    CallContext at = protocol == "application" && !only.empty() ? arn_context(ctx, only) : ctx;
    const Partition* p = part(at);
    if (!p || std::none_of(p->recorded.begin(), p->recorded.end(), [&](const sns::Recorded& r) {
          return r.protocol() == protocol && (only.empty() || r.endpoint() == only);
        }))
      return;
    sns::Event ev;
    ev.mutable_recorded_cleared()->set_protocol(std::string(protocol));
    ev.mutable_recorded_cleared()->set_endpoint(only);
    set_partition(ev, ctx, at);
    d.add(ev);
  }

  void list_sms_messages(const Input& in, const CallContext& ctx, Decision& d) const {
    list_recorded(in, ctx, d, "sms", "phoneNumber", "sms_messages");
  }
  void clear_sms_messages(const Input& in, const CallContext& ctx, Decision& d) const {
    clear_recorded(in, ctx, d, "sms", "phoneNumber");
  }
  void list_platform_messages(const Input& in, const CallContext& ctx, Decision& d) const {
    list_recorded(in, ctx, d, "application", "endpointArn", "platform_endpoint_messages");
  }
  void clear_platform_messages(const Input& in, const CallContext& ctx, Decision& d) const {
    clear_recorded(in, ctx, d, "application", "endpointArn");
  }

  // LocalStack's /_aws/sns/subscription-tokens/<arn>: the confirmation token
  // of an http/https subscription, for tests without a reachable endpoint.
  void get_subscription_token(const Input& in, const CallContext& ctx, Decision& d) const {
    std::string arn = in.str_or("subscription_arn", "");
    CallContext at = arn_context(ctx, arn);
    auto a = parse_arn(arn);
    if (!a) throw ApiError::bad_request("InvalidParameter", "The provided SubscriptionARN is invalid");
    auto [t, s] = find_subscription(at, arn);
    if (!s || s->token().empty()) throw ApiError::make(404, "NotFound", "The provided SubscriptionARN is not found");
    d.output = json::object{{"subscription_token", s->token()}, {"subscription_arn", arn}};
  }

  std::string smtp_host_;  // "host:port"; empty: email is recorded, not sent
  Partitions<Partition> parts_;
};

}  // namespace

std::unique_ptr<Service> make_sns_service(const ServiceSettings& settings) {
  std::string host = settings.smtp_host;
  if (!host.empty() && host.find(':') == std::string::npos) host += ":25";
  return std::make_unique<SnsService>(std::move(host));
}

}  // namespace podstack
