// The errors DynamoDB returns, one factory per AWS error code, named after
// the code without its "Exception" suffix (resource_not_found for
// ResourceNotFoundException); ValidationException is the protocol layer's
// ApiError::validation. Status 400 for all of them, as AWS.
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/CommonErrors.html
#pragma once
#include <boost/json.hpp>
#include <string>

#include "server/protocol/api_error.h"

namespace podstack::dynamodb {

using protocol::ApiError;

inline ApiError resource_not_found(std::string message = "Requested resource not found") {
  return ApiError::bad_request("ResourceNotFoundException", std::move(message));
}

inline ApiError table_not_found(std::string_view table) {
  return ApiError::bad_request("TableNotFoundException", "Table not found: " + std::string(table));
}

inline ApiError resource_in_use(std::string message) { return ApiError::bad_request("ResourceInUseException", std::move(message)); }

// `item_json`: the serialized {"Item": ...} member of ReturnValuesOnConditionCheckFailure=ALL_OLD; empty: none.
inline ApiError conditional_check_failed(std::string item_json = {}) {
  ApiError e = ApiError::bad_request("ConditionalCheckFailedException", "The conditional request failed");
  e.json_fields = std::move(item_json);
  return e;
}

inline ApiError idempotent_parameter_mismatch() {
  return ApiError::bad_request("IdempotentParameterMismatchException", "The request with the same client token was received with different parameters");
}

inline ApiError duplicate_item() { return ApiError::bad_request("DuplicateItemException", "Duplicate primary key exists in table"); }

// `reasons`: one {"Code", "Message"?, "Item"?} per item of the transaction, in order.
inline ApiError transaction_canceled(boost::json::array reasons) {
  std::string codes;
  for (auto& r : reasons) codes += (codes.empty() ? "" : ", ") + std::string(r.at("Code").as_string());
  ApiError e = ApiError::bad_request("TransactionCanceledException",
                                     "Transaction cancelled, please refer cancellation reasons for specific reasons [" + codes + "]");
  e.json_fields = boost::json::serialize(boost::json::object{{"CancellationReasons", std::move(reasons)}});
  return e;
}

// A table holds at most 50 tags (TagResource, CreateTable's Tags).
constexpr size_t kMaxTags = 50;
inline ApiError too_many_tags() { return ApiError::validation("One or more parameter values were invalid: The number of tags exceeds the limit of 50"); }

// ---- resource-based policies (dynamodb_policies_insights.cpp) ----
inline ApiError policy_not_found(std::string_view arn) {
  return ApiError::bad_request("PolicyNotFoundException", "Resource-based policy not found for the provided ResourceArn: " + std::string(arn));
}
inline ApiError policy_revision_mismatch(std::string_view arn, std::string_view expected) {
  return ApiError::bad_request("PolicyNotFoundException", "Resource-based policy not found for the provided ResourceArn: Requested update for policy with revision id " +
                                                              std::string(expected) + ", but the policy associated to target table " + std::string(arn) +
                                                              " has revision id that does not match.");
}

}  // namespace podstack::dynamodb
