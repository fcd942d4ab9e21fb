// S3 lifecycle expiration on podstack's clock: next_due() and decide_due()
// (server/service.h). apply() keeps each account's index of what lifecycle
// acts on and when (S3State, AccountBuckets::due); the engine's due-work
// thread asks next_due() for its first entry and, once the clock has passed
// it, decide_due() turns everything due in the account into ordinary S3
// events in one decision:
//   - an expired current version: deleted (unversioned bucket), or hidden
//     behind a new delete marker (versioned; a "null" one when suspended);
//   - an expired noncurrent version, or an expired object delete marker:
//     VersionDeleted;
//   - an expired incomplete multipart upload: UploadAborted.
// Each event names the rule (by_lifecycle, lifecycle_rule) for `podstack
// log`, and notifications get AWS's s3:LifecycleExpiration:* event names.
#include <algorithm>

#include "server/services/s3/s3_lifecycle.h"
#include "server/services/s3/s3_service.h"

namespace podstack::s3 {
namespace {

void expire_upload(const BucketState& b, const std::string& upload_id, const CallContext& ctx, Decision& out) {
  auto it = b.uploads.find(upload_id);
  if (it == b.uploads.end()) return;
  const LifecycleRule* rule = nullptr;
  if (upload_due(*b.lifecycle->rules, it->second, &rule) > ctx.now_ms || !rule) return;
  Event ev;
  auto* a = ev.mutable_upload_aborted();
  a->set_bucket(b.meta.name());
  a->set_upload_id(upload_id);
  a->set_lifecycle_rule(rule->id);
  a->set_by_lifecycle(true);
  out.add(std::move(ev));
}

void delete_version(const BucketState& b, const ObjectVersion& v, const LifecycleRule& rule, const CallContext& ctx,
                    Decision& out) {
  Event ev;
  auto* d = ev.mutable_version_deleted();
  d->set_bucket(b.meta.name());
  d->set_key(v.key());
  d->set_version_id(v.version_id());
  d->set_lifecycle_rule(rule.id);
  d->set_by_lifecycle(true);
  out.add(std::move(ev));
  notify(b, "LifecycleExpiration:Delete", v, ctx, out, false);
}

// Acts on one key until nothing more is due at ctx.now_ms, on a copy of its
// versions that follows the events (expiring the current version makes it
// noncurrent, which may make older ones due under NewerNoncurrentVersions;
// removing the last noncurrent version leaves an expired delete marker), so
// that once the decision is applied nothing of the key is due any more.
void expire_key(const BucketState& b, const std::string& key, const CallContext& ctx, Decision& out) {
  auto it = b.objects.find(key);
  if (it == b.objects.end()) return;
  const Lifecycle& lc = *b.lifecycle->rules;
  std::vector<ObjectVersion> vs = it->second;
  for (int round = 0; round < 1000 && !vs.empty(); ++round) {
    KeyPlan plan = key_plan(lc, key, vs, ctx.now_ms);
    if (plan.empty()) break;
    // From the oldest, so that the indices of the others stay valid.
    for (auto d = plan.delete_versions.rbegin(); d != plan.delete_versions.rend(); ++d) {
      delete_version(b, vs[d->first], *d->second, ctx, out);
      vs.erase(vs.begin() + static_cast<std::ptrdiff_t>(d->first));
    }
    if (!plan.expire_current) continue;
    // The current version is never among the deleted ones: only a delete
    // marker is, and a delete marker never expires as a current version.
    if (b.meta.versioning().empty()) {
      delete_version(b, vs.front(), *plan.expire_current, ctx, out);
      vs.erase(vs.begin());
      continue;
    }
    ObjectVersion m;
    m.set_key(key);
    m.set_version_id(version_for_write(b));
    m.set_delete_marker(true);
    m.set_last_modified_ms(ctx.now_ms);
    m.set_owner(ctx.account);
    notify(b, "LifecycleExpiration:DeleteMarkerCreated", m, ctx, out, false);
    Event ev;
    auto* p = ev.mutable_object_put();
    p->set_bucket(b.meta.name());
    *p->mutable_object() = m;
    p->set_lifecycle_rule(plan.expire_current->id);
    p->set_by_lifecycle(true);
    out.add(std::move(ev));
    // As apply's put_version: it replaces a version of the same id (null).
    vs.erase(std::remove_if(vs.begin(), vs.end(), [&](const ObjectVersion& v) { return v.version_id() == m.version_id(); }),
             vs.end());
    vs.insert(vs.begin(), std::move(m));
  }
}

}  // namespace

bool lifecycle_expired(const BucketState& b, std::string_view key, int64_t now_ms) {
  if (!b.lifecycle) return false;
  auto due = b.lifecycle->keys.find(key);
  if (due == b.lifecycle->keys.end() || due->second > now_ms) return false;
  auto it = b.objects.find(key);
  return it != b.objects.end() && key_plan(*b.lifecycle->rules, key, it->second, now_ms).expire_current;
}

bool lifecycle_aborted(const BucketState& b, const Upload& u, int64_t now_ms) {
  if (!b.lifecycle) return false;
  auto due = b.lifecycle->uploads.find(u.upload_id());
  return due != b.lifecycle->uploads.end() && due->second <= now_ms;
}

DueWork S3Service::next_due() const {
  DueWork w;
  for (auto& [k, part] : state().partitions())
    if (!part.due.empty() && part.due.begin()->at_ms < w.at_ms) {
      w.at_ms = part.due.begin()->at_ms;
      w.account = k.first;
      w.region = k.second;
    }
  return w;
}

void S3Service::decide_due(const CallContext& ctx, Decision& out) const {
  const AccountBuckets* p = state().partition(ctx.account);
  if (!p) return;
  for (const DueEntry& e : p->due) {
    if (e.at_ms > ctx.now_ms) break;
    auto b = p->buckets.find(e.bucket);
    if (b == p->buckets.end() || !b->second.lifecycle) continue;
    if (e.upload)
      expire_upload(b->second, e.name, ctx, out);
    else
      expire_key(b->second, e.name, ctx, out);
  }
}

}  // namespace podstack::s3
