// EventBridge errors: one factory per error code the service returns, with
// AWS's messages.
// https://docs.aws.amazon.com/eventbridge/latest/APIReference/CommonErrors.html
#pragma once
#include <string>

#include "server/protocol/api_error.h"

namespace podstack::events {

using protocol::ApiError;

inline ApiError resource_not_found_exception(std::string message) {
  return ApiError::bad_request("ResourceNotFoundException", std::move(message));
}
inline ApiError bus_not_found(const std::string& name) {
  return resource_not_found_exception("Event bus " + name + " does not exist.");
}
inline ApiError rule_not_found(const std::string& name, const std::string& bus) {
  return resource_not_found_exception("Rule " + name + " does not exist on EventBus " + bus + ".");
}
inline ApiError resource_already_exists_exception(std::string message) {
  return ApiError::bad_request("ResourceAlreadyExistsException", std::move(message));
}
inline ApiError invalid_event_pattern_exception(const std::string& reason) {
  return ApiError::bad_request("InvalidEventPatternException", "Event pattern is not valid. Reason: " + reason);
}
inline ApiError limit_exceeded_exception(std::string message) {
  return ApiError::bad_request("LimitExceededException", std::move(message));
}
inline ApiError validation_exception(std::string message) { return ApiError::validation(std::move(message)); }
inline ApiError invalid_schedule() { return validation_exception("Parameter ScheduleExpression is not valid."); }
inline ApiError invalid_target_arn(const std::string& arn) {
  return validation_exception("Parameter " + arn + " is not valid. Reason: Provided Arn is not in correct format.");
}

}  // namespace podstack::events
