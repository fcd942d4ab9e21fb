// Fuzzes the model-driven request decoders of every protocol podstack
// speaks (query, JSON 1.0/1.1, rest-json, rest-xml) without the gateway or
// any service: the decoders must answer an input or an error, never crash,
// hang or trip a sanitizer, whatever the bytes.
//
// Input:
//   MODEL\n             sts ssm secretsmanager s3 sqs sqs-json sns dynamodb
//                       dynamodbstreams ses sesv2
//   OPERATION[ PATH?QUERY]\n     query/json: the operation name
//   METHOD PATH?QUERY\n          rest: matched like the gateway does
//   Header: value\n ... \n
//   BODY                (query: the form body)
#include <boost/json.hpp>
#include <exception>

#include "server/protocol/codec.h"
#include "server/protocol/encoding.h"
#include "tests/fuzz/fuzz_input.h"

using namespace podstack;
using namespace podstack::protocol;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in = fuzz::as_view(data, size);
  std::string model_name(fuzz::take_line(in));
  std::string_view request_line = fuzz::take_line(in);
  boost::beast::http::fields headers;
  fuzz::take_headers(in, headers);

  bool json_variant = false;
  if (model_name == "sqs-json") {
    model_name = "sqs";
    json_variant = true;
  }
  const ServiceModel* model = builtin_model(model_name);
  if (!model) return 0;
  if (json_variant && model->json_variant()) model = model->json_variant();

  HttpRequest req;
  req.headers = &headers;
  req.body = in;
  std::string_view first = request_line.substr(0, request_line.find(' '));
  std::string_view target = first.size() < request_line.size() ? request_line.substr(first.size() + 1) : std::string_view();
  size_t q = target.find('?');
  req.path = target.substr(0, q);
  if (req.path.empty()) req.path = "/";
  if (q != std::string_view::npos) req.query = parse_form(target.substr(q + 1));

  const Operation* op = nullptr;
  std::vector<std::pair<std::string, std::string>> labels;
  if (model->protocol == Protocol::kRestJson || model->protocol == Protocol::kRestXml) {
    req.method = first;
    op = match_rest_operation(*model, req.method, req.path, req.query, labels, &headers);
    req.labels = std::move(labels);
  } else {
    req.method = "POST";
    op = model->operation(first);
    if (model->protocol == Protocol::kQuery) req.form = parse_form(in);
  }
  if (!op) return 0;
  try {
    boost::json::object input = parse_input(*model, *op, req);
    (void)input;
  } catch (const ApiError&) {
  } catch (const std::exception&) {
    // The gateway answers these as a SerializationException (Gateway::call); fine.
  }
  return 0;
}
