// S3 lifecycle: due times as AWS computes them (rounded up to midnight UTC,
// noncurrent days from the successor, NewerNoncurrentVersions), the index
// apply() keeps (next_due), and one decide_due() for 100,000 due objects
// that leaves nothing due once applied.
#include <doctest/doctest.h>

#include <chrono>

#include "proto/event.pb.h"
#include "proto/s3.pb.h"
#include "server/services/s3/s3_lifecycle.h"
#include "server/services/s3/s3_service.h"

using namespace podstack;
using namespace podstack::s3;

namespace {

constexpr int64_t kMidnight = 4070908800000;  // 2099-01-01T00:00:00Z
constexpr int64_t kHour = 3'600'000;

ObjectVersion version(std::string key, std::string id, int64_t made, bool marker = false, uint64_t size = 10) {
  ObjectVersion v;
  v.set_key(std::move(key));
  v.set_version_id(std::move(id));
  v.set_last_modified_ms(made);
  v.set_delete_marker(marker);
  if (!marker) v.set_size(size);
  return v;
}

// Applies one s3 event to `svc` as the engine would.
void apply(Service& svc, const Event& ev, int64_t at, uint64_t seq) {
  proto::Event e;
  e.set_sequence(seq);
  e.set_time_ms(at);
  e.set_account("000000000000");
  e.set_service("s3");
  e.set_payload(ev.SerializeAsString());
  svc.apply(e);
}

}  // namespace

TEST_CASE("due times round up to the next midnight UTC") {
  CHECK(round_up_to_midnight(kMidnight) == kMidnight);
  CHECK(round_up_to_midnight(kMidnight + 1) == kMidnight + kDayMs);
  CHECK(round_up_to_midnight(kMidnight - 1) == kMidnight);

  auto lc = parse_lifecycle(R"({"Rules":[{"ID":"r","Status":"Enabled","Filter":{"Prefix":"a/"},"Expiration":{"Days":3}}]})");
  REQUIRE(lc);
  // AWS's example: made 1/15 10:30 UTC, 3 days: 1/19 00:00 UTC.
  std::vector<ObjectVersion> vs{version("a/k", "null", kMidnight + 10 * kHour + 30 * 60000)};
  CHECK(key_due(*lc, "a/k", vs) == kMidnight + 4 * kDayMs);
  CHECK(key_due(*lc, "b/k", vs) == kNeverDue);  // not the prefix
  CHECK(key_plan(*lc, "a/k", vs, kMidnight + 4 * kDayMs - 1).empty());
  CHECK(key_plan(*lc, "a/k", vs, kMidnight + 4 * kDayMs).expire_current);

  CHECK_FALSE(parse_lifecycle(R"({"Rules":[{"ID":"r","Status":"Disabled","Filter":{},"Expiration":{"Days":1}}]})"));
  CHECK_FALSE(parse_lifecycle(R"({"Rules":[{"ID":"r","Status":"Enabled","Filter":{},"Transitions":[]}]})"));
}

TEST_CASE("noncurrent versions count from their successor, and NewerNoncurrentVersions keeps the newest") {
  auto lc = parse_lifecycle(
      R"({"Rules":[{"ID":"n","Status":"Enabled","Filter":{},"NoncurrentVersionExpiration":{"NoncurrentDays":1,"NewerNoncurrentVersions":1}}]})");
  REQUIRE(lc);
  // Newest first: v4 current, v3 (kept: no newer noncurrent version), v2 and v1 past the one to keep.
  std::vector<ObjectVersion> vs{version("k", "v4", kMidnight + 5 * kDayMs), version("k", "v3", kMidnight + 3 * kDayMs),
                                version("k", "v2", kMidnight + 2 * kDayMs + kHour), version("k", "v1", kMidnight)};
  // v1 became noncurrent when v2 was made (day 2, 01:00): due at day 4 00:00; v2 when v3 was (day 3): due day 4.
  CHECK(key_due(*lc, "k", vs) == kMidnight + 4 * kDayMs);
  KeyPlan p = key_plan(*lc, "k", vs, kMidnight + 4 * kDayMs);
  CHECK_FALSE(p.expire_current);
  REQUIRE(p.delete_versions.size() == 2);
  CHECK(p.delete_versions[0].first == 2);
  CHECK(p.delete_versions[1].first == 3);

  // A legal hold keeps a version; a retention date delays it.
  vs[3].set_legal_hold("ON");
  vs[2].set_lock_mode("GOVERNANCE");
  vs[2].set_lock_until_ms(kMidnight + 9 * kDayMs);
  CHECK(key_due(*lc, "k", vs) == kMidnight + 9 * kDayMs);
}

TEST_CASE("an expired object delete marker is due once it is the only version") {
  auto lc = parse_lifecycle(R"({"Rules":[{"ID":"m","Status":"Enabled","Filter":{},"Expiration":{"ExpiredObjectDeleteMarker":true}}]})");
  REQUIRE(lc);
  std::vector<ObjectVersion> vs{version("k", "m1", kMidnight + kHour, true), version("k", "v1", kMidnight)};
  CHECK(key_due(*lc, "k", vs) == kNeverDue);
  vs.pop_back();
  CHECK(key_due(*lc, "k", vs) == kMidnight + kHour);
  // A tag filter never selects a delete marker.
  auto tagged = parse_lifecycle(
      R"({"Rules":[{"ID":"m","Status":"Enabled","Filter":{"Tag":{"Key":"a","Value":"b"}},"Expiration":{"ExpiredObjectDeleteMarker":true}}]})");
  REQUIRE(tagged);
  CHECK(key_due(*tagged, "k", vs) == kNeverDue);
}

TEST_CASE("100,000 due objects are one decision, and nothing is due once it is applied") {
  auto svc = make_s3_service();
  uint64_t seq = 1;
  Event ev;
  ev.mutable_bucket_created()->mutable_bucket()->set_name("bulk");
  apply(*svc, ev, kMidnight, seq++);
  Event cfg;
  cfg.mutable_config_set()->set_bucket("bulk");
  cfg.mutable_config_set()->set_name("lifecycle");
  cfg.mutable_config_set()->set_value(R"({"Rules":[{"ID":"d","Status":"Enabled","Filter":{},"Expiration":{"Days":1}}]})");
  apply(*svc, cfg, kMidnight, seq++);
  constexpr int kObjects = 100'000;
  for (int i = 0; i < kObjects; ++i) {
    Event put;
    put.mutable_object_put()->set_bucket("bulk");
    *put.mutable_object_put()->mutable_object() = version("k" + std::to_string(i), "null", kMidnight + kHour + i);
    apply(*svc, put, kMidnight + kHour + i, seq++);
  }
  // An object in a bucket without lifecycle rules is never due.
  Event other;
  other.mutable_bucket_created()->mutable_bucket()->set_name("plain");
  apply(*svc, other, kMidnight, seq++);
  DueWork w = svc->next_due();
  CHECK(w.at_ms == kMidnight + 2 * kDayMs);
  CHECK(w.account == "000000000000");

  CallContext ctx;
  ctx.account = w.account;
  ctx.region = w.region;
  ctx.now_ms = kMidnight + 2 * kDayMs;
  Decision d;
  auto t0 = std::chrono::steady_clock::now();
  svc->decide_due(ctx, d);
  auto decided = std::chrono::steady_clock::now();
  CHECK(d.event_count() == kObjects);
  for (auto& payload : d.events()) {
    proto::Event e;
    e.set_sequence(seq++);
    e.set_time_ms(ctx.now_ms);
    e.set_account(ctx.account);
    e.set_service("s3");
    e.set_payload(payload);
    svc->apply(e);
  }
  auto applied = std::chrono::steady_clock::now();
  MESSAGE("decide_due of " << kObjects << " objects: "
                           << std::chrono::duration_cast<std::chrono::milliseconds>(decided - t0).count() << " ms, apply: "
                           << std::chrono::duration_cast<std::chrono::milliseconds>(applied - decided).count() << " ms");
  CHECK(svc->next_due().at_ms == kNeverDue);
  CHECK(svc->resource_count() == 2);  // the two buckets

  // Restored from a snapshot, the index is rebuilt from the state alone.
  Event put;
  put.mutable_object_put()->set_bucket("bulk");
  *put.mutable_object_put()->mutable_object() = version("late", "null", ctx.now_ms);
  apply(*svc, put, ctx.now_ms, seq++);
  auto copy = make_s3_service();
  REQUIRE(copy->restore(svc->snapshot()).is_ok());
  CHECK(copy->next_due().at_ms == kMidnight + 3 * kDayMs);  // made at a midnight: + 1 day exactly
  CHECK(copy->next_due().at_ms == svc->next_due().at_ms);
}

TEST_CASE("reads see an expiry from its due time on, before the due work is committed") {
  auto svc = make_s3_service();
  uint64_t seq = 1;
  Event ev;
  ev.mutable_bucket_created()->mutable_bucket()->set_name("lazy");
  apply(*svc, ev, kMidnight, seq++);
  Event cfg;
  cfg.mutable_config_set()->set_bucket("lazy");
  cfg.mutable_config_set()->set_name("lifecycle");
  cfg.mutable_config_set()->set_value(
      R"({"Rules":[{"ID":"d","Status":"Enabled","Filter":{},"Expiration":{"Days":1},"AbortIncompleteMultipartUpload":{"DaysAfterInitiation":1}}]})");
  apply(*svc, cfg, kMidnight, seq++);
  Event put;
  put.mutable_object_put()->set_bucket("lazy");
  *put.mutable_object_put()->mutable_object() = version("k", "null", kMidnight + kHour);
  apply(*svc, put, kMidnight + kHour, seq++);
  Event up;
  up.mutable_upload_created()->set_bucket("lazy");
  up.mutable_upload_created()->mutable_upload()->set_upload_id("u1");
  up.mutable_upload_created()->mutable_upload()->set_key("big");
  up.mutable_upload_created()->mutable_upload()->set_initiated_ms(kMidnight + kHour);
  apply(*svc, up, kMidnight + kHour, seq++);

  auto read = [&](const char* op, int64_t now) {
    CallContext ctx;
    ctx.now_ms = now;
    Decision d;
    auto err = svc->decide(op, json::object{{"Bucket", "lazy"}, {"Key", "k"}}, ctx, d);
    CHECK_FALSE(d.has_events());
    return std::make_pair(err ? err->code : std::string(), d.output);
  };
  const int64_t due = kMidnight + 2 * kDayMs;
  CHECK(read("HeadObject", due - 1).first.empty());
  CHECK(read("HeadObject", due).first == "NoSuchKey");
  CHECK(read("GetObject", due).first == "NoSuchKey");
  auto listed = [&](int64_t now) { return read("ListObjectsV2", now).second.as_object().contains("Contents"); };
  CHECK(listed(due - 1));
  CHECK_FALSE(listed(due));
  auto uploads = [&](int64_t now) { return read("ListMultipartUploads", now).second.as_object().contains("Uploads"); };
  CHECK(uploads(due - 1));
  CHECK_FALSE(uploads(due));
}
