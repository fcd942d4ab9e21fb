// SNS topics: CreateTopic, DeleteTopic, ListTopics, Get/SetTopicAttributes,
// AddPermission, RemovePermission, Get/PutDataProtectionPolicy, and tags
// (TagResource, UntagResource, ListTagsForResource); the topic lookups the
// other areas use.
// https://docs.aws.amazon.com/sns/latest/api/API_CreateTopic.html
#include <algorithm>
#include <map>
#include <set>

#include "server/services/arn.h"
#include "server/services/sns/sns_errors.h"
#include "server/services/sns/sns_service.h"
#include "server/services/sns/sns_util.h"

namespace podstack::sns {
namespace {

constexpr size_t kMaxTags = 50;

// Settable topic attributes (others are computed or unknown).
constexpr std::string_view kTopicAttrs[] = {
    "DeliveryPolicy", "DisplayName", "Policy", "KmsMasterKeyId", "SignatureVersion", "TracingConfig",
    "ContentBasedDeduplication", "FifoTopic", "FifoThroughputScope", "DataProtectionPolicy", "ArchivePolicy",
    "ApplicationSuccessFeedbackRoleArn", "ApplicationSuccessFeedbackSampleRate", "ApplicationFailureFeedbackRoleArn",
    "HTTPSuccessFeedbackRoleArn", "HTTPSuccessFeedbackSampleRate", "HTTPFailureFeedbackRoleArn",
    "LambdaSuccessFeedbackRoleArn", "LambdaSuccessFeedbackSampleRate", "LambdaFailureFeedbackRoleArn",
    "SQSSuccessFeedbackRoleArn", "SQSSuccessFeedbackSampleRate", "SQSFailureFeedbackRoleArn",
    "FirehoseSuccessFeedbackRoleArn", "FirehoseSuccessFeedbackSampleRate", "FirehoseFailureFeedbackRoleArn"};

// The actions an AddPermission statement may grant.
constexpr std::string_view kPolicyActions[] = {"GetTopicAttributes", "SetTopicAttributes", "AddPermission", "RemovePermission",
                                               "DeleteTopic", "Subscribe", "ListSubscriptionsByTopic", "Publish", "Receive"};

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

void check_topic_attribute(const std::string& n, std::string& v, bool creating, bool is_fifo) {
  if (!one_of(kTopicAttrs, n)) throw invalid_parameter("AttributeName");
  if (n == "FifoTopic") {
    if (!creating) throw invalid_parameter("AttributeName");
    if (!is_bool(v)) throw invalid_parameter("FifoTopic Reason: FifoTopic must be true or false");
    v = is_true(v) ? "true" : "false";
  } else if (n == "ContentBasedDeduplication") {
    if (!is_fifo) throw invalid_parameter("ContentBasedDeduplication Reason: Content-based deduplication can only be set for FIFO topics");
    if (!is_bool(v)) throw invalid_parameter("ContentBasedDeduplication Reason: ContentBasedDeduplication must be true or false");
    v = is_true(v) ? "true" : "false";
  } else if (n == "FifoThroughputScope") {
    // Topic (the default: deduplication across the topic) or MessageGroup
    // (within each message group); FIFO topics only.
    if (!is_fifo) throw invalid_parameter("FifoThroughputScope Reason: FifoThroughputScope can only be set for FIFO topics");
    if (v != "Topic" && v != "MessageGroup")
      throw invalid_parameter("FifoThroughputScope Reason: Invalid value [" + v + "] for FifoThroughputScope. Valid values are Topic and MessageGroup.");
  } else if ((n == "Policy" || n == "DeliveryPolicy" || n == "DataProtectionPolicy") && !v.empty()) {
    boost::system::error_code ec;
    json::value pv = json::parse(v, ec);
    if (ec || !pv.is_object()) throw invalid_parameter(n + ": failed to parse JSON");
  } else if (n == "DisplayName" && v.size() > 100) {
    throw invalid_parameter("DisplayName");
  } else if (n == "SignatureVersion" && v != "1" && v != "2") {
    throw invalid_parameter("SignatureVersion");
  }
}

std::map<std::string, std::string> check_topic_attributes(const json::object* attrs, bool creating, bool is_fifo) {
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

std::vector<std::pair<std::string, std::string>> read_tags(const Input& in, std::string_view member) {
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

json::object topic_attributes(const CallContext& ctx, const Topic& t) {
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

json::object policy_of(const CallContext& ctx, const Topic& t) {
  std::string p = topic_attr(t, "Policy");
  if (p.empty()) p = default_policy(topic_arn_of(ctx, t), ctx.account);
  boost::system::error_code ec;
  json::value v = json::parse(p, ec);
  if (ec || !v.is_object()) return json::parse(default_policy(topic_arn_of(ctx, t), ctx.account)).as_object();
  if (!v.as_object().contains("Statement") || !v.at("Statement").is_array()) v.as_object()["Statement"] = json::array();
  return v.as_object();
}

}  // namespace

// The topic a TopicArn names in the caller's partition.
const Topic* SnsService::find_topic(const CallContext& ctx, std::string_view arn) const {
  auto a = parse_arn(arn);
  if (!a || a->service != "sns" || a->account != ctx.account || a->region != ctx.region) return nullptr;
  const SnsPartition* p = part(ctx);
  if (!p) return nullptr;
  auto it = p->topics.find(a->resource);
  return it == p->topics.end() ? nullptr : &it->second;
}
const Topic& SnsService::topic_of(const Input& in, const CallContext& ctx, std::string_view member) const {
  std::string_view arn = in.str(member);
  auto a = parse_arn(arn);
  if (!a)
    throw invalid_parameter(std::string(member) + " Reason: An ARN must have at least 6 elements, not " +
                            std::to_string(std::count(arn.begin(), arn.end(), ':') + 1));
  if (a->service != "sns" || a->resource.empty() || a->resource.find(':') != std::string::npos)
    throw invalid_parameter(std::string(member));
  const Topic* t = find_topic(ctx, arn);
  if (!t) throw not_found("Topic does not exist");
  return *t;
}

const Topic& SnsService::tagged_topic(const Input& in, const CallContext& ctx) const {
  const Topic* t = find_topic(ctx, in.str("ResourceArn"));
  if (!t) throw resource_not_found();
  return *t;
}

void SnsService::create_topic(const Request& req, Decision& out) const {
  std::string name(req.in.str("Name"));
  const json::object* attrs = req.in.object("Attributes");
  bool fifo_attr = false;
  if (attrs)
    if (auto* f = attrs->if_contains("FifoTopic"); f && f->is_string()) fifo_attr = is_true(f->as_string());
  bool fifo_name = ends_with(name, ".fifo");
  if (!valid_topic_name(name) || (fifo_name && !fifo_attr))
    throw invalid_parameter(fifo_name || fifo_attr
                            ? "Fifo Topic names must end with .fifo and must be made up of only uppercase and lowercase ASCII letters, numbers, underscores, and hyphens, and must be between 1 and 256 characters long."
                            : "Topic Name");
  if (fifo_attr && !fifo_name)
    throw invalid_parameter("Fifo Topic names must end with .fifo and must be made up of only uppercase and lowercase ASCII letters, numbers, underscores, and hyphens, and must be between 1 and 256 characters long.");
  auto checked = check_topic_attributes(attrs, true, fifo_attr);
  if (auto it = checked.find("FifoTopic"); it != checked.end() && it->second == "false") checked.erase(it);
  if (auto dpp = req.in.opt_str("DataProtectionPolicy"); dpp && !dpp->empty()) {
    std::string v(*dpp);
    check_topic_attribute("DataProtectionPolicy", v, true, fifo_attr);
    checked["DataProtectionPolicy"] = v;
  }
  auto tags = read_tags(req.in, "Tags");
  if (tags.size() > kMaxTags) throw tag_limit_exceeded();
  std::string arn = topic_arn(req.ctx.region, req.ctx.account, name);
  if (const SnsPartition* p = part(req.ctx))
    if (auto it = p->topics.find(name); it != p->topics.end()) {
      // Idempotent when the given attributes and tags equal the topic's.
      for (auto& [k, v] : checked)
        if (topic_attr(it->second, k) != v) throw invalid_parameter("Attributes Reason: Topic already exists with different attributes");
      for (auto& [k, v] : tags) {
        auto t = it->second.tags().find(k);
        if (t == it->second.tags().end() || t->second != v) throw invalid_parameter("Tags Reason: Topic already exists with different tags");
      }
      out.output = json::object{{"TopicArn", arn}};
      return;
    }
  Event ev;
  Topic* t = ev.mutable_topic_created()->mutable_topic();
  t->set_name(name);
  for (auto& [k, v] : checked) (*t->mutable_attributes())[k] = v;
  for (auto& [k, v] : tags) (*t->mutable_tags())[k] = v;
  t->set_created_ms(req.ctx.now_ms);
  out.add(std::move(ev));
  out.output = json::object{{"TopicArn", arn}};
}
// AWS: "deleting a topic that does not exist does not result in an error".
void SnsService::delete_topic(const Request& req, Decision& out) const {
  const Topic* found = nullptr;
  try {
    found = &topic_of(req.in, req.ctx);
  } catch (ApiError& e) {
    if (e.code == "NotFound") return;
    throw;
  }
  const Topic& t = *found;
  Event ev;
  ev.mutable_topic_deleted()->set_name(t.name());
  out.add(std::move(ev));
}
void SnsService::list_topics(const Request& req, Decision& out) const {
  Page page = page_of(req.in);
  json::array topics;
  if (const SnsPartition* p = part(req.ctx))
    for (auto it = p->topics.upper_bound(page.after()); it != p->topics.end(); ++it) {
      if (page.full(topics.size(), it->first)) break;
      topics.push_back(json::object{{"TopicArn", topic_arn_of(req.ctx, it->second)}});
    }
  json::object result{{"Topics", std::move(topics)}};
  page.emit(result);
  out.output = std::move(result);
}

void SnsService::get_topic_attributes(const Request& req, Decision& out) const {
  out.output = json::object{{"Attributes", topic_attributes(req.ctx, topic_of(req.in, req.ctx))}};
}

void SnsService::set_topic_attributes(const Request& req, Decision& out) const {
  const Topic& t = topic_of(req.in, req.ctx);
  std::string n(req.in.str("AttributeName"));
  std::string v = req.in.str_or("AttributeValue", "");
  check_topic_attribute(n, v, false, fifo(t));
  Event ev;
  ev.mutable_topic_attributes()->set_name(t.name());
  (*ev.mutable_topic_attributes()->mutable_attributes())[n] = v;
  out.add(std::move(ev));
}

void SnsService::add_permission(const Request& req, Decision& out) const {
  const Topic& t = topic_of(req.in, req.ctx);
  std::string label(req.in.str("Label"));
  json::object policy = policy_of(req.ctx, t);
  json::array& sts = policy["Statement"].as_array();
  for (auto& s : sts)
    if (s.is_object() && s.as_object().contains("Sid") && s.at("Sid") == json::value(label)) throw statement_already_exists();
  json::array principals, actions;
  if (auto* a = req.in.array("ActionName"))
    for (auto& x : *a) {
      if (!one_of(kPolicyActions, x.as_string())) throw action_out_of_scope();
      actions.push_back(json::string("SNS:" + std::string(x.as_string())));
    }
  if (auto* a = req.in.array("AWSAccountId"))
    for (auto& x : *a) {
      // AWS resolves each account id to a principal; one that is not an
      // account id names none.
      if (!is_account_id(x.as_string())) throw invalid_parameter("Policy Error: PrincipalNotFound");
      principals.push_back(json::string(arn_prefix(req.ctx.region) + "iam::" + std::string(x.as_string()) + ":root"));
    }
  // One principal or action is a string, several a list (as AWS writes the statement).
  auto one_or_list = [](json::array a) { return a.size() == 1 ? json::value(a[0]) : json::value(std::move(a)); };
  sts.push_back(json::object{{"Sid", label},
                             {"Effect", "Allow"},
                             {"Principal", json::object{{"AWS", one_or_list(std::move(principals))}}},
                             {"Action", one_or_list(std::move(actions))},
                             {"Resource", topic_arn_of(req.ctx, t)}});
  Event ev;
  ev.mutable_topic_attributes()->set_name(t.name());
  (*ev.mutable_topic_attributes()->mutable_attributes())["Policy"] = json::serialize(policy);
  out.add(std::move(ev));
}

void SnsService::remove_permission(const Request& req, Decision& out) const {
  const Topic& t = topic_of(req.in, req.ctx);
  std::string label(req.in.str("Label"));
  json::object policy = policy_of(req.ctx, t);
  json::array& sts = policy["Statement"].as_array();
  auto before = sts.size();
  sts.erase(std::remove_if(sts.begin(), sts.end(),
                           [&](const json::value& s) {
                             return s.is_object() && s.as_object().contains("Sid") && s.at("Sid") == json::value(label);
                           }),
            sts.end());
  if (sts.size() == before) return;
  Event ev;
  ev.mutable_topic_attributes()->set_name(t.name());
  (*ev.mutable_topic_attributes()->mutable_attributes())["Policy"] = json::serialize(policy);
  out.add(std::move(ev));
}

void SnsService::get_data_protection_policy(const Request& req, Decision& out) const {
  const Topic& t = topic_of(req.in, req.ctx, "ResourceArn");
  json::object result;
  std::string p = topic_attr(t, "DataProtectionPolicy");
  if (!p.empty()) result["DataProtectionPolicy"] = p;
  out.output = std::move(result);
}

void SnsService::put_data_protection_policy(const Request& req, Decision& out) const {
  const Topic& t = topic_of(req.in, req.ctx, "ResourceArn");
  std::string v(req.in.str("DataProtectionPolicy"));
  check_topic_attribute("DataProtectionPolicy", v, false, fifo(t));
  Event ev;
  ev.mutable_topic_attributes()->set_name(t.name());
  (*ev.mutable_topic_attributes()->mutable_attributes())["DataProtectionPolicy"] = v;
  out.add(std::move(ev));
}

void SnsService::tag_resource(const Request& req, Decision& out) const {
  const Topic& t = tagged_topic(req.in, req.ctx);
  auto tags = read_tags(req.in, "Tags");
  std::set<std::string> keys;
  for (auto& [k, v] : t.tags()) keys.insert(k);
  for (auto& [k, v] : tags) keys.insert(k);
  if (keys.size() > kMaxTags)
    throw tag_limit_exceeded();
  Event ev;
  ev.mutable_tags()->set_topic(t.name());
  for (auto& [k, v] : tags) (*ev.mutable_tags()->mutable_set())[k] = v;
  out.add(std::move(ev));
  out.output = json::object();
}

void SnsService::untag_resource(const Request& req, Decision& out) const {
  const Topic& t = tagged_topic(req.in, req.ctx);
  Event ev;
  ev.mutable_tags()->set_topic(t.name());
  if (auto* keys = req.in.array("TagKeys"))
    for (auto& k : *keys)
      if (k.is_string()) ev.mutable_tags()->add_removed(std::string(k.as_string()));
  out.add(std::move(ev));
  out.output = json::object();
}

void SnsService::list_tags_for_resource(const Request& req, Decision& out) const {
  const Topic& t = tagged_topic(req.in, req.ctx);
  std::map<std::string, std::string> sorted(t.tags().begin(), t.tags().end());
  json::array tags;
  for (auto& [k, v] : sorted) tags.push_back(json::object{{"Key", k}, {"Value", v}});
  out.output = json::object{{"Tags", std::move(tags)}};
}

}  // namespace podstack::sns
