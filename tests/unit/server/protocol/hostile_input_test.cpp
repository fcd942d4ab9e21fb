// The codecs' guards against input an event could not hold: strings that are
// not UTF-8 (proto3 refuses them when the log is replayed) and JSON nulls
// where the model has a type (services would read them as strings).
#include <doctest/doctest.h>

#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include "server/protocol/codec.h"
#include "server/protocol/encoding.h"

using namespace podstack::protocol;
namespace json = boost::json;
namespace http = boost::beast::http;

namespace {

std::optional<ApiError> error_of(const ServiceModel& m, const Operation& op, const HttpRequest& r) {
  try {
    parse_input(m, op, r);
  } catch (const ApiError& e) {
    return e;
  }
  return std::nullopt;
}

std::optional<ApiError> query_error(const char* service, const char* op, std::string_view form) {
  const ServiceModel& m = *builtin_model(service);
  HttpRequest r;
  r.method = "POST";
  r.path = "/";
  r.form = parse_form(form);
  return error_of(m, *m.operation(op), r);
}

std::optional<ApiError> json_error(const char* service, const char* op, std::string_view body) {
  const ServiceModel& m = *builtin_model(service);
  HttpRequest r;
  r.method = "POST";
  r.path = "/";
  r.body = body;
  return error_of(m, *m.operation(op), r);
}

struct S3Req {
  http::fields headers;
  HttpRequest hr;
  const Operation* op = nullptr;
};

void s3_route(S3Req& r, std::string_view method, std::string_view path) {
  const ServiceModel& m = *builtin_model("s3");
  r.hr.method = method;
  r.hr.path = path;
  r.hr.headers = &r.headers;
  r.op = match_rest_operation(m, method, path, r.hr.query, r.hr.labels, &r.headers);
  REQUIRE(r.op);
}

}  // namespace

TEST_CASE("query: a parameter that is not UTF-8 is InvalidParameterValue, at any depth") {
  // The issue's repro: SES VerifyEmailIdentity with "a\xffb@example.com".
  auto e = query_error("ses", "VerifyEmailIdentity", "EmailAddress=a%ffb%40example.com");
  REQUIRE(e);
  CHECK(e->status == 400);
  CHECK(e->code == "InvalidParameterValue");
  CHECK(e->message.find("EmailAddress") != std::string::npos);
  CHECK(valid_utf8(e->message));  // the bytes are never echoed
  // Nested: a list of structures (SES SendEmail's destination).
  e = query_error("ses", "SendEmail",
                  "Source=a%40b.c&Destination.ToAddresses.member.1=x%c0%80%40y.z&Message.Subject.Data=s&Message.Body.Text.Data=t");
  REQUIRE(e);
  CHECK(e->code == "InvalidParameterValue");
  CHECK(e->message.find("Destination.ToAddresses.1") != std::string::npos);
  // A map's key (SNS message attribute names) and its values.
  e = query_error("sns", "Publish",
                  "TopicArn=arn%3Aaws%3Asns%3Aus-east-1%3A000000000000%3At&Message=m"
                  "&MessageAttributes.entry.1.Name=k%ed%a0%80&MessageAttributes.entry.1.Value.DataType=String"
                  "&MessageAttributes.entry.1.Value.StringValue=v");
  REQUIRE(e);
  CHECK(e->code == "InvalidParameterValue");
  e = query_error("sns", "Publish",
                  "TopicArn=arn%3Aaws%3Asns%3Aus-east-1%3A000000000000%3At&Message=m"
                  "&MessageAttributes.entry.1.Name=k&MessageAttributes.entry.1.Value.DataType=String"
                  "&MessageAttributes.entry.1.Value.StringValue=%f5");
  REQUIRE(e);
  CHECK(e->code == "InvalidParameterValue");
  // Well-formed multi-byte text passes, and blobs hold any bytes.
  CHECK_FALSE(query_error("ses", "VerifyEmailIdentity", "EmailAddress=%c3%a9%f0%9f%98%80%40example.com"));
  CHECK_FALSE(query_error("sns", "Publish",
                          "TopicArn=arn%3Aaws%3Asns%3Aus-east-1%3A000000000000%3At&Message=m"
                          "&MessageAttributes.entry.1.Name=k&MessageAttributes.entry.1.Value.DataType=Binary"
                          "&MessageAttributes.entry.1.Value.BinaryValue=%2F%2F4%3D"));  // base64 of ff fe
}

TEST_CASE("JSON: invalid UTF-8 anywhere in a body is a SerializationException") {
  // Raw bytes and escapes of lone surrogates both: Boost.JSON refuses them.
  for (std::string_view body : {std::string_view("{\"TableName\": \"t\xff\"}"), std::string_view(R"({"TableName": "t\ud800"})"),
                                std::string_view("{\"TableName\": \"t\", \"Unknown\": [\"\xc0\x80\"]}")}) {
    auto e = json_error("dynamodb", "DescribeTable", body);
    REQUIRE(e);
    CHECK(e->code == "SerializationException");
  }
  // check_utf8 itself sees members the model does not know.
  const ServiceModel& m = *builtin_model("dynamodb");
  json::object in{{"TableName", "t"}, {"Extra", json::object{{"k", "\xff"}}}};
  try {
    check_utf8(m, *m.operation("DescribeTable"), in);
    FAIL("accepted");
  } catch (const ApiError& e) {
    CHECK(e.code == "SerializationException");
  }
}

TEST_CASE("JSON: null is an absent member, and a SerializationException as a list element or map value") {
  // A null member: as if it were not sent (so a required one is missing).
  auto e = json_error("dynamodb", "DescribeTable", R"({"TableName": null})");
  REQUIRE(e);
  CHECK(e->code == "ValidationException");
  CHECK_FALSE(json_error("dynamodb", "Scan", R"({"TableName": "t", "Limit": null, "ExpressionAttributeNames": null})"));
  const ServiceModel& m = *builtin_model("dynamodb");
  HttpRequest r;
  r.method = "POST";
  r.path = "/";
  r.body = R"({"TableName": "t", "Limit": null, "ExclusiveStartKey": {"id": {"S": "a", "N": null}}})";
  json::object in = parse_input(m, *m.operation("Scan"), r);
  CHECK_FALSE(in.contains("Limit"));
  CHECK(in.at("ExclusiveStartKey").at("id").as_object().size() == 1);
  // The issue's 500s: a null map value, a null list element, nested too.
  for (std::string_view body : {R"({"TableName": "t", "ExpressionAttributeNames": {"#n": null}})",
                                R"({"TableName": "t", "ExclusiveStartKey": {"id": null}})",
                                R"({"TableName": "t", "ExclusiveStartKey": {"id": {"L": [null]}}})",
                                R"({"TableName": "t", "AttributesToGet": [null]})"}) {
    e = json_error("dynamodb", "Scan", body);
    REQUIRE(e);
    CHECK(e->code == "SerializationException");
  }
  e = json_error("dynamodb", "TransactWriteItems", R"({"TransactItems": [null]})");
  REQUIRE(e);
  CHECK(e->code == "SerializationException");
}

TEST_CASE("rest-xml (S3): a key that is not UTF-8 is InvalidURI, a header InvalidArgument") {
  const ServiceModel& m = *builtin_model("s3");
  S3Req put;
  s3_route(put, "PUT", "/bucket/a%ffb");
  CHECK(put.op->name == "PutObject");
  auto e = error_of(m, *put.op, put.hr);
  REQUIRE(e);
  CHECK(e->code == "InvalidURI");
  CHECK(e->message == "Couldn't parse the specified URI.");
  S3Req meta;
  meta.headers.set("x-amz-meta-color", "r\xe9d");  // Latin-1, not UTF-8
  s3_route(meta, "PUT", "/bucket/ok");
  e = error_of(m, *meta.op, meta.hr);
  REQUIRE(e);
  CHECK(e->code == "InvalidArgument");
  S3Req ctype;
  ctype.headers.set("Content-Type", "text/\xff");
  s3_route(ctype, "PUT", "/bucket/ok");
  e = error_of(m, *ctype.op, ctype.hr);
  REQUIRE(e);
  CHECK(e->code == "InvalidArgument");
  S3Req list;
  list.hr.query = parse_form("list-type=2&prefix=%ff");
  s3_route(list, "GET", "/bucket");
  e = error_of(m, *list.op, list.hr);
  REQUIRE(e);
  CHECK(e->code == "InvalidURI");
  S3Req fine;
  fine.headers.set("x-amz-meta-color", "r\xc3\xa9" "d");
  s3_route(fine, "PUT", "/bucket/%c3%a9t%c3%a9");
  CHECK_FALSE(error_of(m, *fine.op, fine.hr));
}
