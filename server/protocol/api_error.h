// The one error type for the wire. Services and the gateway produce it; only
// the protocol layer renders it (JSON __type, query <ErrorResponse>, ...).
#pragma once
#include <string>
#include <utility>
#include <vector>

namespace podstack::protocol {

struct ApiError {
  int status = 400;
  std::string code;
  std::string message;
  bool sender_fault = true;  // query protocol <Type>Sender|Receiver</Type>
  // JSON protocols: a serialized JSON object whose members are added to the
  // error body (DynamoDB's Item, CancellationReasons). Empty: none.
  std::string json_fields;

  // Extra elements of a rest-xml <Error> (S3's BucketName, Key, ...), in order.
  std::vector<std::pair<std::string, std::string>> details;
  // Extra response headers (S3's x-amz-delete-marker on a 404, ...).
  std::vector<std::pair<std::string, std::string>> headers;

  ApiError&& with(std::string name, std::string value) && {
    details.emplace_back(std::move(name), std::move(value));
    return std::move(*this);
  }

  static ApiError make(int status, std::string code, std::string message) {
    return ApiError{status, std::move(code), std::move(message), status < 500, {}, {}, {}};
  }
  static ApiError bad_request(std::string code, std::string message) { return make(400, std::move(code), std::move(message)); }
  static ApiError not_found(std::string code, std::string message) { return make(400, std::move(code), std::move(message)); }
  static ApiError validation(std::string message) { return make(400, "ValidationException", std::move(message)); }
  static ApiError serialization(std::string message) { return make(400, "SerializationException", std::move(message)); }
  static ApiError internal(std::string message) { return make(500, "InternalFailure", std::move(message)); }
  static ApiError unavailable(std::string message) { return make(503, "ServiceUnavailable", std::move(message)); }
  static ApiError not_implemented(std::string message) { return make(501, "NotImplemented", std::move(message)); }
};

}  // namespace podstack::protocol
