// STS errors: one factory per error code the service returns.
// https://docs.aws.amazon.com/STS/latest/APIReference/CommonErrors.html
#pragma once
#include <string>

#include "server/protocol/api_error.h"

namespace podstack::sts {

using protocol::ApiError;

// STS's own spelling (query protocol), not ValidationException.
inline ApiError validation_error(std::string message) { return ApiError::bad_request("ValidationError", std::move(message)); }

}  // namespace podstack::sts
