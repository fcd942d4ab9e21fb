// S3 Object Lock: Put/GetObjectRetention, Put/GetObjectLegalHold, and what
// the other handlers ask of it (s3_util.h): the lock of a new object from
// its x-amz-object-lock-* headers or the bucket's default retention, the
// check that refuses deleting a protected version, the bypass header, and
// the checks of PutObjectLockConfiguration. A bucket has Object Lock when
// its "objectlock" configuration is stored (CreateBucket with
// ObjectLockEnabledForBucket stores {"ObjectLockEnabled":"Enabled"}).
// Times are the request's (CallContext::now_ms), never a clock.
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock.html
// Errors as AWS answers them: LocalStack's AWS-validated snapshots
// (tests/aws/services/s3/test_s3.py TestS3ObjectLockRetention / LegalHold,
// test_s3_api.py TestS3ObjectLock).
#include <chrono>
#include <cmath>
#include <cstdio>

#include "server/services/s3/s3_errors.h"
#include "server/services/s3/s3_service.h"

namespace podstack::s3 {
namespace {

constexpr std::string_view kLocked = "Access Denied because object protected by object lock.";
constexpr std::string_view kGovernance = "GOVERNANCE", kCompliance = "COMPLIANCE";

const std::string* lock_config(const BucketState& b) {
  for (auto& c : b.meta.configs())
    if (c.name() == "objectlock") return &c.value();
  return nullptr;
}

void require_lock(const BucketState& b) {
  if (!lock_enabled(b)) throw invalid_request("Bucket is missing Object Lock Configuration");
}

int64_t to_ms(const json::value& v) { return static_cast<int64_t>(std::llround(v.to_number<double>() * 1000.0)); }

// The version a retention or legal-hold request names; a delete marker is
// 405 with the request's method.
const ObjectVersion& lock_target(const BucketState& b, std::string_view key, const Input& in, const char* method) {
  auto it = b.objects.find(key);
  auto vid = in.opt_str("VersionId");
  const ObjectVersion* v = nullptr;
  if (vid && !vid->empty()) {
    if (it != b.objects.end())
      for (auto& x : it->second)
        if (x.version_id() == *vid) v = &x;
    if (!v) {
      if (*vid != "null" && vid->size() != 32) throw invalid_argument("Invalid version id specified", "versionId", std::string(*vid));
      throw no_such_version(key, *vid);
    }
  } else {
    if (it == b.objects.end() || it->second.empty() || it->second.front().delete_marker()) throw no_such_key(key);
    v = &it->second.front();
  }
  if (v->delete_marker()) throw method_not_allowed(method, "DeleteMarker");
  return *v;
}

// As AWS shows a RetainUntilDate it refuses: Java's Date.toString() in US
// Pacific time ("Tue Dec 31 16:00:00 PST 2019").
std::string pacific_date(int64_t ms) {
  namespace c = std::chrono;
  c::sys_seconds t{c::seconds(ms / 1000)};
  c::year y = c::year_month_day{c::floor<c::days>(t)}.year();
  // DST: the second Sunday of March 02:00 PST to the first Sunday of November 02:00 PDT.
  c::sys_seconds start = c::sys_days{y / c::March / c::Sunday[2]} + c::hours(10);
  c::sys_seconds end = c::sys_days{y / c::November / c::Sunday[1]} + c::hours(9);
  bool dst = t >= start && t < end;
  c::sys_seconds local = t - c::hours(dst ? 7 : 8);
  c::sys_days day = c::floor<c::days>(local);
  c::year_month_day ymd{day};
  c::hh_mm_ss hms{local - day};
  static const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s %s %02u %02d:%02d:%02d %s %d", kDays[c::weekday{day}.c_encoding()],
                kMonths[static_cast<unsigned>(ymd.month()) - 1], static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()), dst ? "PDT" : "PST", static_cast<int>(ymd.year()));
  return buf;
}

void add_updated(const BucketState& b, ObjectVersion&& o, Decision& out) {
  Event ev;
  ev.mutable_object_updated()->set_bucket(b.meta.name());
  *ev.mutable_object_updated()->mutable_object() = std::move(o);
  out.add(std::move(ev));
}

}  // namespace

bool lock_enabled(const BucketState& b) { return lock_config(b) != nullptr; }

void apply_object_lock(const BucketState& b, const Input& in, const CallContext& ctx, ObjectVersion& o) {
  auto mode = in.opt_str("ObjectLockMode");
  const json::value* until = in.raw().if_contains("ObjectLockRetainUntilDate");
  if (until && !until->is_number()) until = nullptr;
  auto hold = in.opt_str("ObjectLockLegalHoldStatus");
  static const std::string kBoth = "x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied";
  if (mode && !until) throw invalid_argument(kBoth).with("ArgumentName", "x-amz-object-lock-retain-until-date");
  if (!mode && until) throw invalid_argument(kBoth).with("ArgumentName", "x-amz-object-lock-mode");
  if (mode && *mode != kGovernance && *mode != kCompliance)
    throw invalid_argument("Unknown wormMode directive.", "x-amz-object-lock-mode", std::string(*mode));
  const std::string* cfg = lock_config(b);
  if ((mode || hold) && !cfg) throw invalid_request("Bucket is missing ObjectLockConfiguration");
  if (hold) o.set_legal_hold(std::string(*hold));
  if (mode) {
    o.set_lock_mode(std::string(*mode));
    o.set_lock_until_ms(to_ms(*until));
    return;
  }
  if (!cfg || cfg->find("DefaultRetention") == std::string::npos) return;
  // The bucket's default retention, counted from the object's creation.
  boost::system::error_code ec;
  json::value v = json::parse(*cfg, ec);
  const json::value* r = nullptr;
  if (!ec && v.is_object())
    if (auto* rule = v.as_object().if_contains("Rule"); rule && rule->is_object()) r = rule->as_object().if_contains("DefaultRetention");
  if (!r || !r->is_object()) return;
  const auto& d = r->as_object();
  auto* m = d.if_contains("Mode");
  if (!m || !m->is_string()) return;
  int64_t days = 0;
  if (auto* n = d.if_contains("Days"); n && n->is_number()) days = n->to_number<int64_t>();
  if (auto* n = d.if_contains("Years"); n && n->is_number()) days = n->to_number<int64_t>() * 365;
  o.set_lock_mode(std::string(m->as_string()));
  o.set_lock_until_ms(ctx.now_ms + days * 86'400'000);
}

bool bypass_governance(const BucketState& b, const Input& in) {
  const json::value* v = in.raw().if_contains("BypassGovernanceRetention");
  if (!v || v->is_null()) return false;
  if (!lock_enabled(b))
    throw invalid_argument("x-amz-bypass-governance-retention is only applicable to Object Lock enabled buckets.")
        .with("ArgumentName", "x-amz-bypass-governance-retention");
  return v->is_bool() && v->as_bool();
}

void check_deletable(const ObjectVersion& v, bool bypass, int64_t now_ms) {
  if (v.delete_marker()) return;
  if (v.legal_hold() == "ON") throw access_denied(std::string(kLocked));
  if (v.lock_mode().empty() || v.lock_until_ms() <= now_ms) return;
  if (v.lock_mode() == kGovernance && bypass) return;
  throw access_denied(std::string(kLocked));
}

void check_lock_configuration(const BucketState& b, const json::value* cfg) {
  if (b.meta.versioning() != "Enabled")
    throw invalid_bucket_state("Versioning must be 'Enabled' on the bucket to apply a Object Lock configuration");
  if (!cfg || !cfg->is_object()) throw malformed_xml();
  const auto& c = cfg->as_object();
  auto* enabled = c.if_contains("ObjectLockEnabled");
  if (!enabled || !enabled->is_string() || enabled->as_string() != "Enabled") throw malformed_xml();
  auto* rule = c.if_contains("Rule");
  if (!rule || rule->is_null()) return;
  auto* r = rule->is_object() ? rule->as_object().if_contains("DefaultRetention") : nullptr;
  if (!r || !r->is_object()) throw malformed_xml();
  const auto& d = r->as_object();
  auto* mode = d.if_contains("Mode");
  bool days = d.contains("Days") && !d.at("Days").is_null(), years = d.contains("Years") && !d.at("Years").is_null();
  if (!mode || !mode->is_string() || days == years) throw malformed_xml();
  if (mode->as_string() != kGovernance && mode->as_string() != kCompliance) throw malformed_xml();
}

void S3Service::put_object_retention(const Request& req, Decision& out) const {
  const Input& in = req.in;
  const CallContext& ctx = req.ctx;
  const BucketState& b = bucket(ctx, in.str("Bucket"));
  require_lock(b);
  const ObjectVersion& cur = lock_target(b, in.str("Key"), in, "PUT");
  const json::object* r = in.object("Retention");
  if (r && r->empty()) r = nullptr;
  std::string mode;
  int64_t until = 0;
  if (r) {
    auto* m = r->if_contains("Mode");
    auto* d = r->if_contains("RetainUntilDate");
    if (!m || !m->is_string() || !d || !d->is_number()) throw malformed_xml();
    mode = std::string(m->as_string());
    if (mode != kGovernance && mode != kCompliance) throw malformed_xml();
    until = to_ms(*d);
    if (until < ctx.now_ms) throw invalid_argument("The retain until date must be in the future!", "RetainUntilDate", pacific_date(until));
  }
  // Shortening or weakening a retention still in force: never in
  // COMPLIANCE, in GOVERNANCE only with the bypass.
  bool in_force = !cur.lock_mode().empty() && cur.lock_until_ms() > ctx.now_ms;
  bool weaker = !r || cur.lock_until_ms() > until || (mode == kGovernance && cur.lock_mode() == kCompliance);
  if (in_force && weaker && (cur.lock_mode() == kCompliance || !bypass_governance(b, in))) throw access_denied(std::string(kLocked));
  ObjectVersion o = cur;
  o.set_lock_mode(mode);
  o.set_lock_until_ms(until);
  add_updated(b, std::move(o), out);
  out.output = json::object();
}

void S3Service::get_object_retention(const Request& req, Decision& out) const {
  const Input& in = req.in;
  const CallContext& ctx = req.ctx;
  const BucketState& b = bucket(ctx, in.str("Bucket"));
  require_lock(b);
  const ObjectVersion& o = lock_target(b, in.str("Key"), in, "GET");
  if (o.lock_mode().empty()) throw no_such_object_lock_configuration();
  out.output = json::object{{"Retention", json::object{{"Mode", o.lock_mode()}, {"RetainUntilDate", seconds(o.lock_until_ms())}}}};
}

void S3Service::put_object_legal_hold(const Request& req, Decision& out) const {
  const Input& in = req.in;
  const CallContext& ctx = req.ctx;
  const BucketState& b = bucket(ctx, in.str("Bucket"));
  const json::object* hold = in.object("LegalHold");
  if (!hold) throw malformed_xml();
  require_lock(b);
  const ObjectVersion& cur = lock_target(b, in.str("Key"), in, "PUT");
  auto* s = hold->if_contains("Status");
  if (!s || !s->is_string() || (s->as_string() != "ON" && s->as_string() != "OFF")) throw malformed_xml();
  ObjectVersion o = cur;
  o.set_legal_hold(std::string(s->as_string()));
  add_updated(b, std::move(o), out);
  out.output = json::object();
}

void S3Service::get_object_legal_hold(const Request& req, Decision& out) const {
  const Input& in = req.in;
  const CallContext& ctx = req.ctx;
  const BucketState& b = bucket(ctx, in.str("Bucket"));
  require_lock(b);
  const ObjectVersion& o = lock_target(b, in.str("Key"), in, "GET");
  if (o.legal_hold().empty()) throw no_such_object_lock_configuration();
  out.output = json::object{{"LegalHold", json::object{{"Status", o.legal_hold()}}}};
}

}  // namespace podstack::s3
