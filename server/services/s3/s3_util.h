// Helpers more than one of S3's handler files needs: ETags and dates, tags,
// object headers and encryption, the received body, write conditions,
// notifications, copy sources, and the table of stored bucket
// configurations.
#pragma once
#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "proto/s3.pb.h"
#include "server/service.h"
#include "server/services/s3/s3_state.h"

namespace podstack::s3 {

inline constexpr std::string_view kOwnerId = "75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a";
inline constexpr std::string_view kOwnerName = "webfile";
inline constexpr uint64_t kMinPartSize = 5ull << 20;
inline constexpr int kMaxKeyLength = 1024;

// ---- small helpers ----
inline std::string quoted(const std::string& etag) { return "\"" + etag + "\""; }
std::string unquote(std::string_view s);
// If-Match / If-None-Match lists: "*" or comma-separated (quoted) etags.
bool etag_matches(std::string_view list, const std::string& etag);
inline double seconds(int64_t ms) { return static_cast<double>(ms) / 1000.0; }
std::string url_encode(std::string_view s);

// Sorted (name, value) lists in the protos.
template <class R, class F>
void sort_by(R* list, F key) {
  std::sort(list->begin(), list->end(), [&](const auto& a, const auto& b) { return key(a) < key(b); });
}

// Input/output member -> stored header name.
const std::map<std::string_view, std::string_view>& header_members();
// S3's checksum algorithms and their output members.
extern const char* const kChecksumMembers[5][2];
void checksum_output(const google::protobuf::RepeatedPtrField<Checksum>& cs, json::object& out);

// "k1=v1&k2=v2" (x-amz-tagging) -> the object's tags, sorted by key.
void add_tagging_header(std::string_view h, ObjectVersion& o);
// A Tagging payload ({"TagSet": [{"Key":..,"Value":..}]}), checked as S3 does.
std::vector<Tag> tags_from_input(const json::object* tagging);
json::array tags_json(const google::protobuf::RepeatedPtrField<Tag>& tags);
// Objects written without a storage class are STANDARD.
inline std::string storage_class_of(const ObjectVersion& o) { return o.storage_class().empty() ? "STANDARD" : o.storage_class(); }
inline json::object owner_json() { return json::object{{"ID", kOwnerId}, {"DisplayName", kOwnerName}}; }

// ---- objects ----
const ObjectVersion* latest(const BucketState& b, std::string_view key);
void check_key(std::string_view key);
const std::string* header_of(const ObjectVersion& o, std::string_view name);
// Headers, metadata, tags and storage class of a new object from the request.
void describe_object(const Input& in, ObjectVersion& o);
// SSE-KMS: the request's algorithm and key, else the bucket's default encryption.
void apply_encryption(const BucketState& b, const CallContext& ctx, ObjectVersion& o);
std::string new_version_id();
inline std::string version_for_write(const BucketState& b) { return b.meta.versioning() == "Enabled" ? new_version_id() : "null"; }
// If-None-Match / If-Match of a write (PutObject, CompleteMultipartUpload).
void check_write_conditions(const BucketState& b, std::string_view key, const Input& in);
// S3 event notifications for one object change (s3_notifications.h).
void notify(const BucketState& b, std::string_view event, const ObjectVersion& o, const CallContext& ctx, Decision& out,
            bool created = true);

// ---- Object Lock (s3_object_lock.cpp) ----
// The bucket has Object Lock enabled: created with it, or a configuration put since.
bool lock_enabled(const BucketState& b);
// x-amz-object-lock-* of a new object (PutObject, CopyObject,
// CreateMultipartUpload), checked as S3 does, else the bucket's default
// retention counted from the request's time.
void apply_object_lock(const BucketState& b, const Input& in, const CallContext& ctx, ObjectVersion& o);
// x-amz-bypass-governance-retention, refused on a bucket without Object Lock.
bool bypass_governance(const BucketState& b, const Input& in);
// AccessDenied when Object Lock protects the version from deletion at now_ms.
void check_deletable(const ObjectVersion& v, bool bypass, int64_t now_ms);
// ObjectLockMode, ObjectLockRetainUntilDate, ObjectLockLegalHoldStatus of GET/HEAD.
inline void lock_output(const ObjectVersion& o, json::object& out) {
  if (!o.lock_mode().empty()) {
    out["ObjectLockMode"] = o.lock_mode();
    out["ObjectLockRetainUntilDate"] = seconds(o.lock_until_ms());
  }
  if (!o.legal_hold().empty()) out["ObjectLockLegalHoldStatus"] = o.legal_hold();
}
// PutObjectLockConfiguration's payload, checked against the bucket.
void check_lock_configuration(const BucketState& b, const json::value* cfg);

// The body a PutObject / UploadPart received (Request::body).
struct RequestBody {
  std::string blob, md5;
  const json::string* inline_data = nullptr;  // chunk 0, written with the event
  uint64_t size = 0;
  std::vector<std::pair<std::string, std::string>> checksums;
};
RequestBody received_body(const json::object* body);

// "bucket/key?versionId=x" (URL-encoded, leading slash optional).
struct CopySource {
  std::string bucket, key, version_id;
};
CopySource parse_copy_source(std::string_view cs);

// ---- stored bucket configurations: one table, one code path ----
struct ConfigOp {
  std::string_view config;  // stored name
  std::string_view member;  // input/output payload member
  ApiError (*missing)(std::string_view bucket);  // Get of an absent one; null: an empty answer
};
const std::map<std::string_view, ConfigOp>& config_ops();

}  // namespace podstack::s3
