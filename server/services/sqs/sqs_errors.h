// SQS errors: one factory per error code the service returns, with AWS's
// status and message. Codes are the query protocol's (the JSON codec maps
// them to the error shape names of the awsQueryCompatible model).
// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/CommonErrors.html
#pragma once
#include <string>
#include <string_view>

#include "server/protocol/api_error.h"

namespace podstack::sqs {

using protocol::ApiError;

inline ApiError non_existent_queue(std::string message = "The specified queue does not exist.") {
  return ApiError::bad_request("AWS.SimpleQueueService.NonExistentQueue", std::move(message));
}
// /_aws/sqs/messages (LocalStack's developer endpoint): a QueueUrl that
// names no queue, and a request for another operation than ReceiveMessage.
inline ApiError invalid_address() {
  return ApiError::make(404, "InvalidAddress", "The address https://queue.amazonaws.com/ is not valid for this endpoint.");
}
inline ApiError invalid_request(std::string message) { return ApiError::bad_request("InvalidRequest", std::move(message)); }
inline ApiError invalid_parameter_value(std::string message) {
  return ApiError::bad_request("InvalidParameterValue", std::move(message));
}
inline ApiError invalid_attribute_value(std::string_view name) {
  return ApiError::bad_request("InvalidAttributeValue", "Invalid value for the parameter " + std::string(name) + ".");
}
inline ApiError invalid_attribute_name(std::string_view name) {
  return ApiError::bad_request("InvalidAttributeName", "Unknown Attribute " + std::string(name) + ".");
}
// A handle that names no message of the queue.
inline ApiError receipt_handle_is_invalid(std::string_view handle) {
  return ApiError::bad_request("ReceiptHandleIsInvalid",
                               "The input receipt handle \"" + std::string(handle) + "\" is not a valid receipt handle.");
}
// The same code for a FIFO message's handle of an earlier receive.
inline ApiError receipt_handle_is_invalid_expired() {
  return ApiError::bad_request("ReceiptHandleIsInvalid", "The receipt handle has expired.");
}
inline ApiError queue_already_exists(std::string_view attribute) {
  return ApiError::bad_request("QueueAlreadyExists",
                               "A queue already exists with the same name and a different value for attribute " + std::string(attribute));
}
inline ApiError purge_queue_in_progress(std::string_view queue) {
  return ApiError::make(403, "AWS.SimpleQueueService.PurgeQueueInProgress",
                        "Only one PurgeQueue operation on " + std::string(queue) + " is allowed every 60 seconds.");
}
// A FIFO batch entry without MessageGroupId fails the whole batch with this code.
inline ApiError missing_group_id_in_batch() {
  return invalid_parameter_value("The request must contain the parameter MessageGroupId.");
}
inline ApiError dedup_id_required() {
  return invalid_parameter_value("The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly");
}
// SendMessage over the queue's MaximumMessageSize; a batch entry is worded "cannot be validated".
inline ApiError message_too_long(int64_t max_size, bool batch_entry) {
  return invalid_parameter_value(std::string("One or more parameters ") + (batch_entry ? "cannot be validated" : "are invalid") +
                                 ". Reason: Message must be shorter than " + std::to_string(max_size) + " bytes.");
}
inline ApiError untag_keys_empty() { return invalid_parameter_value("Tag keys must be between 1 and 128 characters in length."); }
inline ApiError missing_parameter(std::string_view parameter) {
  return ApiError::bad_request("MissingParameter", "The request must contain the parameter " + std::string(parameter) + ".");
}
inline ApiError invalid_message_contents(
    std::string message = "Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF") {
  return ApiError::bad_request("InvalidMessageContents", std::move(message));
}
inline ApiError empty_batch_request(std::string_view entry_name) {
  return ApiError::bad_request("AWS.SimpleQueueService.EmptyBatchRequest",
                               "There should be at least one " + std::string(entry_name) + " in the request.");
}
inline ApiError too_many_entries_in_batch_request(size_t sent) {
  return ApiError::bad_request("AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
                               "Maximum number of entries per request are 10. You have sent " + std::to_string(sent) + ".");
}
inline ApiError invalid_batch_entry_id() {
  return ApiError::bad_request("AWS.SimpleQueueService.InvalidBatchEntryId",
                               "A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.");
}
inline ApiError batch_entry_ids_not_distinct(std::string_view id) {
  return ApiError::bad_request("AWS.SimpleQueueService.BatchEntryIdsNotDistinct", "Id " + std::string(id) + " repeated.");
}
inline ApiError batch_request_too_long(int64_t limit, size_t sent) {
  return ApiError::bad_request("AWS.SimpleQueueService.BatchRequestTooLong", "Batch requests cannot be longer than " + std::to_string(limit) +
                                                                                 " bytes. You have sent " + std::to_string(sent) + " bytes.");
}
inline ApiError message_not_inflight(std::string_view handle) {
  return ApiError::bad_request("AWS.SimpleQueueService.MessageNotInflight",
                               "Value " + std::string(handle) +
                                   " for parameter ReceiptHandle is invalid. Reason: Message does not exist or is not available for visibility timeout change.");
}
// AddPermission: more actions than a statement may hold.
inline ApiError over_limit(size_t actions) {
  return ApiError::make(403, "OverLimit", std::to_string(actions) + " Actions were found, maximum allowed is 7.");
}
inline ApiError resource_not_found(std::string message) {
  return ApiError::make(404, "ResourceNotFoundException", std::move(message));
}

}  // namespace podstack::sqs
