// S3's errors, one factory per error code the handlers return, with AWS's
// status and message (and the detail elements S3 adds to its <Error>).
// https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html
#pragma once
#include <string>
#include <string_view>
#include <utility>

#include "server/protocol/api_error.h"

namespace podstack::s3 {

using protocol::ApiError;

// ---- buckets ----
inline ApiError no_such_bucket(std::string_view bucket) {
  return ApiError::make(404, "NoSuchBucket", "The specified bucket does not exist").with("BucketName", std::string(bucket));
}
inline ApiError invalid_bucket_name(std::string_view bucket) {
  return ApiError::bad_request("InvalidBucketName", "The specified bucket is not valid.").with("BucketName", std::string(bucket));
}
// The model refused the value before S3 saw it: no value to echo.
inline ApiError invalid_location_constraint() {
  return ApiError::bad_request("InvalidLocationConstraint", "The specified location-constraint is not valid");
}
inline ApiError invalid_location_constraint(std::string_view constraint) {
  return ApiError::bad_request("InvalidLocationConstraint", "The specified location-constraint is not valid")
      .with("LocationConstraint", std::string(constraint));
}
// `constraint` empty: the request named none.
inline ApiError illegal_location_constraint_exception(std::string_view constraint) {
  return ApiError::bad_request("IllegalLocationConstraintException",
                               "The " + (constraint.empty() ? std::string("unspecified") : std::string(constraint)) +
                                   " location constraint is incompatible for the region specific endpoint this request was sent to.");
}
inline ApiError bucket_already_exists(std::string_view bucket) {
  return ApiError::make(409, "BucketAlreadyExists",
                        "The requested bucket name is not available. The bucket namespace is shared by all users of the system. "
                        "Please select a different name and try again.")
      .with("BucketName", std::string(bucket));
}
inline ApiError bucket_already_owned_by_you(std::string_view bucket) {
  return ApiError::make(409, "BucketAlreadyOwnedByYou", "Your previous request to create the named bucket succeeded and you already own it.")
      .with("BucketName", std::string(bucket));
}
inline ApiError bucket_not_empty(std::string_view bucket) {
  return ApiError::make(409, "BucketNotEmpty", "The bucket you tried to delete is not empty").with("BucketName", std::string(bucket));
}

// ---- bucket configuration ----
inline ApiError no_such_tag_set(std::string_view bucket) {
  return ApiError::make(404, "NoSuchTagSet", "The TagSet does not exist").with("BucketName", std::string(bucket));
}
inline ApiError malformed_policy() {
  return ApiError::bad_request("MalformedPolicy", "Policies must be valid JSON and the first byte must be '{'");
}
inline ApiError no_such_public_access_block_configuration(std::string_view bucket) {
  return ApiError::make(404, "NoSuchPublicAccessBlockConfiguration", "The public access block configuration was not found")
      .with("BucketName", std::string(bucket));
}
// The stored configuration a Get names is absent (see config_ops()).
inline ApiError no_such_cors_configuration(std::string_view bucket) {
  return ApiError::make(404, "NoSuchCORSConfiguration", "The CORS configuration does not exist").with("BucketName", std::string(bucket));
}
inline ApiError no_such_lifecycle_configuration(std::string_view bucket) {
  return ApiError::make(404, "NoSuchLifecycleConfiguration", "The lifecycle configuration does not exist")
      .with("BucketName", std::string(bucket));
}
inline ApiError server_side_encryption_configuration_not_found_error(std::string_view bucket) {
  return ApiError::make(404, "ServerSideEncryptionConfigurationNotFoundError", "The server side encryption configuration was not found")
      .with("BucketName", std::string(bucket));
}
inline ApiError no_such_bucket_policy(std::string_view bucket) {
  return ApiError::make(404, "NoSuchBucketPolicy", "The bucket policy does not exist").with("BucketName", std::string(bucket));
}
inline ApiError no_such_website_configuration(std::string_view bucket) {
  return ApiError::make(404, "NoSuchWebsiteConfiguration", "The specified bucket does not have a website configuration")
      .with("BucketName", std::string(bucket));
}
inline ApiError replication_configuration_not_found_error(std::string_view bucket) {
  return ApiError::make(404, "ReplicationConfigurationNotFoundError", "The replication configuration was not found")
      .with("BucketName", std::string(bucket));
}
inline ApiError ownership_controls_not_found_error(std::string_view bucket) {
  return ApiError::make(404, "OwnershipControlsNotFoundError", "The bucket ownership controls were not found")
      .with("BucketName", std::string(bucket));
}
inline ApiError object_lock_configuration_not_found_error(std::string_view bucket) {
  return ApiError::make(404, "ObjectLockConfigurationNotFoundError", "Object Lock configuration does not exist for this bucket")
      .with("BucketName", std::string(bucket));
}
// Object Lock: a configuration refused in this bucket state (versioning), and
// a version with neither retention nor legal hold (Get of one).
inline ApiError invalid_bucket_state(std::string msg) { return ApiError::make(409, "InvalidBucketState", std::move(msg)); }
inline ApiError no_such_object_lock_configuration() {
  return ApiError::make(404, "NoSuchObjectLockConfiguration", "The specified object does not have a ObjectLock configuration");
}
// A CORS preflight that no rule allows; `resource_type` BUCKET or OBJECT.
inline ApiError access_forbidden(std::string message, std::string method, std::string resource_type) {
  return ApiError::make(403, "AccessForbidden", std::move(message))
      .with("Method", std::move(method))
      .with("ResourceType", std::move(resource_type));
}

// ---- requests ----
inline ApiError invalid_argument(std::string msg, std::string name = {}, std::string value = {}) {
  ApiError e = ApiError::bad_request("InvalidArgument", std::move(msg));
  if (!name.empty()) e.details = {{"ArgumentName", std::move(name)}, {"ArgumentValue", std::move(value)}};
  return e;
}
inline ApiError invalid_request(std::string msg) { return ApiError::bad_request("InvalidRequest", std::move(msg)); }
inline ApiError malformed_xml() {
  return ApiError::bad_request("MalformedXML",
                               "The XML you provided was not well-formed or did not validate against our published schema");
}
inline ApiError precondition_failed(std::string condition) {
  return ApiError::make(412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold")
      .with("Condition", std::move(condition));
}
inline ApiError not_implemented_header(std::string header) {  // "NotImplemented"
  return ApiError::make(501, "NotImplemented", "A header you provided implies functionality that is not implemented")
      .with("Header", std::move(header));
}
inline ApiError not_modified() { return ApiError::make(304, "NotModified", "Not Modified"); }

// ---- objects ----
inline ApiError no_such_key(std::string_view key) {
  return ApiError::make(404, "NoSuchKey", "The specified key does not exist.").with("Key", std::string(key));
}
inline ApiError no_such_version(std::string_view key, std::string_view version_id) {
  return ApiError::make(404, "NoSuchVersion", "The specified version does not exist.")
      .with("Key", std::string(key))
      .with("VersionId", std::string(version_id));
}
// GET of a version that is a delete marker.
inline ApiError method_not_allowed(std::string method, std::string resource_type) {
  return ApiError::make(405, "MethodNotAllowed", "The specified method is not allowed against this resource.")
      .with("Method", std::move(method))
      .with("ResourceType", std::move(resource_type));
}
inline ApiError key_too_long_error(size_t size) {
  return ApiError::bad_request("KeyTooLongError", "Your key is too long").with("MaxSizeAllowed", "1024").with("Size", std::to_string(size));
}
inline ApiError metadata_too_large(size_t size) {
  return ApiError::bad_request("MetadataTooLarge", "Your metadata headers exceed the maximum allowed metadata size")
      .with("Size", std::to_string(size))
      .with("MaxSizeAllowed", "2048");
}
inline ApiError invalid_range(std::string requested, uint64_t size) {
  return ApiError::make(416, "InvalidRange", "The requested range is not satisfiable")
      .with("RangeRequested", std::move(requested))
      .with("ActualObjectSize", std::to_string(size));
}
inline ApiError invalid_part_number(int64_t requested, int64_t parts) {
  return ApiError::make(416, "InvalidPartNumber", "The requested partnumber is not satisfiable")
      .with("PartNumberRequested", std::to_string(requested))
      .with("ActualPartCount", std::to_string(parts));
}
// `requested` empty: the request's value is not known here.
inline ApiError invalid_storage_class(std::string requested = {}) {
  ApiError e = ApiError::bad_request("InvalidStorageClass", "The storage class you specified is not valid");
  if (!requested.empty()) e.details = {{"StorageClassRequested", std::move(requested)}};
  return e;
}
inline ApiError invalid_redirect_location() {
  return ApiError::bad_request("InvalidRedirectLocation",
                               "The website redirect location must have a prefix of 'http://' or 'https://' or '/'.");
}
// Tags: more than 50 ("BadRequest" is the code S3 answers).
inline ApiError bad_request(std::string msg) { return ApiError::bad_request("BadRequest", std::move(msg)); }
inline ApiError invalid_tag(std::string msg) { return ApiError::bad_request("InvalidTag", std::move(msg)); }

// ---- multipart ----
inline ApiError no_such_upload(std::string_view id) {
  return ApiError::make(404, "NoSuchUpload",
                        "The specified upload does not exist. The upload ID may be invalid, or the upload may have been "
                        "aborted or completed.")
      .with("UploadId", std::string(id));
}
inline ApiError invalid_part_order(std::string_view upload_id) {
  return ApiError::bad_request("InvalidPartOrder", "The list of parts was not in ascending order. Parts must be ordered by part number.")
      .with("UploadId", std::string(upload_id));
}
inline ApiError invalid_part(std::string_view upload_id, int32_t number, std::string etag) {
  return ApiError::bad_request("InvalidPart",
                               "One or more of the specified parts could not be found.  The part may not have been uploaded, or the "
                               "specified entity tag may not match the part's entity tag.")
      .with("UploadId", std::string(upload_id))
      .with("PartNumber", std::to_string(number))
      .with("ETag", std::move(etag));
}

// ---- bodies (s3_body.cpp) and browser form uploads (s3_post.cpp) ----
inline ApiError incomplete_body() { return ApiError::bad_request("IncompleteBody", "The request body terminated unexpectedly"); }
inline ApiError invalid_digest(std::string content_md5) {
  return ApiError::bad_request("InvalidDigest", "The Content-MD5 you specified was invalid.").with("Content-MD5", std::move(content_md5));
}
inline ApiError bad_digest(std::string msg) { return ApiError::bad_request("BadDigest", std::move(msg)); }
inline ApiError missing_content_length() {
  return ApiError::make(411, "MissingContentLength", "You must provide the Content-Length HTTP header.");
}
// Sizes as the caller has them (a POST policy's range may be negative).
template <class Size, class Limit>
ApiError entity_too_large(Size proposed, Limit max) {
  return ApiError::bad_request("EntityTooLarge", "Your proposed upload exceeds the maximum allowed size")
      .with("ProposedSize", std::to_string(proposed))
      .with("MaxSizeAllowed", std::to_string(max));
}
// A multipart part (the message says "object size") or a POST below its
// content-length-range.
template <class Size, class Limit>
ApiError entity_too_small(std::string msg, Size proposed, Limit min) {
  return ApiError::bad_request("EntityTooSmall", std::move(msg))
      .with("ProposedSize", std::to_string(proposed))
      .with("MinSizeAllowed", std::to_string(min));
}
inline ApiError malformed_post_request(std::string msg) { return ApiError::bad_request("MalformedPOSTRequest", std::move(msg)); }
inline ApiError max_post_pre_data_length_exceeded() {
  return ApiError::bad_request("MaxPostPreDataLengthExceeded", "Your POST request fields preceeding the upload file was too large.");
}
inline ApiError invalid_policy_document(std::string msg) { return ApiError::bad_request("InvalidPolicyDocument", std::move(msg)); }
// A POST form its policy does not allow; a version Object Lock protects.
inline ApiError access_denied(std::string msg) { return ApiError::make(403, "AccessDenied", std::move(msg)); }


// ---- ACLs (s3_acl.cpp) ----
inline ApiError malformed_acl_error() {
  return ApiError::bad_request("MalformedACLError", "The XML you provided was not well-formed or did not validate against our published schema");
}
inline ApiError unresolvable_grant_by_email_address() {
  return ApiError::bad_request("UnresolvableGrantByEmailAddress", "The e-mail address you provided does not match any account on record.");
}
inline ApiError unexpected_content() { return ApiError::bad_request("UnexpectedContent", "This request does not support content"); }
inline ApiError missing_security_header(std::string header) {
  return ApiError::bad_request("MissingSecurityHeader", "Your request was missing a required header").with("MissingHeaderName", std::move(header));
}
inline ApiError access_control_list_not_supported() {
  return ApiError::bad_request("AccessControlListNotSupported", "The bucket does not allow ACLs");
}
// ---- analytics, metrics, inventory, intelligent-tiering configurations (s3_bucket_id_configs.cpp) ----
inline ApiError no_such_configuration() {
  return ApiError::make(404, "NoSuchConfiguration", "The specified configuration does not exist.");
}

}  // namespace podstack::s3
