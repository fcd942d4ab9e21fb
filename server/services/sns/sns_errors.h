// The errors SNS returns, one factory per AWS error code, with AWS's status
// and wording. https://docs.aws.amazon.com/sns/latest/api/CommonErrors.html
// and each action's "Errors" section.
#pragma once
#include <string>
#include <string_view>

#include "server/service.h"

namespace podstack::sns {

// InvalidParameter: "Invalid parameter: <reason>".
inline ApiError invalid_parameter(std::string_view reason) {
  return ApiError::bad_request("InvalidParameter", "Invalid parameter: " + std::string(reason));
}
// NotFound (404): a topic, subscription, application or endpoint.
inline ApiError not_found(std::string message) { return ApiError::make(404, "NotFound", std::move(message)); }
// ResourceNotFound (404): the resource of a tagging call.
inline ApiError resource_not_found() { return ApiError::make(404, "ResourceNotFound", "Resource does not exist"); }
inline ApiError tag_limit_exceeded() {
  return ApiError::bad_request("TagLimitExceeded", "Could not complete request: tag quota of per resource exceeded");
}
// Subscribe: a FIFO SQS queue to a standard topic.
inline ApiError fifo_queue_on_standard_topic() {
  return invalid_parameter("Invalid parameter: Endpoint Reason: FIFO SQS Queues can not be subscribed to standard SNS topics");
}
// AddPermission: a label already used by a statement of the topic's policy;
// an action SNS policies do not know.
inline ApiError statement_already_exists() { return invalid_parameter("Statement already exists"); }
inline ApiError action_out_of_scope() { return invalid_parameter("Policy statement action out of service scope!"); }
inline ApiError endpoint_disabled() { return ApiError::bad_request("EndpointDisabled", "Endpoint is disabled"); }

// PublishBatch.
inline ApiError empty_batch_request() {
  return ApiError::bad_request("EmptyBatchRequest", "The batch request doesn't contain any entries");
}
inline ApiError too_many_entries_in_batch_request() {
  return ApiError::bad_request("TooManyEntriesInBatchRequest", "The batch request contains more entries than permissible.");
}
inline ApiError invalid_batch_entry_id() {
  return ApiError::bad_request("InvalidBatchEntryId", "The Id of a batch entry in a batch request doesn't abide by the specification.");
}
inline ApiError batch_entry_ids_not_distinct() {
  return ApiError::bad_request("BatchEntryIdsNotDistinct", "Two or more batch entries in the request have the same Id.");
}
inline ApiError batch_request_too_long() {
  return ApiError::bad_request("BatchRequestTooLong", "The length of all the messages put together is more than the limit.");
}

// LocalStack's /_aws/sns/subscription-tokens/<arn> words its errors its own way.
inline ApiError subscription_arn_invalid() {
  return ApiError::bad_request("InvalidParameter", "The provided SubscriptionARN is invalid");
}
inline ApiError subscription_arn_not_found() { return not_found("The provided SubscriptionARN is not found"); }

}  // namespace podstack::sns
