// S3's bucket configurations kept per id: Put/Get/Delete/List of
// BucketAnalyticsConfiguration, BucketMetricsConfiguration,
// BucketInventoryConfiguration and BucketIntelligentTieringConfiguration.
// Stored as given and answered back; podstack produces no analytics,
// metrics, inventory reports or tier moves. Each is a bucket config named
// "<kind>/<id>", so they replay, snapshot and travel in pods with the bucket.
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketMetricsConfiguration.html
#include <string>

#include "server/services/s3/s3_errors.h"
#include "server/services/s3/s3_service.h"

namespace podstack::s3 {
namespace {

constexpr size_t kPage = 100;  // AWS answers these lists 100 at a time

struct IdConfig {
  std::string_view family;  // the operation's name between "Bucket" and "Configuration"
  std::string_view prefix;  // the stored config's name prefix
};

// "GetBucketMetricsConfiguration" -> {Metrics, "metrics/"}
IdConfig family_of(std::string_view op) {
  for (IdConfig c : {IdConfig{"Analytics", "analytics/"}, IdConfig{"Metrics", "metrics/"}, IdConfig{"Inventory", "inventory/"},
                     IdConfig{"IntelligentTiering", "intelligenttiering/"}})
    if (op.find(std::string("Bucket") + std::string(c.family) + "Configuration") != std::string_view::npos) return c;
  throw ApiError::internal("unknown configuration operation " + std::string(op));
}

std::string member_of(const IdConfig& c) { return std::string(c.family) + "Configuration"; }

}  // namespace

void S3Service::put_id_config(const Request& req, Decision& out) const {
  const Input& in = req.in;
  const BucketState& b = bucket(req.ctx, in.str("Bucket"));
  IdConfig c = family_of(req.operation);
  std::string id(in.str("Id"));
  std::string name = std::string(c.prefix) + id;
  std::string value;
  if (req.operation.rfind("Put", 0) == 0) {
    const json::object* cfg = in.object(member_of(c));
    if (!cfg) throw malformed_xml();
    auto* body_id = cfg->if_contains("Id");
    if (!body_id || !body_id->is_string()) throw malformed_xml();
    if (body_id->as_string() != id)
      throw invalid_argument("Configuration ID mismatch", "id", std::string(body_id->as_string()));
    value = json::serialize(*cfg);
  } else {
    bool have = false;
    for (auto& cfg : b.meta.configs()) have = have || cfg.name() == name;
    if (!have) throw no_such_configuration();
  }
  Event ev;
  auto* cs = ev.mutable_config_set();
  cs->set_bucket(b.meta.name());
  cs->set_name(std::move(name));
  cs->set_value(std::move(value));
  out.add(std::move(ev));
}

void S3Service::get_id_config(const Request& req, Decision& out) const {
  const Input& in = req.in;
  const BucketState& b = bucket(req.ctx, in.str("Bucket"));
  IdConfig c = family_of(req.operation);
  std::string name = std::string(c.prefix) + std::string(in.str("Id"));
  for (auto& cfg : b.meta.configs())
    if (cfg.name() == name) {
      out.output = json::object{{member_of(c), json::parse(cfg.value())}};
      return;
    }
  throw no_such_configuration();
}

void S3Service::list_id_configs(const Request& req, Decision& out) const {
  const Input& in = req.in;
  const BucketState& b = bucket(req.ctx, in.str("Bucket"));
  IdConfig c = family_of(req.operation);
  std::string after;
  if (auto token = in.opt_str("ContinuationToken")) after = std::string(c.prefix) + std::string(*token);
  json::array list;
  std::string last;
  bool truncated = false;
  for (auto& cfg : b.meta.configs()) {  // sorted by name: ids in order
    if (cfg.name().rfind(c.prefix, 0) != 0 || (!after.empty() && cfg.name() <= after)) continue;
    if (list.size() == kPage) {
      truncated = true;
      break;
    }
    list.push_back(json::parse(cfg.value()));
    last = cfg.name().substr(c.prefix.size());
  }
  json::object res{{"IsTruncated", truncated}};
  if (!list.empty()) res[member_of(c) + "List"] = std::move(list);
  if (auto token = in.opt_str("ContinuationToken")) res["ContinuationToken"] = *token;
  if (truncated) res["NextContinuationToken"] = last;
  out.output = std::move(res);
}

}  // namespace podstack::s3
