// Helpers more than one SNS area needs: names and ARNs, attribute lookups,
// paging, the signing stand-ins and the HTTP delivery headers.
#pragma once
#include <algorithm>
#include <iterator>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "proto/sns.pb.h"
#include "server/service.h"
#include "server/services/pagination.h"

namespace podstack::sns {

constexpr int64_t kPageSize = 100;

constexpr std::string_view kEffectiveDeliveryPolicy =
    R"({"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":20,"maxDelayTarget":20,"numRetries":3,"numMaxDelayRetries":0,"numNoDelayRetries":0,"numMinDelayRetries":0,"backoffFunction":"linear"},"disableSubscriptionOverrides":false,"defaultRequestPolicy":{"headerContentType":"text/plain; charset=UTF-8"}}})";

bool is_true(std::string_view v);
bool is_bool(std::string_view v);
inline bool ends_with(std::string_view s, std::string_view p) { return s.size() >= p.size() && s.substr(s.size() - p.size()) == p; }

template <size_t N>
bool one_of(const std::string_view (&set)[N], std::string_view v) {
  return std::find(std::begin(set), std::end(set), v) != std::end(set);
}

std::string topic_arn(const std::string& region, const std::string& account, std::string_view name);
inline std::string topic_arn_of(const CallContext& ctx, const Topic& t) { return topic_arn(ctx.region, ctx.account, t.name()); }
// Topic names; platform application names follow the same rule.
bool valid_topic_name(std::string_view name);
bool valid_phone(std::string_view p);

const Subscription* find_sub(const Topic& t, std::string_view arn);
std::string topic_attr(const Topic& t, std::string_view n);
inline bool fifo(const Topic& t) { return is_true(topic_attr(t, "FifoTopic")); }
std::string sub_attr(const Subscription& s, std::string_view n);

std::string base_url(const CallContext& ctx);
std::string signing_cert_url(const CallContext& ctx);
// Not an RSA signature (podstack has no AWS key): a stable digest of the
// message, so clients that only check presence work.
std::string signature(std::string_view canonical);

// The headers SNS sends with an HTTP/HTTPS delivery.
void add_http_headers(PendingEffect& fx, std::string_view type, const std::string& id, const std::string& arn_topic,
                      const std::string& sub_arn, bool raw);

// A page of a list operation; a token podstack did not issue is SNS's
// InvalidParameter, not the generic ValidationException.
Page page_of(const Input& in, std::string_view token_member = "NextToken");

// ConfirmSubscription and Unsubscribe also arrive as plain GETs of the URLs
// in our messages (no credential scope): they act on the partition their
// ARN names, recorded in the event.
CallContext arn_context(const CallContext& ctx, std::string_view arn);
void set_partition(Event& ev, const CallContext& ctx, const CallContext& at);

}  // namespace podstack::sns
