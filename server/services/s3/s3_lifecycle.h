// S3 lifecycle expiration on podstack's clock: a bucket's stored lifecycle
// configuration read into rules, when a key's versions or a multipart upload
// come due under them, and what is done to a key once they have. Pure
// functions of state and a time, so apply() (which keeps the index of due
// times, s3_state.h) and decide_due() (which acts, s3_service.cpp) agree:
// whatever key_due() says is due at `now`, key_plan() at `now` acts on.
//
// As AWS computes it
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/intro-lifecycle-rules.html):
// Expiration.Days counts from the version's creation, NoncurrentDays from its
// successor's creation, DaysAfterInitiation from the upload's initiation,
// each rounded up to the next midnight UTC; Expiration.Date is a midnight.
// Transitions are stored and ignored (podstack has one storage class).
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "proto/s3.pb.h"
#include "server/service.h"

namespace podstack::s3 {

constexpr int64_t kDayMs = 86'400'000;
// The next midnight UTC at or after `ms`.
int64_t round_up_to_midnight(int64_t ms);

struct LifecycleRule {
  std::string id;
  // The filter: legacy Prefix, Filter.Prefix / Tag / ObjectSize*, or Filter.And.
  std::string prefix;
  std::vector<std::pair<std::string, std::string>> tags;
  std::optional<uint64_t> size_greater, size_less;
  // Actions.
  std::optional<int64_t> days;     // Expiration.Days
  std::optional<int64_t> date_ms;  // Expiration.Date
  bool expired_object_delete_marker = false;
  std::optional<int64_t> noncurrent_days;
  int64_t newer_noncurrent = 0;  // NoncurrentVersionExpiration.NewerNoncurrentVersions
  std::optional<int64_t> abort_days;
};

// The enabled rules that expire or abort something; empty when none do.
struct Lifecycle {
  std::vector<LifecycleRule> rules;
};

// The stored configuration (JSON of PutBucketLifecycleConfiguration's
// LifecycleConfiguration); null when it has no enabled rule that acts.
std::shared_ptr<const Lifecycle> parse_lifecycle(std::string_view config_json);

// Refuses what AWS refuses at PutBucketLifecycleConfiguration (non-positive
// days, a Date that is not midnight UTC, a bad Status, a rule without an
// action, ExpiredObjectDeleteMarker beside Days or Date): throws ApiError.
void check_lifecycle_config(const json::value& config);

// The earliest time lifecycle acts on a key's versions (newest first);
// kNeverDue when it never does.
int64_t key_due(const Lifecycle& lc, std::string_view key, const std::vector<ObjectVersion>& versions);

// What lifecycle does to a key at `now`.
struct KeyPlan {
  const LifecycleRule* expire_current = nullptr;  // the current version expires (deleted or delete-marked)
  std::vector<std::pair<size_t, const LifecycleRule*>> delete_versions;  // indices into versions, ascending
  bool empty() const { return !expire_current && delete_versions.empty(); }
};
KeyPlan key_plan(const Lifecycle& lc, std::string_view key, const std::vector<ObjectVersion>& versions, int64_t now_ms);

// When an incomplete multipart upload is aborted, and by which rule.
int64_t upload_due(const Lifecycle& lc, const Upload& upload, const LifecycleRule** rule = nullptr);

}  // namespace podstack::s3
