// S3's state: per account (buckets are global to an account, not per region,
// as in AWS), buckets by name; per bucket, objects by key with their versions
// newest first, and multipart uploads by id. Bodies live in the blob store
// (s3_body.h); objects hold segments of blobs, so copies share bytes.
//
// S3State is the only code of the service that changes anything: apply()
// (live and in replay), restore() and clear().
#pragma once
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "proto/s3.pb.h"
#include "server/service.h"
#include "server/services/s3/s3_lifecycle.h"

namespace podstack::s3 {

// A bucket's lifecycle rules and the due time of each key and upload they
// act on (only those: a key lifecycle never touches has no entry). Derived
// from the state in apply() and restore(), never stored.
struct BucketLifecycle {
  std::shared_ptr<const Lifecycle> rules;
  std::map<std::string, int64_t, std::less<>> keys;
  std::map<std::string, int64_t, std::less<>> uploads;
};

struct BucketState {
  Bucket meta;  // without objects and uploads
  std::map<std::string, std::vector<ObjectVersion>, std::less<>> objects;  // newest version first
  std::map<std::string, Upload, std::less<>> uploads;
  // Null unless the bucket has lifecycle rules that act: other buckets pay
  // one pointer.
  std::unique_ptr<BucketLifecycle> lifecycle;
};

// One entry of an account's lifecycle index: a key (or an upload) of a
// bucket that lifecycle acts on at `at_ms` (clock time).
struct DueEntry {
  int64_t at_ms;
  std::string bucket;
  std::string name;  // the key, or the upload id
  bool upload;
  auto operator<=>(const DueEntry&) const = default;
};

// Reads see lifecycle's work from its due time on, whether or not the
// due-work thread has committed it yet (an answer right after a clock change
// never depends on that race): the latest version of `key` has expired by
// `now_ms`; the upload has been aborted by then (s3_expiry.cpp).
bool lifecycle_expired(const BucketState& b, std::string_view key, int64_t now_ms);
bool lifecycle_aborted(const BucketState& b, const Upload& u, int64_t now_ms);

struct AccountBuckets {
  std::map<std::string, BucketState, std::less<>> buckets;
  // Everything lifecycle will act on in this account, earliest first:
  // next_due() is its first entry.
  std::set<DueEntry> due;
};

class S3State {
 public:
  using Event = s3::Event;
  using Snapshot = s3::State;

  // May consume ev's objects.
  void apply(const proto::Event& envelope, Event& ev);
  std::string snapshot() const;
  Status restore(std::string_view bytes);
  void clear() { parts_.clear(); }
  uint64_t resource_count() const;
  std::string summarize(const Event& ev) const;

  // The account's buckets (partitions are keyed by account, region "").
  const AccountBuckets* partition(const std::string& account) const { return parts_.find(account, ""); }
  const BucketState* find_bucket(const std::string& account, std::string_view name) const {
    const AccountBuckets* p = partition(account);
    if (!p) return nullptr;
    auto it = p->buckets.find(name);
    return it == p->buckets.end() ? nullptr : &it->second;
  }
  // Every partition, for the bucket namespace shared by all accounts.
  const Partitions<AccountBuckets>& partitions() const { return parts_; }

  // deterministic_bytes of the bucket with its objects and uploads, assembled
  // without copying them into one message.
  static std::string bucket_bytes(const BucketState& b);

 private:
  // The lifecycle index (AccountBuckets::due, BucketState::lifecycle), kept
  // in step with every change apply() makes; O(versions of the key) per
  // change in a bucket with lifecycle rules, nothing in other buckets.
  static void index_bucket(AccountBuckets& part, BucketState& b);  // after its lifecycle configuration changed
  static void unindex_bucket(AccountBuckets& part, BucketState& b);
  static void index_key(AccountBuckets& part, BucketState& b, const std::string& key);
  static void index_upload(AccountBuckets& part, BucketState& b, const std::string& upload_id);

  Partitions<AccountBuckets> parts_;
};

}  // namespace podstack::s3
