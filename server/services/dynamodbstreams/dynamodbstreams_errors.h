// The errors DynamoDB Streams returns, one factory per AWS error code
// (besides ApiError::validation for ValidationException).
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Operations_Amazon_DynamoDB_Streams.html
#pragma once
#include <string>

#include "server/protocol/api_error.h"

namespace podstack::dynamodbstreams {

using protocol::ApiError;

inline ApiError resource_not_found(std::string message) { return ApiError::bad_request("ResourceNotFoundException", std::move(message)); }

// A StreamArn that is not a DynamoDB stream ARN at all (AWS: ValidationException,
// "Invalid StreamArn"; a well-formed ARN of no stream is ResourceNotFoundException).
inline ApiError invalid_stream_arn() { return ApiError::validation("Invalid StreamArn"); }

}  // namespace podstack::dynamodbstreams
