// S3 lifecycle: the stored configuration read into rules, its checks at
// PutBucketLifecycleConfiguration, and the due times and actions for a key's
// versions and for multipart uploads (see s3_lifecycle.h).
#include "server/services/s3/s3_lifecycle.h"

#include <algorithm>
#include <cmath>

#include "server/protocol/encoding.h"
#include "server/services/s3/s3_errors.h"

namespace podstack::s3 {
namespace {

const json::object* obj(const json::object& o, std::string_view k) {
  auto* v = o.if_contains(k);
  return v && v->is_object() ? &v->as_object() : nullptr;
}

std::optional<int64_t> integer(const json::object* o, std::string_view k) {
  if (!o) return std::nullopt;
  auto* v = o->if_contains(k);
  if (!v || !v->is_number()) return std::nullopt;
  return v->to_number<int64_t>();
}

std::string text(const json::object* o, std::string_view k) {
  if (!o) return {};
  auto* v = o->if_contains(k);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

// Expiration.Date as the codec decoded it (seconds since the epoch), or an
// ISO 8601 string as stored by older logs.
std::optional<int64_t> date_ms(const json::object* o) {
  if (!o) return std::nullopt;
  auto* v = o->if_contains("Date");
  if (!v) return std::nullopt;
  if (v->is_number()) return static_cast<int64_t>(std::llround(v->to_number<double>() * 1000));
  if (v->is_string())
    if (auto t = protocol::parse_iso8601(v->as_string())) return static_cast<int64_t>(std::llround(*t * 1000));
  return std::nullopt;
}

void read_tag(const json::value& t, std::vector<std::pair<std::string, std::string>>& out) {
  if (!t.is_object()) return;
  out.emplace_back(text(&t.as_object(), "Key"), text(&t.as_object(), "Value"));
}

void read_filter(const json::object& r, LifecycleRule& rule) {
  rule.prefix = text(&r, "Prefix");  // the legacy top-level Prefix
  const json::object* f = obj(r, "Filter");
  if (!f) return;
  if (f->contains("Prefix")) rule.prefix = text(f, "Prefix");
  if (auto* t = f->if_contains("Tag")) read_tag(*t, rule.tags);
  const json::object* size_from = f;
  if (const json::object* a = obj(*f, "And")) {
    if (a->contains("Prefix")) rule.prefix = text(a, "Prefix");
    if (auto* ts = a->if_contains("Tags"); ts && ts->is_array())
      for (auto& t : ts->as_array()) read_tag(t, rule.tags);
    size_from = a;
  }
  if (auto n = integer(size_from, "ObjectSizeGreaterThan")) rule.size_greater = static_cast<uint64_t>(std::max<int64_t>(*n, 0));
  if (auto n = integer(size_from, "ObjectSizeLessThan")) rule.size_less = static_cast<uint64_t>(std::max<int64_t>(*n, 0));
}

bool has_tag(const ObjectVersion& v, const std::pair<std::string, std::string>& t) {
  for (auto& x : v.tags())
    if (x.key() == t.first && x.value() == t.second) return true;
  return false;
}

// Does the rule's filter select this version? A delete marker has no tags
// and no size: a rule that filters on them never selects one.
bool matches(const LifecycleRule& r, std::string_view key, const ObjectVersion& v) {
  if (key.substr(0, r.prefix.size()) != r.prefix) return false;
  if (v.delete_marker()) return r.tags.empty() && !r.size_greater && !r.size_less;
  for (auto& t : r.tags)
    if (!has_tag(v, t)) return false;
  if (r.size_greater && !(v.size() > *r.size_greater)) return false;
  if (r.size_less && !(v.size() < *r.size_less)) return false;
  return true;
}

// When the rule's Expiration (Days or Date) applies to a version made at `made_ms`.
std::optional<int64_t> expiration_at(const LifecycleRule& r, int64_t made_ms) {
  if (r.days) return round_up_to_midnight(made_ms + *r.days * kDayMs);
  if (r.date_ms) return *r.date_ms;
  return std::nullopt;
}

// A permanently deleted noncurrent version waits for its Object Lock.
std::optional<int64_t> after_lock(const ObjectVersion& v, int64_t at) {
  if (v.legal_hold() == "ON") return std::nullopt;
  if (!v.lock_mode().empty()) at = std::max(at, v.lock_until_ms());
  return at;
}

// Every action lifecycle would take on the key's versions, with the time it
// comes due: fn(at, version index or -1 for "expire the current version", rule).
template <class F>
void each_action(const Lifecycle& lc, std::string_view key, const std::vector<ObjectVersion>& vs, F fn) {
  if (vs.empty()) return;
  const ObjectVersion& cur = vs.front();
  for (const LifecycleRule& r : lc.rules) {
    if (matches(r, key, cur)) {
      if (!cur.delete_marker()) {
        if (auto at = expiration_at(r, cur.last_modified_ms())) fn(*at, -1, r);
      } else if (vs.size() == 1) {
        // An expired object delete marker: the only version left. Removed
        // by ExpiredObjectDeleteMarker at once, by Days or Date when they
        // would expire an object made with it.
        if (r.expired_object_delete_marker) fn(cur.last_modified_ms(), 0, r);
        else if (auto at = expiration_at(r, cur.last_modified_ms())) fn(*at, 0, r);
      }
    }
    if (!r.noncurrent_days) continue;
    // vs[i] became noncurrent when vs[i-1] was made; i - 1 noncurrent
    // versions are newer than it.
    for (size_t i = 1 + static_cast<size_t>(std::max<int64_t>(r.newer_noncurrent, 0)); i < vs.size(); ++i) {
      if (!matches(r, key, vs[i])) continue;
      auto at = after_lock(vs[i], round_up_to_midnight(vs[i - 1].last_modified_ms() + *r.noncurrent_days * kDayMs));
      if (at) fn(*at, static_cast<int>(i), r);
    }
  }
}

}  // namespace

int64_t round_up_to_midnight(int64_t ms) {
  int64_t r = ms % kDayMs;
  if (r < 0) r += kDayMs;
  return r == 0 ? ms : ms - r + kDayMs;
}

std::shared_ptr<const Lifecycle> parse_lifecycle(std::string_view config_json) {
  boost::system::error_code ec;
  json::value doc = json::parse(config_json, ec);
  if (ec || !doc.is_object()) return nullptr;
  auto* rules = doc.as_object().if_contains("Rules");
  if (!rules || !rules->is_array()) return nullptr;
  auto lc = std::make_shared<Lifecycle>();
  for (auto& rv : rules->as_array()) {
    if (!rv.is_object()) continue;
    const json::object& r = rv.as_object();
    if (text(&r, "Status") != "Enabled") continue;
    LifecycleRule rule;
    rule.id = text(&r, "ID");
    read_filter(r, rule);
    if (const json::object* e = obj(r, "Expiration")) {
      rule.days = integer(e, "Days");
      rule.date_ms = date_ms(e);
      auto* m = e->if_contains("ExpiredObjectDeleteMarker");
      rule.expired_object_delete_marker = m && m->is_bool() && m->as_bool();
    }
    if (const json::object* n = obj(r, "NoncurrentVersionExpiration")) {
      rule.noncurrent_days = integer(n, "NoncurrentDays");
      rule.newer_noncurrent = integer(n, "NewerNoncurrentVersions").value_or(0);
    }
    if (const json::object* a = obj(r, "AbortIncompleteMultipartUpload")) rule.abort_days = integer(a, "DaysAfterInitiation");
    if (rule.days || rule.date_ms || rule.expired_object_delete_marker || rule.noncurrent_days || rule.abort_days)
      lc->rules.push_back(std::move(rule));
  }
  if (lc->rules.empty()) return nullptr;
  return lc;
}

void check_lifecycle_config(const json::value& config) {
  if (!config.is_object()) throw malformed_xml();
  auto* rules = config.as_object().if_contains("Rules");
  if (!rules || !rules->is_array()) throw malformed_xml();
  auto positive = [](const json::object* o, std::string_view member, std::string_view action) {
    if (auto n = integer(o, member); n && *n <= 0)
      throw invalid_argument("'" + std::string(member) + "' for " + std::string(action) + " action must be a positive integer");
  };
  for (auto& rv : rules->as_array()) {
    if (!rv.is_object()) throw malformed_xml();
    const json::object& r = rv.as_object();
    std::string status = text(&r, "Status");
    if (status != "Enabled" && status != "Disabled") throw malformed_xml();
    if (r.contains("Prefix") && r.contains("Filter")) throw malformed_xml();
    const json::object* e = obj(r, "Expiration");
    if (e) {
      positive(e, "Days", "Expiration");
      if (auto d = date_ms(e); d && *d % kDayMs != 0) throw invalid_argument("'Date' must be at midnight GMT");
      if (e->contains("ExpiredObjectDeleteMarker") && (e->contains("Days") || e->contains("Date"))) throw malformed_xml();
    }
    positive(obj(r, "NoncurrentVersionExpiration"), "NoncurrentDays", "NoncurrentVersionExpiration");
    positive(obj(r, "AbortIncompleteMultipartUpload"), "DaysAfterInitiation", "AbortIncompleteMultipartUpload");
    if (!e && !r.contains("NoncurrentVersionExpiration") && !r.contains("AbortIncompleteMultipartUpload") &&
        !r.contains("Transitions") && !r.contains("NoncurrentVersionTransitions"))
      throw malformed_xml();
  }
}

int64_t key_due(const Lifecycle& lc, std::string_view key, const std::vector<ObjectVersion>& vs) {
  int64_t due = kNeverDue;
  each_action(lc, key, vs, [&](int64_t at, int, const LifecycleRule&) { due = std::min(due, at); });
  return due;
}

KeyPlan key_plan(const Lifecycle& lc, std::string_view key, const std::vector<ObjectVersion>& vs, int64_t now_ms) {
  KeyPlan plan;
  each_action(lc, key, vs, [&](int64_t at, int index, const LifecycleRule& r) {
    if (at > now_ms) return;
    if (index < 0) {
      if (!plan.expire_current) plan.expire_current = &r;
      return;
    }
    auto& d = plan.delete_versions;
    auto it = std::lower_bound(d.begin(), d.end(), static_cast<size_t>(index),
                               [](const auto& p, size_t i) { return p.first < i; });
    if (it == d.end() || it->first != static_cast<size_t>(index)) d.insert(it, {static_cast<size_t>(index), &r});
  });
  return plan;
}

int64_t upload_due(const Lifecycle& lc, const Upload& u, const LifecycleRule** rule) {
  int64_t due = kNeverDue;
  for (const LifecycleRule& r : lc.rules) {
    // AWS refuses tag filters beside AbortIncompleteMultipartUpload: an
    // upload has no tags yet, so only the prefix selects it.
    if (!r.abort_days || !r.tags.empty()) continue;
    if (std::string_view(u.key()).substr(0, r.prefix.size()) != r.prefix) continue;
    int64_t at = round_up_to_midnight(u.initiated_ms() + *r.abort_days * kDayMs);
    if (at < due) {
      due = at;
      if (rule) *rule = &r;
    }
  }
  return due;
}

}  // namespace podstack::s3
