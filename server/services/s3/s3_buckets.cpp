// S3 buckets: CreateBucket, DeleteBucket, HeadBucket, ListBuckets,
// GetBucketLocation.
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateBucket.html
#include "server/protocol/encoding.h"
#include "server/services/s3/s3_errors.h"
#include "server/services/s3/s3_service.h"

namespace podstack::s3 {
namespace {

// https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
bool valid_bucket_name(std::string_view n) {
  if (n.size() < 3 || n.size() > 63) return false;
  for (char c : n)
    if (!(std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == '-'))
      return false;
  if (!std::isalnum(static_cast<unsigned char>(n.front())) || !std::isalnum(static_cast<unsigned char>(n.back()))) return false;
  if (n.find("..") != std::string_view::npos || n.find(".-") != std::string_view::npos || n.find("-.") != std::string_view::npos)
    return false;
  // Reserved prefixes and suffixes (access point aliases, Multi-Region Access
  // Points, directory and table buckets).
  for (std::string_view p : {"xn--", "sthree-", "amzn-s3-demo-"})
    if (n.substr(0, p.size()) == p) return false;
  for (std::string_view s : {"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"})
    if (n.size() >= s.size() && n.substr(n.size() - s.size()) == s) return false;
  // Not an IP address.
  int dots = 0;
  bool digits_only = true;
  for (char c : n) {
    if (c == '.') ++dots;
    else if (!std::isdigit(static_cast<unsigned char>(c))) digits_only = false;
  }
  return !(dots == 3 && digits_only);
}

}  // namespace

void S3Service::create_bucket(const Request& req, Decision& out) const {
  const Input& in = req.in;
  const CallContext& ctx = req.ctx;
  std::string name(in.str("Bucket"));
  if (!valid_bucket_name(name))
    throw invalid_bucket_name(name);
  std::string constraint;
  if (auto* cfg = in.object("CreateBucketConfiguration"))
    if (auto* lc = cfg->if_contains("LocationConstraint"); lc && lc->is_string()) constraint = std::string(lc->as_string());
  std::string region = ctx.region;
  if (!constraint.empty()) {
    if (constraint == "us-east-1")
      throw invalid_location_constraint(constraint);
    if (constraint != "EU" && constraint != region)
      throw illegal_location_constraint_exception(constraint);
    region = constraint == "EU" ? "eu-west-1" : constraint;
  } else if (region != "us-east-1") {
    throw illegal_location_constraint_exception("");
  }
  for (auto& [key, part] : state().partitions()) {
    if (!part.buckets.count(name)) continue;
    if (key.first != ctx.account)
      throw bucket_already_exists(name);
    if (region == "us-east-1" && part.buckets.at(name).meta.region() == "us-east-1") {
      out.output = json::object{{"Location", "/" + name}};  // us-east-1 answers a re-create with 200
      return;
    }
    throw bucket_already_owned_by_you(name);
  }
  Event ev;
  auto* b = ev.mutable_bucket_created()->mutable_bucket();
  b->set_name(name);
  b->set_created_ms(ctx.now_ms);
  b->set_region(region);
  b->set_owner(ctx.account);
  if (auto ol = in.opt_str("ObjectOwnership")) {
    auto* c = b->add_configs();
    c->set_name("ownership");
    c->set_value(json::serialize(json::object{{"Rules", json::array{json::object{{"ObjectOwnership", *ol}}}}}));
  }
  if (in.flag("ObjectLockEnabledForBucket")) {  // Object Lock: versioned from the start, for good
    b->set_versioning("Enabled");
    auto* c = b->add_configs();
    c->set_name("objectlock");
    c->set_value(json::serialize(json::object{{"ObjectLockEnabled", "Enabled"}}));
    sort_by(b->mutable_configs(), [](const Config& c) { return c.name(); });
  }
  out.add(std::move(ev));
  out.output = json::object{{"Location", "/" + name}};
}

void S3Service::delete_bucket(const Request& req, Decision& out) const {
  const Input& in = req.in;
  const CallContext& ctx = req.ctx;
  const BucketState& b = bucket(ctx, in.str("Bucket"));
  if (!b.objects.empty())
    throw bucket_not_empty(b.meta.name());
  Event ev;
  ev.mutable_bucket_deleted()->set_bucket(b.meta.name());
  out.add(std::move(ev));
}

void S3Service::head_bucket(const Request& req, Decision& out) const {
  const Input& in = req.in;
  const CallContext& ctx = req.ctx;
  const BucketState& b = bucket(ctx, in.str("Bucket"));
  out.output = json::object{{"BucketRegion", b.meta.region()}};
}

void S3Service::list_buckets(const Request& req, Decision& out) const {
  const CallContext& ctx = req.ctx;
  json::array list;
  if (const AccountBuckets* p = state().partition(ctx.account))
    for (auto& [n, b] : p->buckets) list.push_back(json::object{{"Name", n}, {"CreationDate", seconds(b.meta.created_ms())}});
  out.output = json::object{{"Buckets", std::move(list)}, {"Owner", owner_json()}};
}

void S3Service::get_bucket_location(const Request& req, Decision& out) const {
  const Input& in = req.in;
  const CallContext& ctx = req.ctx;
  const BucketState& b = bucket(ctx, in.str("Bucket"));
  // <LocationConstraint>region</LocationConstraint>, empty for us-east-1.
  std::string xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<LocationConstraint xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">";
  if (b.meta.region() != "us-east-1") protocol::xml_escape_append(xml, b.meta.region());
  xml += "</LocationConstraint>";
  out.raw_xml = std::move(xml);
}

}  // namespace podstack::s3
