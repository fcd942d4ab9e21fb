#include "server/services/s3/s3_notifications.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "server/protocol/encoding.h"
#include "server/services/arn.h"
#include "server/services/s3/s3_errors.h"

namespace podstack::s3 {

namespace {

const std::set<std::string_view>& known_events() {
  static const std::set<std::string_view> s = {
      "s3:ReducedRedundancyLostObject",
      "s3:ObjectCreated:*",
      "s3:ObjectCreated:Put",
      "s3:ObjectCreated:Post",
      "s3:ObjectCreated:Copy",
      "s3:ObjectCreated:CompleteMultipartUpload",
      "s3:ObjectRemoved:*",
      "s3:ObjectRemoved:Delete",
      "s3:ObjectRemoved:DeleteMarkerCreated",
      "s3:ObjectRestore:*",
      "s3:ObjectRestore:Post",
      "s3:ObjectRestore:Completed",
      "s3:ObjectRestore:Delete",
      "s3:Replication:*",
      "s3:Replication:OperationFailedReplication",
      "s3:Replication:OperationNotTracked",
      "s3:Replication:OperationMissedThreshold",
      "s3:Replication:OperationReplicatedAfterThreshold",
      "s3:LifecycleTransition",
      "s3:IntelligentTiering",
      "s3:ObjectAcl:Put",
      "s3:LifecycleExpiration:*",
      "s3:LifecycleExpiration:Delete",
      "s3:LifecycleExpiration:DeleteMarkerCreated",
      "s3:ObjectTagging:*",
      "s3:ObjectTagging:Put",
      "s3:ObjectTagging:Delete",
  };
  return s;
}

// A destination ARN of `service` with a region, an account and a name.
std::optional<Arn> destination_arn(std::string_view arn, std::string_view service) {
  auto a = parse_arn(arn);
  if (!a || a->service != service || a->region.empty() || a->account.empty() || a->resource.empty()) return std::nullopt;
  return a;
}

// The configurations that name a destination podstack delivers to.
struct Target {
  std::string_view list, arn_member, service;
};
constexpr Target kTargets[] = {
    {"QueueConfigurations", "QueueArn", "sqs"},
    {"TopicConfigurations", "TopicArn", "sns"},
    {"LambdaFunctionConfigurations", "LambdaFunctionArn", "lambda"},
};

std::string str(const json::object& o, std::string_view k) {
  auto* v = o.if_contains(k);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

bool event_matches(const json::object& cfg, std::string_view event) {
  auto* evs = cfg.if_contains("Events");
  if (!evs || !evs->is_array()) return false;
  std::string full = "s3:" + std::string(event);
  std::string family = full.substr(0, full.rfind(':')) + ":*";
  for (auto& e : evs->as_array())
    if (e.is_string() && (e.as_string() == full || e.as_string() == family)) return true;
  return false;
}

bool key_matches(const json::object& cfg, std::string_view key) {
  auto* f = cfg.if_contains("Filter");
  if (!f || !f->is_object()) return true;
  auto* k = f->as_object().if_contains("Key");
  if (!k || !k->is_object()) return true;
  auto* rules = k->as_object().if_contains("FilterRules");
  if (!rules || !rules->is_array()) return true;
  for (auto& r : rules->as_array()) {
    if (!r.is_object()) continue;
    std::string name = str(r.as_object(), "Name"), value = str(r.as_object(), "Value");
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    if (name == "prefix" && key.substr(0, value.size()) != value) return false;
    if (name == "suffix" && (key.size() < value.size() || key.substr(key.size() - value.size()) != value)) return false;
  }
  return true;
}

// Keys in event records are URL-encoded with '+' for spaces, as AWS sends them.
std::string event_key(std::string_view key) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : key) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == '/' || c == '*') out += static_cast<char>(c);
    else if (c == ' ') out += '+';
    else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

std::string iso_ms(int64_t ms) { return protocol::iso8601(static_cast<double>(ms) / 1000.0); }

void add_delivery(std::string_view service, const Arn& arn, const std::string& full_arn, std::string message,
                  std::vector<Delivery>& out) {
  Delivery d;
  d.service = std::string(service);
  d.account = arn.account;
  d.region = arn.region;
  if (service == "sqs") {
    d.kind = "message";
    d.input = json::object{{"QueueArn", full_arn}, {"MessageBody", std::move(message)}};
  } else {
    d.kind = "publish";
    d.input = json::object{{"TopicArn", full_arn}, {"Message", std::move(message)}, {"Subject", "Amazon S3 Notification"}};
  }
  out.push_back(std::move(d));
}

}  // namespace

void check_notification_config(json::object& config) {
  for (const Target& t : kTargets) {
    auto* list = config.if_contains(t.list);
    if (!list || !list->is_array()) continue;
    for (auto& c : list->as_array()) {
      if (!c.is_object()) throw invalid_argument("The notification configuration is not valid");
      json::object& cfg = c.as_object();
      std::string arn = str(cfg, t.arn_member);
      if (!destination_arn(arn, t.service)) throw invalid_argument("The ARN is not well formed", std::string(t.arn_member), arn);
      auto* evs = cfg.if_contains("Events");
      if (!evs || !evs->is_array() || evs->as_array().empty())
        throw invalid_argument("A specified event is not supported for notifications.");
      for (auto& e : evs->as_array())
        if (!e.is_string() || !known_events().count(std::string_view(e.as_string())))
          throw invalid_argument("The event is not supported for notifications", "Event",
                        e.is_string() ? std::string(e.as_string()) : std::string());
      if (auto* f = cfg.if_contains("Filter"); f && f->is_object()) {
        auto* k = f->as_object().if_contains("Key");
        auto* rules = k && k->is_object() ? k->as_object().if_contains("FilterRules") : nullptr;
        std::set<std::string> seen;
        if (rules && rules->is_array())
          for (auto& r : rules->as_array()) {
            std::string name = r.is_object() ? str(r.as_object(), "Name") : std::string();
            std::transform(name.begin(), name.end(), name.begin(), [](unsigned char ch) { return std::tolower(ch); });
            if (name != "prefix" && name != "suffix")
              throw invalid_argument("filter rule name must be either prefix or suffix", "FilterRule", name);
            if (!seen.insert(name).second) throw invalid_argument("Cannot specify more than one " + name + " rule in a filter.", "FilterRule", name);
          }
      }
      // AWS names a configuration without an Id.
      if (str(cfg, "Id").empty()) cfg["Id"] = random_chars(48, "abcdefghijklmnopqrstuvwxyz0123456789");
    }
  }
}

void object_event_deliveries(std::string_view config_json, const ObjectEvent& e, const CallContext& ctx,
                             std::vector<Delivery>& out) {
  boost::system::error_code ec;
  json::value v = json::parse(config_json, ec);
  if (ec || !v.is_object()) return;
  const json::object& config = v.as_object();
  for (const Target& t : kTargets) {
    if (t.service == "lambda") continue;  // stored, not invoked
    auto* list = config.if_contains(t.list);
    if (!list || !list->is_array()) continue;
    for (auto& c : list->as_array()) {
      if (!c.is_object()) continue;
      const json::object& cfg = c.as_object();
      if (!event_matches(cfg, e.event) || !key_matches(cfg, e.key)) continue;
      std::string arn_s = str(cfg, t.arn_member);
      auto arn = destination_arn(arn_s, t.service);
      if (!arn) continue;
      json::object object{{"key", event_key(e.key)}};
      if (e.has_size) object["size"] = e.size;
      if (!e.etag.empty()) object["eTag"] = e.etag;
      if (!e.version_id.empty() && e.version_id != "null") object["versionId"] = e.version_id;
      char seq[32];
      std::snprintf(seq, sizeof seq, "%016llX", static_cast<unsigned long long>(ctx.now_ms) * 1000ULL);
      object["sequencer"] = seq;
      json::object record{
          {"eventVersion", "2.1"},
          {"eventSource", "aws:s3"},
          {"awsRegion", e.bucket_region.empty() ? std::string_view("us-east-1") : e.bucket_region},
          {"eventTime", iso_ms(ctx.now_ms)},
          {"eventName", e.event},
          {"userIdentity", json::object{{"principalId", "AWS:" + (ctx.access_key.empty() ? ctx.account : ctx.access_key)}}},
          {"requestParameters", json::object{{"sourceIPAddress", "127.0.0.1"}}},
          {"responseElements", json::object{{"x-amz-request-id", ctx.request_id}, {"x-amz-id-2", "eftixk72aD6Ap51TnqcoF8eFidJG9Z/2"}}},
          {"s3", json::object{{"s3SchemaVersion", "1.0"},
                              {"configurationId", str(cfg, "Id")},
                              {"bucket", json::object{{"name", e.bucket},
                                                      {"ownerIdentity", json::object{{"principalId", "A3NL1KOZZKExample"}}},
                                                      {"arn", arn_prefix(e.bucket_region) + "s3:::" + std::string(e.bucket)}}},
                              {"object", std::move(object)}}}};
      json::object msg{{"Records", json::array{std::move(record)}}};
      add_delivery(t.service, *arn, arn_s, json::serialize(msg), out);
    }
  }
}

void test_event_deliveries(const json::object& config, std::string_view bucket, const CallContext& ctx,
                           std::vector<Delivery>& out) {
  for (const Target& t : kTargets) {
    if (t.service == "lambda") continue;
    auto* list = config.if_contains(t.list);
    if (!list || !list->is_array()) continue;
    for (auto& c : list->as_array()) {
      if (!c.is_object()) continue;
      std::string arn_s = str(c.as_object(), t.arn_member);
      auto arn = destination_arn(arn_s, t.service);
      if (!arn) continue;
      json::object msg{{"Service", "Amazon S3"},
                       {"Event", "s3:TestEvent"},
                       {"Time", iso_ms(ctx.now_ms)},
                       {"Bucket", bucket},
                       {"RequestId", ctx.request_id},
                       {"HostId", "eftixk72aD6Ap51TnqcoF8eFidJG9Z/2"}};
      add_delivery(t.service, *arn, arn_s, json::serialize(msg), out);
    }
  }
}

}  // namespace podstack::s3
