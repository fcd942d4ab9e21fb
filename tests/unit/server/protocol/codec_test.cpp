#include "server/protocol/codec.h"

#include <doctest/doctest.h>

#include <boost/json.hpp>

#include "server/protocol/encoding.h"

using namespace podstack::protocol;
namespace json = boost::json;

namespace {
HttpRequest json_request(std::string_view body) {
  HttpRequest r;
  r.method = "POST";
  r.path = "/";
  r.body = body;
  return r;
}

ApiError parse_error(const ServiceModel& m, const char* op, std::string_view body) {
  try {
    parse_input(m, *m.operation(op), json_request(body));
  } catch (const ApiError& e) {
    return e;
  }
  return ApiError{};
}
}  // namespace

TEST_CASE("models load and describe their protocol") {
  const ServiceModel* ssm = builtin_model("ssm");
  REQUIRE(ssm);
  CHECK(ssm->protocol == Protocol::kJson);
  CHECK(ssm->target_prefix == "AmazonSSM");
  CHECK(ssm->json_version == "1.1");
  const ServiceModel* sts = builtin_model("sts");
  REQUIRE(sts);
  CHECK(sts->protocol == Protocol::kQuery);
  CHECK(sts->operation("AssumeRole")->result_wrapper == "AssumeRoleResult");
  CHECK(builtin_model("nope") == nullptr);
}

TEST_CASE("JSON: malformed bodies and wrong types are SerializationException") {
  const ServiceModel& m = *builtin_model("ssm");
  CHECK(parse_error(m, "GetParameter", "{bad").code == "SerializationException");
  CHECK(parse_error(m, "GetParameter", "[1,2]").code == "SerializationException");
  CHECK(parse_error(m, "GetParameter", R"({"Name": 123})").code == "SerializationException");
  CHECK(parse_error(m, "GetParameter", R"({"Name": "/a", "WithDecryption": "yes"})").code == "SerializationException");
}

TEST_CASE("JSON: missing members and broken constraints are ValidationException in AWS's words") {
  const ServiceModel& m = *builtin_model("ssm");
  ApiError e = parse_error(m, "GetParameter", "{}");
  CHECK(e.code == "ValidationException");
  CHECK(e.message == "1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null");
  e = parse_error(m, "PutParameter", R"({"Name": "/a", "Value": "v", "Type": "Blob"})");
  CHECK(e.code == "ValidationException");
  CHECK(e.message.find("enum value set") != std::string::npos);
  e = parse_error(m, "GetParametersByPath", R"({"Path": "/a", "MaxResults": 11})");
  CHECK(e.message.find("less than or equal to 10") != std::string::npos);
}

TEST_CASE("JSON: map constraints in AWS's words (length, list values once for the map, members under .member)") {
  const ServiceModel& m = *builtin_model("dynamodb");
  std::string puts = "[";
  for (int i = 0; i < 26; ++i) puts += std::string(i ? "," : "") + R"({"PutRequest":{"Item":{"pk":{"S":")" + std::to_string(i) + R"("}}}})";
  puts += "]";
  ApiError e = parse_error(m, "BatchWriteItem", R"({"RequestItems":{"tbl":)" + puts + "}}");
  CHECK(e.code == "ValidationException");
  CHECK(e.message.rfind("1 validation error detected: Value '{\"tbl\":[", 0) == 0);
  CHECK(e.message.ends_with("' at 'requestItems' failed to satisfy constraint: Map value must satisfy constraint: "
                            "[Member must have length less than or equal to 25, Member must have length greater than or equal to 1]"));
  e = parse_error(m, "BatchWriteItem", R"({"RequestItems":{}})");
  CHECK(e.message == "1 validation error detected: Value '{}' at 'requestItems' failed to satisfy constraint: Member must have length greater than or equal to 1");
  e = parse_error(m, "BatchGetItem", R"({"RequestItems":{"tbl":{}}})");
  CHECK(e.message == "1 validation error detected: Value null at 'requestItems.tbl.member.keys' failed to satisfy constraint: Member must not be null");
}

TEST_CASE("JSON: blobs are decoded on input and encoded on output") {
  const ServiceModel& m = *builtin_model("secretsmanager");
  json::object in = parse_input(m, *m.operation("CreateSecret"), json_request(R"({"Name":"s","SecretBinary":"AAEC"})"));
  CHECK(in.at("SecretBinary").as_string() == std::string("\0\1\2", 3));
  json::object out{{"SecretBinary", json::string(std::string("\0\1\2", 3))}, {"Name", "s"}};
  WireResponse r = render_output(m, *m.operation("GetSecretValue"), out, "rid");
  CHECK(r.body.find("\"AAEC\"") != std::string::npos);
  CHECK(r.content_type == "application/x-amz-json-1.1");
}

TEST_CASE("query: members, lists and typed values come from the form") {
  const ServiceModel& m = *builtin_model("sts");
  HttpRequest r;
  r.method = "POST";
  r.form = parse_form("Action=AssumeRole&RoleArn=arn%3Aaws%3Aiam%3A%3A1%3Arole%2Fr&RoleSessionName=s1&DurationSeconds=900"
                      "&PolicyArns.member.1.arn=arn:aws:iam::aws:policy/p1&PolicyArns.member.2.arn=arn:aws:iam::aws:policy/p2&Tags.member.1.Key=k&Tags.member.1.Value=v");
  json::object in = parse_input(m, *m.operation("AssumeRole"), r);
  CHECK(in.at("RoleArn").as_string() == "arn:aws:iam::1:role/r");
  CHECK(in.at("DurationSeconds").as_int64() == 900);
  REQUIRE(in.at("PolicyArns").as_array().size() == 2);
  CHECK(in.at("PolicyArns").as_array()[1].at("arn").as_string() == "arn:aws:iam::aws:policy/p2");
  CHECK(in.at("Tags").as_array()[0].at("Key").as_string() == "k");
}

TEST_CASE("query: a bad number and a missing member are ValidationError") {
  const ServiceModel& m = *builtin_model("sts");
  HttpRequest r;
  r.form = parse_form("RoleArn=arn:aws:iam::1:role/r&RoleSessionName=s&DurationSeconds=abc");
  CHECK_THROWS_AS(parse_input(m, *m.operation("AssumeRole"), r), ApiError);
  r.form = parse_form("RoleSessionName=s");
  try {
    parse_input(m, *m.operation("AssumeRole"), r);
    FAIL("expected a validation error");
  } catch (const ApiError& e) {
    CHECK(e.code == "ValidationError");
    CHECK(e.message.find("'roleArn'") != std::string::npos);
  }
}

TEST_CASE("query: output is wrapped XML with the request id") {
  const ServiceModel& m = *builtin_model("sts");
  json::object out{{"Account", "000000000000"}, {"Arn", "arn:aws:iam::000000000000:root"}, {"UserId", "u<1>"}};
  WireResponse r = render_output(m, *m.operation("GetCallerIdentity"), out, "rid-1");
  CHECK(r.body.find("<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
                    "<GetCallerIdentityResult>") == 0);
  CHECK(r.body.find("<UserId>u&lt;1&gt;</UserId>") != std::string::npos);
  CHECK(r.body.find("<ResponseMetadata><RequestId>rid-1</RequestId></ResponseMetadata>") != std::string::npos);
}

TEST_CASE("errors render in each protocol's own shape") {
  ApiError e = ApiError::bad_request("ParameterNotFound", "no <such> thing");
  WireResponse j = render_error(Protocol::kJson, builtin_model("ssm"), e, "r1");
  CHECK(j.status == 400);
  CHECK(json::parse(j.body).at("__type").as_string() == "ParameterNotFound");
  WireResponse q = render_error(Protocol::kQuery, builtin_model("sts"), e, "r2");
  CHECK(q.body.find("<Error><Type>Sender</Type><Code>ParameterNotFound</Code><Message>no &lt;such&gt; thing</Message>") != std::string::npos);
  CHECK(q.body.find("<RequestId>r2</RequestId>") != std::string::npos);
  WireResponse x = render_error(Protocol::kRestXml, nullptr, ApiError::internal("boom"), "r3");
  CHECK(x.status == 500);
  CHECK(x.body.find("<Code>InternalFailure</Code>") != std::string::npos);
}

TEST_CASE("encodings round-trip") {
  for (const std::string& s : std::vector<std::string>{"", "a", "ab", "abc", "abcd", std::string("\0\xff\x10", 3)})
    CHECK(base64_decode(base64_encode(s)).value() == s);
  CHECK_FALSE(base64_decode("a*b=").has_value());
  CHECK(url_decode("a%20b+c%2") == "a b c%2");
  CHECK(iso8601(0) == "1970-01-01T00:00:00.000Z");
  CHECK(parse_iso8601("2026-11-25T10:00:00.500Z").value() == doctest::Approx(1795600800.5));
  CHECK(parse_iso8601("2026-11-25T12:00:00+02:00").value() == doctest::Approx(1795600800));
  CHECK_FALSE(parse_iso8601("yesterday").has_value());
}
