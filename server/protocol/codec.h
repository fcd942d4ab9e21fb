// Model-driven wire codecs: request -> operation input (a boost::json object
// shaped like the model's input structure) and output/error -> HTTP response,
// for the AWS protocols json (1.0/1.1) and query (XML responses).
//
// Internal value conventions, whatever the wire: timestamps are JSON numbers
// (epoch seconds), blobs are strings holding the raw bytes, integers are
// int64, structures are objects keyed by member name.
#pragma once
#include <boost/beast/http/fields.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "server/protocol/api_error.h"
#include "server/protocol/model.h"

namespace podstack::protocol {

struct HttpRequest {
  std::string_view method;
  std::string_view path;                                  // without the query string
  std::vector<std::pair<std::string, std::string>> query;  // decoded query string
  const boost::beast::http::fields* headers = nullptr;
  std::string_view body;
  std::vector<std::pair<std::string, std::string>> form;   // decoded form body (query protocol)
  std::vector<std::pair<std::string, std::string>> labels; // URI labels (rest protocols), from match_rest_operation
};

// rest-json / rest-xml: the operation whose method and requestUri template
// ("/{Bucket}/{Key+}?uploads") match, preferring the most specific template;
// fills `labels` with the decoded URI labels. Operations sharing a template
// (S3's PutObject / CopyObject / UploadPart) are told apart by their
// required query and header members (with `headers`): an operation missing
// one does not match, one with more of them present wins; then the newer
// of a deprecated pair (GetBucketLifecycleConfiguration over GetBucketLifecycle).
const Operation* match_rest_operation(const ServiceModel& model, std::string_view method, std::string_view path,
                                      const std::vector<std::pair<std::string, std::string>>& query,
                                      std::vector<std::pair<std::string, std::string>>& labels,
                                      const boost::beast::http::fields* headers = nullptr);

struct WireResponse {
  int status = 200;
  std::string content_type;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

// Parses and validates the input of `op`. Throws ApiError (SerializationException
// / ValidationException in the protocol's own spelling) on bad input.
boost::json::object parse_input(const ServiceModel& model, const Operation& op, const HttpRequest& req);

WireResponse render_output(const ServiceModel& model, const Operation& op, boost::json::value output,
                           std::string_view request_id);

WireResponse render_error(Protocol protocol, const ServiceModel* model, const ApiError& err,
                          std::string_view request_id);

// Throws the protocol's ApiError when a string of `input` that the model types
// `string` (not `blob`) is not well-formed UTF-8: query InvalidParameterValue,
// JSON SerializationException, S3 InvalidURI (URI, query), InvalidArgument
// (headers) or MalformedXML (body). parse_input calls it; proto3 `string`
// fields refuse such bytes when an event is parsed.
void check_utf8(const ServiceModel& model, const Operation& op, const boost::json::object& input);

// Validates a decoded value against its shape: required members, lengths,
// ranges, enums. Returns the AWS message ("1 validation error detected: ...")
// or an empty string.
std::string validate(const Shape& shape, const boost::json::value& v);

}  // namespace podstack::protocol
