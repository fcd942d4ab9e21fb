// STS errors: one factory per error code the service returns.
// https://docs.aws.amazon.com/STS/latest/APIReference/CommonErrors.html
#pragma once
#include <string>

#include "server/protocol/api_error.h"

namespace podstack::sts {

using protocol::ApiError;

// STS's own spelling (query protocol), not ValidationException.
inline ApiError validation_error(std::string message) { return ApiError::bad_request("ValidationError", std::move(message)); }

// A member that breaks its pattern, in the codec's words (the codec checks
// lengths and ranges, not patterns):
// "1 validation error detected: Value 'a:b' at 'roleSessionName' failed to
// satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]*".
inline ApiError pattern_error(std::string_view value, std::string_view member, std::string_view pattern) {
  return validation_error("1 validation error detected: Value '" + std::string(value) + "' at '" + std::string(member) +
                          "' failed to satisfy constraint: Member must satisfy regular expression pattern: " + std::string(pattern));
}

// An ARN that is not one: "nothing-valid-in-here is invalid" (LocalStack's
// recorded AWS responses, tests/aws/services/sts/test_sts.snapshot.json).
inline ApiError invalid_arn(std::string_view arn) { return validation_error(std::string(arn) + " is invalid"); }

// https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithSAML.html#API_AssumeRoleWithSAML_Errors
inline ApiError invalid_identity_token(std::string message) {
  return ApiError::bad_request("InvalidIdentityToken", std::move(message));
}

}  // namespace podstack::sts
