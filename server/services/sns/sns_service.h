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
// Handlers by area: sns_topics.cpp (topics, permissions, tags),
// sns_subscriptions.cpp, sns_publish.cpp (publish, fan-out, deliveries from
// other services, the outbox), sns_mobile.cpp (platform applications and
// endpoints, SMS settings), sns_internal.cpp (LocalStack's /_aws/sns
// endpoints). State: sns_state.h.
// AWS reference: https://docs.aws.amazon.com/sns/latest/api/
#pragma once
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "server/service.h"
#include "server/services/sns/sns_state.h"

namespace podstack::sns {

class SnsService final : public StatefulService<SnsService, SnsState> {
 public:
  static constexpr std::string_view kName = "sns";
  // smtp_host: "host:port" email subscriptions are relayed to; empty: recorded only.
  explicit SnsService(std::string smtp_host) : smtp_host_(std::move(smtp_host)) {}
  static const Table& operations();

  // Deliveries into SNS (S3 notifications, SES events): kind "publish".
  void deliver(const std::vector<Delivery>& in, const CallContext& ctx, Decision& out) const override;
  // LocalStack's SNS inspection endpoints: GET lists, DELETE clears (an
  // event); ?accountId=&region= pick the partition, other parameters filter.
  std::vector<Route> routes() const override {
    return {{"/_aws/sns/sms-messages", {{"GET", "__ListSmsMessages"}, {"DELETE", "__ClearSmsMessages"}}, ""},
            {"/_aws/sns/platform-endpoint-messages",
             {{"GET", "__ListPlatformEndpointMessages"}, {"DELETE", "__ClearPlatformEndpointMessages"}}, ""},
            {"/_aws/sns/subscription-tokens/", {{"GET", "__GetSubscriptionToken"}}, "subscription_arn"}};
  }
  void pending_effects(std::vector<Effect>& out) const override;
  void effect_attempted(const EffectAttempt& attempt, const CallContext& ctx, Decision& out) const override;

 private:
  // ---- topics, permissions and tags (sns_topics.cpp) ----
  void create_topic(const Request& req, Decision& out) const;
  void delete_topic(const Request& req, Decision& out) const;
  void list_topics(const Request& req, Decision& out) const;
  void get_topic_attributes(const Request& req, Decision& out) const;
  void set_topic_attributes(const Request& req, Decision& out) const;
  void add_permission(const Request& req, Decision& out) const;
  void remove_permission(const Request& req, Decision& out) const;
  void get_data_protection_policy(const Request& req, Decision& out) const;
  void put_data_protection_policy(const Request& req, Decision& out) const;
  void tag_resource(const Request& req, Decision& out) const;
  void untag_resource(const Request& req, Decision& out) const;
  void list_tags_for_resource(const Request& req, Decision& out) const;

  // ---- subscriptions (sns_subscriptions.cpp) ----
  void subscribe(const Request& req, Decision& out) const;
  void confirm_subscription(const Request& req, Decision& out) const;
  void unsubscribe(const Request& req, Decision& out) const;
  void list_subscriptions(const Request& req, Decision& out) const;
  void list_subscriptions_by_topic(const Request& req, Decision& out) const;
  void get_subscription_attributes(const Request& req, Decision& out) const;
  void set_subscription_attributes(const Request& req, Decision& out) const;

  // ---- publish (sns_publish.cpp) ----
  void publish(const Request& req, Decision& out) const;
  void publish_batch(const Request& req, Decision& out) const;

  // ---- SMS settings, platform applications and endpoints (sns_mobile.cpp) ----
  void check_opted_out(const Request& req, Decision& out) const;
  void list_opted_out(const Request& req, Decision& out) const;
  void opt_in(const Request& req, Decision& out) const;
  void get_sms_attributes(const Request& req, Decision& out) const;
  void set_sms_attributes(const Request& req, Decision& out) const;
  void create_platform_application(const Request& req, Decision& out) const;
  void delete_platform_application(const Request& req, Decision& out) const;
  void list_platform_applications(const Request& req, Decision& out) const;
  void get_platform_application_attributes(const Request& req, Decision& out) const;
  void set_platform_application_attributes(const Request& req, Decision& out) const;
  void create_platform_endpoint(const Request& req, Decision& out) const;
  void delete_endpoint(const Request& req, Decision& out) const;
  void list_endpoints(const Request& req, Decision& out) const;
  void get_endpoint_attributes(const Request& req, Decision& out) const;
  void set_endpoint_attributes(const Request& req, Decision& out) const;

  // ---- internal: LocalStack's /_aws/sns endpoints (sns_internal.cpp) ----
  void list_sms_messages(const Request& req, Decision& out) const;
  void clear_sms_messages(const Request& req, Decision& out) const;
  void list_platform_messages(const Request& req, Decision& out) const;
  void clear_platform_messages(const Request& req, Decision& out) const;
  void get_subscription_token(const Request& req, Decision& out) const;

  // ---- lookups in the caller's partition ----
  const SnsPartition* part(const CallContext& ctx) const { return state().find(ctx); }
  // sns_topics.cpp
  const Topic* find_topic(const CallContext& ctx, std::string_view arn) const;
  const Topic& topic_of(const Input& in, const CallContext& ctx, std::string_view member = "TopicArn") const;
  const Topic& tagged_topic(const Input& in, const CallContext& ctx) const;
  // sns_subscriptions.cpp (subscription ARN = topic ARN + ":" + id)
  std::pair<const Topic*, const Subscription*> find_subscription(const CallContext& ctx, std::string_view arn) const;
  std::pair<const Topic*, const Subscription*> subscription_of(const Input& in, const CallContext& ctx) const;
  // sns_mobile.cpp
  const PlatformApplication& app_of(const Input& in, const CallContext& ctx) const;
  const Endpoint* find_endpoint(const CallContext& ctx, std::string_view arn, const PlatformApplication** app_out) const;
  const Endpoint& endpoint_of(const Input& in, const CallContext& ctx, const PlatformApplication** a) const;
  // sns_internal.cpp
  void list_recorded(const Input& in, const CallContext& ctx, Decision& out, std::string_view protocol, std::string_view filter_member,
                     std::string_view out_member) const;
  void clear_recorded(const Input& in, const CallContext& ctx, Decision& out, std::string_view protocol, std::string_view filter_member) const;

  std::string smtp_host_;  // "host:port"; empty: email is recorded, not sent
};

}  // namespace podstack::sns

namespace podstack {
// SMTP_HOST comes in settings (email subscriptions are relayed there; unset: recorded only).
std::unique_ptr<Service> make_sns_service(const ServiceSettings& settings);
}  // namespace podstack
