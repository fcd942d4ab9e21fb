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

}  // namespace podstack::secretsmanager
