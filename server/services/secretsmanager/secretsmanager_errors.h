// Secrets Manager errors: one factory per error code the service returns,
// with AWS's messages.
// https://docs.aws.amazon.com/secretsmanager/latest/apireference/CommonErrors.html
#pragma once
#include <string>

#include "server/protocol/api_error.h"

namespace podstack::secretsmanager {

using protocol::ApiError;

inline ApiError resource_not_found_exception(std::string message = "Secrets Manager can't find the specified secret.") {
  return ApiError::bad_request("ResourceNotFoundException", std::move(message));
}
inline ApiError invalid_request_exception(std::string message) {
  return ApiError::bad_request("InvalidRequestException", std::move(message));
}
// InvalidRequestException for a secret scheduled for deletion.
inline ApiError marked_for_deletion() {
  return invalid_request_exception("You can't perform this operation on the secret because it was marked for deletion.");
}
inline ApiError invalid_parameter_exception(std::string message) {
  return ApiError::bad_request("InvalidParameterException", std::move(message));
}
inline ApiError invalid_next_token_exception() {
  return ApiError::bad_request("InvalidNextTokenException", "The NextToken value is invalid.");
}
inline ApiError resource_exists_exception(std::string message) {
  return ApiError::bad_request("ResourceExistsException", std::move(message));
}
inline ApiError malformed_policy_document_exception(std::string message = "This resource policy contains a syntax error.") {
  return ApiError::bad_request("MalformedPolicyDocumentException", std::move(message));
}

// ResourceExistsException for a ClientRequestToken already used by a version
// with another value (the text moto records for AWS's answer).
inline ApiError token_in_use(const std::string& token, const std::string& arn) {
  return resource_exists_exception("You can't use ClientRequestToken " + token +
                                   " because that value is already in use for a version of secret " + arn + ".");
}
inline ApiError bad_client_request_token() {
  return invalid_parameter_exception("ClientRequestToken must be 32-64 characters long.");
}
// Writes to a replica (moto's text for AWS's InvalidParameterException).
inline ApiError operation_on_replica() {
  return invalid_parameter_exception(
      "Operation not permitted on a replica secret. Call must be made in primary secret's region.");
}
inline ApiError invalid_replica_region() { return invalid_parameter_exception("Invalid replica region."); }
// "You can't delete a primary secret if it is replicated to other Regions"
// (the user guide); the wording of the message is podstack's.
inline ApiError primary_has_replicas(const std::string& name) {
  return invalid_request_exception("You can't delete secret " + name +
                                   " because it is replicated to other Regions. Remove the replicas first.");
}
// RotateSecret (LocalStack's recorded AWS answer).
inline ApiError no_rotation_lambda() {
  return invalid_request_exception("No Lambda rotation function ARN is associated with this secret.");
}
inline ApiError rotation_in_progress() {
  return invalid_request_exception("Previous rotation request is still in progress.");
}

}  // namespace podstack::secretsmanager
