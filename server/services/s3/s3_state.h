// S3's state: per account (buckets are global to an account, not per region,
// as in AWS), buckets by name; per bucket, objects by key with their versions
// newest first, and multipart uploads by id. Bodies live in the blob store
// (s3_body.h); objects hold segments of blobs, so copies share bytes.
//
// S3State is the only code of the service that changes anything: apply()
// (live and in replay), restore() and clear().
#pragma once
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "proto/s3.pb.h"
#include "server/service.h"

namespace podstack::s3 {

struct BucketState {
  Bucket meta;  // without objects and uploads
  std::map<std::string, std::vector<ObjectVersion>, std::less<>> objects;  // newest version first
  std::map<std::string, Upload, std::less<>> uploads;
};

struct AccountBuckets {
  std::map<std::string, BucketState, std::less<>> buckets;
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
  Partitions<AccountBuckets> parts_;
};

}  // namespace podstack::s3
