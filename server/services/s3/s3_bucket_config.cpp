// S3 bucket configuration: PutBucketVersioning, GetBucketVersioning,
// Put/Get/DeleteBucketTagging, the stored configurations (Put/Get/Delete of
// BucketCors, BucketLifecycleConfiguration, BucketEncryption, BucketPolicy,
// BucketWebsite, BucketNotificationConfiguration, BucketReplication,
// BucketOwnershipControls, BucketLogging, BucketRequestPayment,
// BucketAccelerateConfiguration, ObjectLockConfiguration), the public
// access block, and __EvaluateCors (the CORS check the gateway runs: cors_operation()).
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketCors.html
#include <algorithm>

#include "server/protocol/encoding.h"
#include "server/services/s3/s3_errors.h"
#include "server/services/s3/s3_http.h"
#include "server/services/s3/s3_lifecycle.h"
#include "server/services/s3/s3_notifications.h"
#include "server/services/s3/s3_service.h"

namespace podstack::s3 {

// The stored configurations: the name each operation family carries after
// "Put/Get/DeleteBucket" -> what is stored, its payload member, and the error
// of a Get when there is none.
const std::map<std::string_view, ConfigOp>& config_ops() {
  static const std::map<std::string_view, ConfigOp> m = {
      {"Cors", {"cors", "CORSConfiguration", &no_such_cors_configuration}},
      {"LifecycleConfiguration", {"lifecycle", "LifecycleConfiguration", &no_such_lifecycle_configuration}},
      {"Encryption", {"encryption", "ServerSideEncryptionConfiguration", &server_side_encryption_configuration_not_found_error}},
      {"Policy", {"policy", "Policy", &no_such_bucket_policy}},
      {"Website", {"website", "WebsiteConfiguration", &no_such_website_configuration}},
      {"NotificationConfiguration", {"notification", "NotificationConfiguration", nullptr}},
      {"Replication", {"replication", "ReplicationConfiguration", &replication_configuration_not_found_error}},
      {"OwnershipControls", {"ownership", "OwnershipControls", &ownership_controls_not_found_error}},
      {"Logging", {"logging", "BucketLoggingStatus", nullptr}},
      {"RequestPayment", {"requestpayment", "RequestPaymentConfiguration", nullptr}},
      {"AccelerateConfiguration", {"accelerate", "AccelerateConfiguration", nullptr}},
      // Put/GetObjectLockConfiguration (named without "Bucket"); enforced in s3_object_lock.cpp.
      {"ObjectLockConfiguration", {"objectlock", "ObjectLockConfiguration", &object_lock_configuration_not_found_error}},
  };
  return m;
}

namespace {

// The stored configuration an operation names: "PutBucketCors" -> cors.
const ConfigOp& config_of(std::string_view op) {
  if (op == "PutObjectLockConfiguration" || op == "GetObjectLockConfiguration") return config_ops().at("ObjectLockConfiguration");
  for (std::string_view verb : {"PutBucket", "GetBucket", "DeleteBucket"})
    if (op.rfind(verb, 0) == 0) {
      std::string_view rest = op.substr(verb.size());
      if (rest == "Lifecycle") rest = "LifecycleConfiguration";
      auto it = config_ops().find(rest);
      if (it != config_ops().end()) return it->second;
    }
  throw ApiError::internal("unknown configuration operation " + std::string(op));
}

// CORS as S3 evaluates it: the first rule whose origin, method and (for a
// preflight) requested headers all match. Input: Bucket, Origin, Method,
// RequestHeaders (comma list), Preflight. Output: "headers" to add, or an
// error (preflight only).
bool wildcard_match(std::string_view pattern, std::string_view s, bool ci) {
  auto eq = [ci](char a, char b) {
    return ci ? std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b)) : a == b;
  };
  size_t star = pattern.find('*');
  if (star == std::string_view::npos)
    return pattern.size() == s.size() && std::equal(pattern.begin(), pattern.end(), s.begin(), eq);
  std::string_view pre = pattern.substr(0, star), post = pattern.substr(star + 1);
  return s.size() >= pre.size() + post.size() && std::equal(pre.begin(), pre.end(), s.begin(), eq) &&
         std::equal(post.begin(), post.end(), s.end() - post.size(), eq);
}

}  // namespace

void S3Service::put_bucket_versioning(const Request& req, Decision& out) const {
  const Input& in = req.in;
  const CallContext& ctx = req.ctx;
  const BucketState& b = bucket(ctx, in.str("Bucket"));
  auto* cfg = in.object("VersioningConfiguration");
  auto* st = cfg ? cfg->if_contains("Status") : nullptr;
  if (!st || !st->is_string()) throw malformed_xml();
  std::string status(st->as_string());
  if (status != "Enabled" && status != "Suspended") throw malformed_xml();
  if (status == "Suspended" && lock_enabled(b))
    throw invalid_bucket_state("An Object Lock configuration is present on this bucket, so the versioning state cannot be changed.");
  Event ev;
  ev.mutable_versioning_set()->set_bucket(b.meta.name());
  ev.mutable_versioning_set()->set_status(status);
  out.add(std::move(ev));
}

void S3Service::get_bucket_versioning(const Request& req, Decision& out) const {
  const Input& in = req.in;
  const CallContext& ctx = req.ctx;
  const BucketState& b = bucket(ctx, in.str("Bucket"));
  json::object o;
  if (!b.meta.versioning().empty()) o["Status"] = b.meta.versioning();
  out.output = std::move(o);
}

void S3Service::put_bucket_tagging(const Request& req, Decision& out) const {
  const Input& in = req.in;
  const CallContext& ctx = req.ctx;
  const BucketState& b = bucket(ctx, in.str("Bucket"));
  auto tags = tags_from_input(in.object("Tagging"));
  Event ev;
  ev.mutable_tags_set()->set_bucket(b.meta.name());
  for (auto& t : tags) *ev.mutable_tags_set()->add_tags() = t;
  out.add(std::move(ev));
}

void S3Service::get_bucket_tagging(const Request& req, Decision& out) const {
  const Input& in = req.in;
  const CallContext& ctx = req.ctx;
  const BucketState& b = bucket(ctx, in.str("Bucket"));
  if (b.meta.tags_size() == 0)
    throw no_such_tag_set(b.meta.name());
  out.output = json::object{{"TagSet", tags_json(b.meta.tags())}};
}

void S3Service::delete_bucket_tagging(const Request& req, Decision& out) const {
  const Input& in = req.in;
  const CallContext& ctx = req.ctx;
  const BucketState& b = bucket(ctx, in.str("Bucket"));
  if (b.meta.tags_size() == 0) return;
  Event ev;
  ev.mutable_tags_set()->set_bucket(b.meta.name());
  out.add(std::move(ev));
}

// Stored configurations (CORS, lifecycle, encryption, policy, ...): the
// payload member's value kept as JSON, returned as given.
void S3Service::put_config(const Request& req, Decision& out) const {
  const Input& in = req.in;
  const CallContext& ctx = req.ctx;
  const BucketState& b = bucket(ctx, in.str("Bucket"));
  std::string_view opname = req.operation;
  const ConfigOp& op = config_of(opname);
  bool del = opname.rfind("DeleteBucket", 0) == 0;
  std::string value;
  if (!del) {
    const json::value* v = in.raw().if_contains(op.member);
    if (op.config == "objectlock") check_lock_configuration(b, v);
    if (!v || v->is_null()) throw malformed_xml();
    if (op.config == "lifecycle") check_lifecycle_config(*v);
    if (op.config == "policy") {
      if (!v->is_string()) throw malformed_xml();
      boost::system::error_code ec;
      json::value doc = json::parse(v->as_string(), ec);
      if (ec || !doc.is_object())
        throw malformed_policy();
      value = std::string(v->as_string());
    } else if (op.config == "notification" && v->is_object()) {
      json::object config = v->as_object();
      check_notification_config(config);
      test_event_deliveries(config, b.meta.name(), ctx, out.deliveries);
      value = json::serialize(config);
    } else {
      value = json::serialize(*v);
    }
  } else {
    bool have = false;
    for (auto& c : b.meta.configs()) have = have || c.name() == op.config;
    if (!have) return;
  }
  Event ev;
  auto* cs = ev.mutable_config_set();
  cs->set_bucket(b.meta.name());
  cs->set_name(std::string(op.config));
  cs->set_value(value);
  out.add(std::move(ev));
}

void S3Service::get_config(const Request& req, Decision& out) const {
  const Input& in = req.in;
  const CallContext& ctx = req.ctx;
  const BucketState& b = bucket(ctx, in.str("Bucket"));
  const ConfigOp* op = &config_of(req.operation);
  for (auto& c : b.meta.configs()) {
    if (c.name() != op->config) continue;
    if (op->config == "policy") {
      out.output = json::object{{"Policy", c.value()}};
      return;
    }
    json::value v = json::parse(c.value());
    // Operations whose output is the configuration's members, not a payload.
    if (v.is_object() && (op->config == "cors" || op->config == "lifecycle" || op->config == "notification" ||
                          op->config == "website" || op->config == "logging" || op->config == "requestpayment" ||
                          op->config == "accelerate")) {
      out.output = v.as_object();
    } else {
      out.output = json::object{{op->member, std::move(v)}};
    }
    return;
  }
  if (op->config == "encryption") {  // every bucket has SSE-S3 by default (since 2023)
    out.output = json::object{{"ServerSideEncryptionConfiguration",
                               json::object{{"Rules", json::array{json::object{
                                                          {"ApplyServerSideEncryptionByDefault", json::object{{"SSEAlgorithm", "AES256"}}},
                                                          {"BucketKeyEnabled", false}}}}}}};
    return;
  }
  if (op->config == "requestpayment") {  // the owner pays unless told otherwise
    out.output = json::object{{"Payer", "BucketOwner"}};
    return;
  }
  if (!op->missing) {
    out.output = json::object();
    return;
  }
  throw op->missing(b.meta.name());
}

void S3Service::put_public_access_block(const Request& req, Decision& out) const {
  const Input& in = req.in;
  const CallContext& ctx = req.ctx;
  const BucketState& b = bucket(ctx, in.str("Bucket"));
  Event ev;
  auto* cs = ev.mutable_config_set();
  cs->set_bucket(b.meta.name());
  cs->set_name("publicaccessblock");
  if (req.operation == "PutPublicAccessBlock") {
    auto* v = in.object("PublicAccessBlockConfiguration");
    if (!v) throw malformed_xml();
    cs->set_value(json::serialize(*v));
  } else {
    bool have = false;
    for (auto& c : b.meta.configs()) have = have || c.name() == "publicaccessblock";
    if (!have) return;
  }
  out.add(std::move(ev));
}

void S3Service::get_public_access_block(const Request& req, Decision& out) const {
  const Input& in = req.in;
  const CallContext& ctx = req.ctx;
  const BucketState& b = bucket(ctx, in.str("Bucket"));
  for (auto& c : b.meta.configs())
    if (c.name() == "publicaccessblock") {
      out.output = json::object{{"PublicAccessBlockConfiguration", json::parse(c.value())}};
      return;
    }
  throw no_such_public_access_block_configuration(b.meta.name());
}

void S3Service::evaluate_cors(const Request& req, Decision& out) const {
  const Input& in = req.in;
  const CallContext& ctx = req.ctx;
  bool preflight = in.flag("Preflight");
  const AccountBuckets* p = state().partition(ctx.account);
  const BucketState* b = nullptr;
  if (p) {
    auto it = p->buckets.find(bucket_of(in.str_or("Path", "")));
    if (it != p->buckets.end()) b = &it->second;
  }
  auto deny = [&](std::string msg) {
    if (preflight) {
      // The resource the preflight is for: the bucket itself, or an object in it.
      std::string_view path = in.str("Path");
      size_t start = path.find_first_not_of('/');
      size_t slash = start == std::string_view::npos ? std::string_view::npos : path.find('/', start);
      bool object = slash != std::string_view::npos && slash + 1 < path.size();
      std::string method = in.str_or("Method", "");
      throw access_forbidden(std::move(msg), method.empty() ? "OPTIONS" : method, object ? "OBJECT" : "BUCKET");
    }
    out.output = json::object();
  };
  if (!b) {
    if (preflight) throw no_such_bucket(in.str_or("Bucket", ""));
    return deny("");
  }
  const std::string* cfg = nullptr;
  for (auto& c : b->meta.configs())
    if (c.name() == "cors") cfg = &c.value();
  if (!cfg) return deny("CORSResponse: CORS is not enabled for this bucket.");
  std::string origin = in.str_or("Origin", ""), method = in.str_or("Method", "");
  std::vector<std::string> req_headers = protocol::split_header_list(in.str_or("RequestHeaders", ""));
  json::value doc = json::parse(*cfg);
  auto* rules = doc.is_object() ? doc.as_object().if_contains("CORSRules") : nullptr;
  if (rules && rules->is_array())
    for (auto& rv : rules->as_array()) {
      if (!rv.is_object()) continue;
      const auto& r = rv.as_object();
      auto list = [&](std::string_view k) {
        std::vector<std::string> v;
        if (auto* a = r.if_contains(k); a && a->is_array())
          for (auto& x : a->as_array())
            if (x.is_string()) v.emplace_back(x.as_string());
        return v;
      };
      auto origins = list("AllowedOrigins"), methods = list("AllowedMethods"), allowed = list("AllowedHeaders"),
           expose = list("ExposeHeaders");
      std::string matched;
      for (auto& o : origins)
        if (wildcard_match(o, origin, false)) matched = o;
      if (matched.empty() || std::find(methods.begin(), methods.end(), method) == methods.end()) continue;
      bool headers_ok = true;
      for (auto& h : req_headers) {
        bool ok = false;
        for (auto& a : allowed) ok = ok || wildcard_match(a, h, true);
        headers_ok = headers_ok && ok;
      }
      if (preflight && !headers_ok) continue;
      json::object h;
      bool any = matched == "*";
      h["Access-Control-Allow-Origin"] = any ? "*" : origin;
      std::string ms;
      for (auto& m : methods) ms += (ms.empty() ? "" : ", ") + m;
      h["Access-Control-Allow-Methods"] = ms;
      if (!any) h["Access-Control-Allow-Credentials"] = "true";
      if (!expose.empty()) {
        std::string e;
        for (auto& x : expose) e += (e.empty() ? "" : ", ") + x;
        h["Access-Control-Expose-Headers"] = e;
      }
      if (preflight && !req_headers.empty()) {
        std::string e;
        for (auto& x : req_headers) e += (e.empty() ? "" : ", ") + x;
        h["Access-Control-Allow-Headers"] = e;
      }
      // On the preflight and, as S3 does, on the request itself.
      if (auto* ma = r.if_contains("MaxAgeSeconds"); ma && ma->is_number()) h["Access-Control-Max-Age"] = std::to_string(ma->to_number<int64_t>());
      h["Vary"] = "Origin, Access-Control-Request-Headers, Access-Control-Request-Method";
      out.output = json::object{{"headers", std::move(h)}};
      return;
    }
  deny("CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / "
       "Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.");
}

}  // namespace podstack::s3
