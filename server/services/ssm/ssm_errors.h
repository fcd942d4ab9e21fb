// SSM Parameter Store errors: one factory per error code the service
// returns, with AWS's message. Input that fails a constraint stays
// ApiError::validation (ValidationException).
// https://docs.aws.amazon.com/systems-manager/latest/APIReference/CommonErrors.html
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "server/protocol/api_error.h"

namespace podstack::ssm {

using protocol::ApiError;

inline ApiError parameter_not_found(std::string_view name) {
  return ApiError::bad_request("ParameterNotFound", "Parameter " + std::string(name) + " not found.");
}
inline ApiError parameter_version_not_found(int64_t version, std::string_view name) {
  return ApiError::bad_request("ParameterVersionNotFound", "Systems Manager could not find version " + std::to_string(version) +
                                                               " of " + std::string(name) + ". Verify the version and try again.");
}
inline ApiError parameter_already_exists() {
  return ApiError::bad_request("ParameterAlreadyExists",
                               "The parameter already exists. To overwrite this value, set the overwrite option in the request to true.");
}
inline ApiError parameter_max_version_limit_exceeded(std::string_view name, int64_t oldest) {
  return ApiError::bad_request("ParameterMaxVersionLimitExceeded",
                               "You attempted to create a new version of " + std::string(name) +
                                   " by calling the PutParameter API with the overwrite flag. Version " + std::to_string(oldest) +
                                   ", the oldest version, can't be deleted because it has a label associated with it. Move the label to another version of the parameter, and try again.");
}
inline ApiError parameter_pattern_mismatch_exception(std::string_view pattern) {
  return ApiError::bad_request("ParameterPatternMismatchException",
                               "Parameter value, cannot be validated against allowedPattern: " + std::string(pattern));
}
// PutParameter names with more levels; GetParametersByPath paths (AWS's shorter message).
inline ApiError hierarchy_level_limit_exceeded_exception(std::string message) {
  return ApiError::bad_request("HierarchyLevelLimitExceededException", std::move(message));
}
inline ApiError too_many_tags_error(std::string message) { return ApiError::bad_request("TooManyTagsError", std::move(message)); }
inline ApiError parameter_version_label_limit_exceeded() {
  return ApiError::bad_request("ParameterVersionLabelLimitExceeded",
                               "A parameter version can have maximum 10 labels.Move one or more labels to another version and try again.");
}
inline ApiError invalid_resource_type(std::string_view type) {
  return ApiError::bad_request("InvalidResourceType", "podstack supports tags on Parameter resources only, not " + std::string(type));
}
inline ApiError invalid_resource_id(std::string_view id) {
  return ApiError::bad_request("InvalidResourceId", "The resource ID \"" + std::string(id) + "\" is not valid. Verify the ID and try again.");
}

// ParameterFilters of DescribeParameters and GetParametersByPath (AWS's
// messages as moto's tests record them, moto/ssm/models.py _validate_parameter_filters).
// https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_DescribeParameters.html#API_DescribeParameters_Errors
inline ApiError invalid_filter_key(std::string message) { return ApiError::bad_request("InvalidFilterKey", std::move(message)); }
inline ApiError invalid_filter_option(std::string_view option, std::string_view valid) {
  return ApiError::bad_request("InvalidFilterOption", "The following filter option is not valid: " + std::string(option) +
                                                          ". Valid options include: " + std::string(valid) + ".");
}
inline ApiError invalid_filter_value(std::string message) { return ApiError::bad_request("InvalidFilterValue", std::move(message)); }

}  // namespace podstack::ssm
