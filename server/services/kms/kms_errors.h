// KMS errors: one factory per error code the service returns, with AWS's
// messages where they are known.
// https://docs.aws.amazon.com/kms/latest/APIReference/CommonErrors.html and
// each operation's Errors section.
#pragma once
#include <string>

#include "server/protocol/api_error.h"

namespace podstack::kms {

using protocol::ApiError;

inline ApiError not_found_exception(std::string message) {
  return ApiError::bad_request("NotFoundException", std::move(message));
}
inline ApiError key_not_found(const std::string& arn) { return not_found_exception("Key '" + arn + "' does not exist"); }
inline ApiError invalid_key_id(std::string_view id) { return not_found_exception("Invalid keyId '" + std::string(id) + "'"); }
inline ApiError alias_not_found(const std::string& alias_arn) {
  return not_found_exception("Alias " + alias_arn + " is not found.");
}
inline ApiError validation_exception(std::string message) { return ApiError::validation(std::move(message)); }
inline ApiError disabled_exception(const std::string& arn) {
  return ApiError::bad_request("DisabledException", arn + " is disabled.");
}
inline ApiError invalid_state_exception(std::string message) {
  return ApiError::bad_request("KMSInvalidStateException", std::move(message));
}
inline ApiError pending_deletion(const std::string& arn) { return invalid_state_exception(arn + " is pending deletion."); }
inline ApiError invalid_ciphertext_exception(std::string message = "") {
  return ApiError::bad_request("InvalidCiphertextException", std::move(message));
}
inline ApiError incorrect_key_exception() {
  return ApiError::bad_request("IncorrectKeyException",
                               "The key ID in the request does not identify a CMK that can perform this operation.");
}
inline ApiError invalid_key_usage_exception(std::string message) {
  return ApiError::bad_request("InvalidKeyUsageException", std::move(message));
}
inline ApiError unsupported_operation_exception(std::string message) {
  return ApiError::bad_request("UnsupportedOperationException", std::move(message));
}
inline ApiError already_exists_exception(std::string message) {
  return ApiError::bad_request("AlreadyExistsException", std::move(message));
}
inline ApiError not_authorized_exception() {
  return ApiError::bad_request("NotAuthorizedException", "");
}
inline ApiError malformed_policy_document_exception(std::string message) {
  return ApiError::bad_request("MalformedPolicyDocumentException", std::move(message));
}
inline ApiError invalid_signature_exception() { return ApiError::bad_request("KMSInvalidSignatureException", ""); }
inline ApiError invalid_mac_exception() { return ApiError::bad_request("KMSInvalidMacException", ""); }
inline ApiError invalid_grant_token_exception() {
  return ApiError::bad_request("InvalidGrantTokenException", "Invalid grant token");
}
inline ApiError invalid_grant_id_exception() { return ApiError::bad_request("InvalidGrantIdException", ""); }
inline ApiError invalid_marker_exception() {
  return ApiError::bad_request("InvalidMarkerException", "Invalid marker");
}
inline ApiError invalid_arn_exception(std::string message) {
  return ApiError::bad_request("InvalidArnException", std::move(message));
}
inline ApiError tag_exception(std::string message) { return ApiError::bad_request("TagException", std::move(message)); }
inline ApiError dry_run_exception() {
  return ApiError::bad_request("DryRunOperationException", "The request would have succeeded, but the DryRun option is set.");
}

}  // namespace podstack::kms
