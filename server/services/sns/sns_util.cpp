// Helpers shared by the SNS areas (see sns_util.h).
#include "server/services/sns/sns_util.h"

#include "base/digest.h"
#include "server/protocol/encoding.h"
#include "server/services/arn.h"
#include "server/services/sns/sns_errors.h"

namespace podstack::sns {

bool is_true(std::string_view v) {
  return v.size() == 4 && (v[0] == 't' || v[0] == 'T') && (v[1] == 'r' || v[1] == 'R') && (v[2] == 'u' || v[2] == 'U') &&
         (v[3] == 'e' || v[3] == 'E');
}
bool is_bool(std::string_view v) {
  std::string l(v);
  for (auto& c : l) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return l == "true" || l == "false";
}

std::string topic_arn(const std::string& region, const std::string& account, std::string_view name) {
  return arn_prefix(region) + "sns:" + region + ":" + account + ":" + std::string(name);
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

const Subscription* find_sub(const Topic& t, std::string_view arn) {
  for (auto& s : t.subscriptions())
    if (s.arn() == arn) return &s;
  return nullptr;
}

std::string topic_attr(const Topic& t, std::string_view n) {
  auto it = t.attributes().find(std::string(n));
  return it == t.attributes().end() ? std::string() : it->second;
}
std::string sub_attr(const Subscription& s, std::string_view n) {
  auto it = s.attributes().find(std::string(n));
  return it == s.attributes().end() ? std::string() : it->second;
}

std::string base_url(const CallContext& ctx) { return "http://" + (ctx.host.empty() ? std::string("localhost:4566") : ctx.host); }
std::string signing_cert_url(const CallContext& ctx) { return base_url(ctx) + "/_podstack/sns/SimpleNotificationService.pem"; }
std::string signature(std::string_view canonical) { return protocol::base64_encode(hmac_sha256("podstack-sns", canonical)); }

void add_http_headers(PendingEffect& fx, std::string_view type, const std::string& id, const std::string& arn_topic,
                      const std::string& sub_arn, bool raw) {
  auto h = [&](std::string n, std::string v) {
    Header* x = fx.add_headers();
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

Page page_of(const Input& in, std::string_view token_member) {
  try {
    return Page(in, kPageSize, "MaxResults", token_member);
  } catch (ApiError&) {
    throw invalid_parameter(token_member);
  }
}

CallContext arn_context(const CallContext& ctx, std::string_view arn) {
  CallContext at = ctx;
  if (auto a = parse_arn(arn); a && !a->account.empty() && !a->region.empty()) {
    at.account = a->account;
    at.region = a->region;
  }
  return at;
}

void set_partition(Event& ev, const CallContext& ctx, const CallContext& at) {
  if (at.account != ctx.account || at.region != ctx.region) {
    ev.set_account(at.account);
    ev.set_region(at.region);
  }
}

}  // namespace podstack::sns
