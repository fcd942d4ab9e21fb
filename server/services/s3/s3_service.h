// S3: buckets, objects, versions, multipart uploads, bucket configuration.
// The state is S3State (s3_state.h); the handlers are const and live in one
// file per area of the API:
//   s3_buckets.cpp        CreateBucket, DeleteBucket, HeadBucket, ListBuckets, GetBucketLocation
//   s3_bucket_config.cpp  versioning, tagging, the stored configurations (CORS, lifecycle, policy,
//                         encryption, website, notification, ...), public access block, __EvaluateCors
//   s3_objects.cpp        PutObject, PostObject, GetObject/HeadObject, DeleteObject(s), CopyObject,
//                         object tagging, attributes and ACLs
//   s3_multipart.cpp      Create/Complete/AbortMultipartUpload, UploadPart(Copy)
//   s3_listing.cpp        ListObjects(V2), ListObjectVersions, ListParts, ListMultipartUploads
//   s3_object_lock.cpp    Put/GetObjectRetention, Put/GetObjectLegalHold (and the lock checks, s3_util.h)
//   s3_bucket_id_configs.cpp  analytics, metrics, inventory and intelligent-tiering configurations
//   s3_expiry.cpp         lifecycle expiration on podstack's clock (next_due, decide_due; rules: s3_lifecycle.h)
// ACLs: s3_acl.h (stored and answered; the handlers are in s3_objects.cpp).
// Bodies: s3_body.h (received and read on the blob store), s3_post.h
// (browser form uploads); notifications: s3_notifications.h.
// AWS reference: https://docs.aws.amazon.com/AmazonS3/latest/API/
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "server/service.h"
#include "server/services/s3/s3_http.h"
#include "server/services/s3/s3_state.h"
#include "server/services/s3/s3_util.h"

namespace podstack::s3 {

class S3Service final : public StatefulService<S3Service, S3State> {
 public:
  static constexpr std::string_view kName = "s3";
  static const Table& operations();

  // ---- bodies on the blob store ----
  void attach_blobs(BlobStore& blobs) override { blobs_ = &blobs; }
  // ---- HTTP hooks (see Service; s3_http.h) ----
  bool serves_unscoped() const override { return true; }
  std::string address(std::string_view host, std::string_view path) const override { return addressed_path(host, path); }
  ApiError input_error(ApiError e) const override { return s3::input_error(std::move(e)); }
  std::string_view cors_operation() const override { return "__EvaluateCors"; }
  void recover() override;
  void blob_prefixes(std::string_view snapshot, const std::function<void(const std::string&)>& visit) const override;
  std::unique_ptr<StreamedBody> streamed_body(std::string_view op, const boost::beast::http::fields& headers) const override;
  std::unique_ptr<BodySource> body_source(const json::value& stream, std::function<void()> settle) const override;
  // ---- lifecycle expiration on the clock (s3_expiry.cpp) ----
  DueWork next_due() const override;
  void decide_due(const CallContext& ctx, Decision& out) const override;

 private:
  // ---- buckets (s3_buckets.cpp) ----
  void create_bucket(const Request& req, Decision& out) const;
  void delete_bucket(const Request& req, Decision& out) const;
  void head_bucket(const Request& req, Decision& out) const;
  void list_buckets(const Request& req, Decision& out) const;
  void get_bucket_location(const Request& req, Decision& out) const;

  // ---- bucket configuration (s3_bucket_config.cpp) ----
  void put_bucket_versioning(const Request& req, Decision& out) const;
  void get_bucket_versioning(const Request& req, Decision& out) const;
  void put_bucket_tagging(const Request& req, Decision& out) const;
  void get_bucket_tagging(const Request& req, Decision& out) const;
  void delete_bucket_tagging(const Request& req, Decision& out) const;
  void put_config(const Request& req, Decision& out) const;  // Put/DeleteBucket<Config>
  void get_config(const Request& req, Decision& out) const;
  void put_public_access_block(const Request& req, Decision& out) const;  // and Delete
  void get_public_access_block(const Request& req, Decision& out) const;
  void evaluate_cors(const Request& req, Decision& out) const;

  // ---- configurations kept per id (s3_bucket_id_configs.cpp) ----
  void put_id_config(const Request& req, Decision& out) const;  // Put/DeleteBucket{Analytics,Metrics,Inventory,IntelligentTiering}Configuration
  void get_id_config(const Request& req, Decision& out) const;
  void list_id_configs(const Request& req, Decision& out) const;

  // ---- objects (s3_objects.cpp) ----
  void put_object(const Request& req, Decision& out) const;
  void post_object(const Request& req, Decision& out) const;
  void get_object(const Request& req, Decision& out) const;  // and HeadObject
  void delete_object(const Request& req, Decision& out) const;
  void delete_objects(const Request& req, Decision& out) const;
  void copy_object(const Request& req, Decision& out) const;
  void put_object_tagging(const Request& req, Decision& out) const;  // and Delete
  void get_object_tagging(const Request& req, Decision& out) const;
  void get_object_attributes(const Request& req, Decision& out) const;
  void get_acl(const Request& req, Decision& out) const;  // buckets and objects
  void put_acl(const Request& req, Decision& out) const;

  // ---- Object Lock (s3_object_lock.cpp) ----
  void put_object_retention(const Request& req, Decision& out) const;
  void get_object_retention(const Request& req, Decision& out) const;
  void put_object_legal_hold(const Request& req, Decision& out) const;
  void get_object_legal_hold(const Request& req, Decision& out) const;

  // ---- multipart (s3_multipart.cpp) ----
  void create_multipart_upload(const Request& req, Decision& out) const;
  void upload_part(const Request& req, Decision& out) const;  // and UploadPartCopy
  void complete_multipart_upload(const Request& req, Decision& out) const;
  void abort_multipart_upload(const Request& req, Decision& out) const;

  // ---- listing (s3_listing.cpp) ----
  void list_objects(const Request& req, Decision& out) const;  // and ListObjectsV2
  void list_object_versions(const Request& req, Decision& out) const;
  void list_parts(const Request& req, Decision& out) const;
  void list_multipart_uploads(const Request& req, Decision& out) const;

  // ---- shared lookups ----
  // The caller's bucket, or NoSuchBucket.
  const BucketState& bucket(const CallContext& ctx, std::string_view name) const;
  // The version a CopySource names, its conditions checked (s3_objects.cpp).
  const ObjectVersion& copy_source(const CallContext& ctx, const Input& in, CopySource& src) const;
  // The upload UploadId names, for Key (s3_multipart.cpp).
  const Upload& upload(const BucketState& b, const Input& in) const;

  BlobStore* blobs_ = nullptr;
};

}  // namespace podstack::s3

namespace podstack {
std::unique_ptr<Service> make_s3_service();
}
