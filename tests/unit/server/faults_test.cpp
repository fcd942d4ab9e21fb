// Fault rules of the chaos API (server/faults.h): parsing LocalStack's rule
// schema, matching, the set/add/remove semantics and seeded draws.
#include "server/faults.h"

#include <doctest/doctest.h>

using namespace podstack;

namespace {
std::vector<FaultRule> rules(std::string_view text) {
  auto parsed = parse_fault_rules(json::parse(text));
  REQUIRE(std::holds_alternative<std::vector<FaultRule>>(parsed));
  return std::get<std::vector<FaultRule>>(parsed);
}
std::string error_of(std::string_view text) {
  auto parsed = parse_fault_rules(json::parse(text));
  REQUIRE(std::holds_alternative<std::string>(parsed));
  return std::get<std::string>(parsed);
}
}  // namespace

TEST_CASE("a rule is echoed with only the fields it was given") {
  auto r = rules(R"([{"service": "sqs", "region": "us-east-1"},
                     {"operation": "SendMessage", "probability": 0.5, "error": {"statusCode": 400, "code": "Throttling"}}, {}])");
  REQUIRE(r.size() == 3);
  CHECK(json::serialize(r[0].to_json()) == R"({"service":"sqs","region":"us-east-1"})");
  CHECK(r[1].to_json() == json::parse(R"({"operation":"SendMessage","probability":0.5,"error":{"statusCode":400,"code":"Throttling"}})"));
  CHECK(json::serialize(r[2].to_json()) == "{}");
  CHECK(r[0].status() == 503);
  CHECK(r[0].error_code() == "ServiceUnavailable");
  CHECK(r[1].status() == 400);
}

TEST_CASE("absent fields match everything; present ones must be equal") {
  auto r = rules(R"([{"service": "sqs", "operation": "SendMessage"}, {"region": "eu-west-1"}, {}])");
  CHECK(r[0].matches("sqs", "us-east-1", "SendMessage"));
  CHECK_FALSE(r[0].matches("sqs", "us-east-1", "ReceiveMessage"));
  CHECK_FALSE(r[0].matches("sns", "us-east-1", "SendMessage"));
  CHECK(r[1].matches("s3", "eu-west-1", "PutObject"));
  CHECK_FALSE(r[1].matches("s3", "us-east-1", "PutObject"));
  CHECK(r[2].matches("anything", "any", "Op"));
}

TEST_CASE("rules outside LocalStack's schema are refused with a sentence") {
  CHECK(error_of(R"({"service": "sqs"})").find("array") != std::string::npos);
  CHECK(error_of(R"([1])").find("not an object") != std::string::npos);
  CHECK(error_of(R"([{"servce": "sqs"}])").find("unknown field \"servce\"") != std::string::npos);
  CHECK(error_of(R"([{"probability": 1.5}])").find("probability") != std::string::npos);
  CHECK(error_of(R"([{"probability": "1"}])").find("probability") != std::string::npos);
  CHECK(error_of(R"([{"error": {"statusCode": 200}}])").find("400 to 599") != std::string::npos);
  CHECK(error_of(R"([{"error": {"code": "Bad Code"}}])").find("error.code") != std::string::npos);
  CHECK(error_of(R"([{"error": {"status": 500}}])").find("unknown field \"status\"") != std::string::npos);
  CHECK(error_of(R"([{"service": ""}])").find("service") != std::string::npos);
  CHECK(error_of(R"([{"region": "us east"}])").find("region") != std::string::npos);
}

TEST_CASE("POST replaces, PATCH adds what is not there, DELETE removes equal rules") {
  FaultRules f(1);
  CHECK(f.set(rules(R"([{"service": "sqs"}, {"service": "s3"}])")).size() == 2);
  auto now = f.add(rules(R"([{"service": "s3"}, {"service": "sns", "probability": 1}])"));
  REQUIRE(now.size() == 3);
  CHECK(*now[2].service == "sns");
  // Equal means the same fields with the same values: 1 and 1.0 are one probability.
  now = f.remove(rules(R"([{"service": "sns", "probability": 1.0}, {"service": "sqs", "region": "us-east-1"}])"));
  REQUIRE(now.size() == 2);
  CHECK(*now[0].service == "sqs");
  CHECK(*now[1].service == "s3");
  CHECK(f.set({}).empty());
  CHECK_FALSE(f.draw("sqs", "us-east-1", "SendMessage"));
}

TEST_CASE("the first rule that names the request and whose draw hits decides the fault; faults are counted") {
  FaultRules f(7);
  f.set(rules(R"([{"service": "sqs", "probability": 0}, {"service": "sqs", "error": {"statusCode": 429, "code": "Throttling"}}])"));
  auto hit = f.draw("sqs", "us-east-1", "SendMessage");
  REQUIRE(hit);
  CHECK(hit->status == 429);
  CHECK(hit->code == "Throttling");
  CHECK(hit->message == "Service 'sqs' not accessible due to an outage");
  CHECK_FALSE(f.draw("s3", "us-east-1", "PutObject"));
  f.draw("sqs", "us-east-1", "SendMessage");
  auto counts = f.injected();
  CHECK(counts.size() == 1);
  CHECK(counts[{"sqs", "SendMessage"}] == 2);
}

TEST_CASE("with the same seed the same requests fail; a probability of one half fails about half") {
  auto run = [](uint64_t seed) {
    FaultRules f(seed);
    f.set(rules(R"([{"probability": 0.5}])"));
    std::string pattern;
    for (int i = 0; i < 1000; ++i) pattern += f.draw("sqs", "us-east-1", "SendMessage") ? '1' : '0';
    return pattern;
  };
  std::string a = run(42), b = run(42), c = run(43);
  CHECK(a == b);
  CHECK(a != c);
  auto ones = std::count(a.begin(), a.end(), '1');
  CHECK(ones > 400);
  CHECK(ones < 600);
}
