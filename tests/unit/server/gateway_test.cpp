#include "server/gateway.h"

#include <doctest/doctest.h>

#include "base/access_key.h"
#include "server/services/registry.h"

using namespace podstack;

namespace {

struct Fixture {
  std::unique_ptr<Engine> engine;
  std::unique_ptr<Gateway> gateway;
  Fixture() {
    EngineOptions o;
    o.store.in_memory = true;
    o.factory = [] { return make_services(); };
    auto e = Engine::open(o, make_services());
    REQUIRE(e.is_ok());
    engine = std::move(*e);
    gateway = std::make_unique<Gateway>(*engine, GatewayOptions{});
  }
  Reply send(http::verb method, const std::string& target, const std::string& body,
             std::initializer_list<std::pair<const char*, const char*>> headers) {
    HttpRequest req{method, target, 11};
    for (auto& [k, v] : headers) req.set(k, v);
    req.body() = body;
    req.prepare_payload();
    Reply r = gateway->handle(req);
    if (r.commit) REQUIRE(r.commit->wait().is_ok());
    return r;
  }
};

const char* kAuth =
    "AWS4-HMAC-SHA256 Credential=111122223333/20261125/eu-west-1/ssm/aws4_request, SignedHeaders=host, Signature=abc";

}  // namespace

TEST_CASE("credentials: access key, region and service come from the SigV4 scope") {
  HttpRequest req{http::verb::post, "/", 11};
  req.set(http::field::authorization, kAuth);
  Credentials c = parse_credentials(req, "");
  CHECK(c.access_key == "111122223333");
  CHECK(c.region == "eu-west-1");
  CHECK(c.service == "ssm");
  HttpRequest presigned{http::verb::get, "/", 11};
  c = parse_credentials(presigned, "X-Amz-Credential=AKID%2F20261125%2Fus-west-2%2Fs3%2Faws4_request&X-Amz-Date=1");
  CHECK(c.region == "us-west-2");
  CHECK(c.service == "s3");
  CHECK(account_for("111122223333") == "111122223333");
  CHECK(account_for("test") == "000000000000");
  CHECK(account_for("AKIA12345678") == "000000000000");
}

TEST_CASE("access key ids encode their account as AWS's do; podstack's temporary keys switch the account") {
  // AWS's example key (https://awsteele.com/blog/2020/09/26/aws-access-key-format.html).
  CHECK(access_key_account("ASIAY34FZKBOKMUTVV7A") == 609629065308ull);
  CHECK(!access_key_account("ASIA0000000000000000"));  // 0, 1, 8, 9 are not base32
  CHECK(!access_key_account("test"));
  for (uint64_t account : {0ull, 1ull, 111111111111ull, 999999999999ull}) {
    std::string key = make_access_key("ASIA", account, 0x7fffffffffull);
    CHECK(key.size() == 20);
    CHECK(access_key_account(key) == account);
  }
  CHECK(account_digits(42) == "000000000042");

  std::string key = make_access_key("ASIA", 111111111111ull, 12345);
  std::string token = std::string(kSessionTokenPrefix) + "payload.x";
  HttpRequest req{http::verb::post, "/", 11};
  req.set(http::field::authorization, "AWS4-HMAC-SHA256 Credential=" + key + "/20261125/us-east-1/sts/aws4_request, Signature=a");
  CHECK(account_for(parse_credentials(req, "")) == "000000000000");  // no token: another key
  req.set("X-Amz-Security-Token", "IQoJb3JpZ2luX2VjEJr");          // AWS's token: real credentials
  CHECK(account_for(parse_credentials(req, "")) == "000000000000");
  req.set("X-Amz-Security-Token", token);
  CHECK(account_for(parse_credentials(req, "")) == "111111111111");
  HttpRequest presigned{http::verb::get, "/", 11};
  Credentials c = parse_credentials(presigned, "X-Amz-Credential=" + key + "%2F20261125%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Security-Token=" +
                                                   std::string(kSessionTokenPrefix) + "p.x");
  CHECK(account_for(c) == "111111111111");
}

TEST_CASE("CORS: loopback origins on any port, configured extras, or any when checks are off") {
  GatewayOptions o;
  CHECK(cors_origin_allowed(o, "http://localhost:3000"));
  CHECK(cors_origin_allowed(o, "https://localhost"));
  CHECK(cors_origin_allowed(o, "http://127.0.0.1:8080"));
  CHECK(cors_origin_allowed(o, "http://[::1]:5173"));
  CHECK(cors_origin_allowed(o, "http://localhost.localstack.cloud:4566"));
  CHECK(cors_origin_allowed(o, "https://app.localstack.cloud"));
  CHECK(!cors_origin_allowed(o, "http://evil.example"));
  CHECK(!cors_origin_allowed(o, "http://localhost.evil.example"));
  CHECK(!cors_origin_allowed(o, "http://localhost:abc"));
  o.extra_cors_origins = {"http://app.test:8000"};
  CHECK(cors_origin_allowed(o, "http://app.test:8000"));
  CHECK(!cors_origin_allowed(o, "http://app.test:8001"));
  o.extra_cors_origins = {"*"};
  CHECK(cors_origin_allowed(o, "http://evil.example"));
  o = GatewayOptions{};
  o.disable_cors_checks = true;
  CHECK(cors_origin_allowed(o, "http://evil.example"));
}

TEST_CASE("host names carry service and region when the request is unsigned") {
  Credentials c = host_hint("sts.eu-west-2.localhost.localstack.cloud:4566");
  CHECK(c.service == "sts");
  CHECK(c.region == "eu-west-2");
  c = host_hint("ssm.us-gov-west-1.amazonaws.com");
  CHECK(c.service == "ssm");
  CHECK(c.region == "us-gov-west-1");
  CHECK(host_hint("localhost:4566").service.empty());
  CHECK(host_hint("127.0.0.1:4566").service.empty());
  Fixture f;
  Reply r = f.send(http::verb::post, "/", "Action=GetCallerIdentity&Version=2011-06-15",
                   {{"Content-Type", "application/x-www-form-urlencoded"}, {"Host", "sts.ap-south-1.amazonaws.com"}});
  CHECK(r.response.result_int() == 200);
  r = f.send(http::verb::post, "/", R"({"Name":"/h","Value":"v","Type":"String"})",
             {{"X-Amz-Target", "AmazonSSM.PutParameter"}, {"Host", "ssm.ap-south-1.amazonaws.com"}});
  REQUIRE(r.response.result_int() == 200);
  CHECK(f.engine->service("ssm")->snapshot().find("ap-south-1") != std::string::npos);
}

TEST_CASE("X-Amz-Target routes JSON protocols; the scope partitions state") {
  Fixture f;
  Reply r = f.send(http::verb::post, "/", R"({"Name":"/a","Value":"v","Type":"String"})",
                   {{"X-Amz-Target", "AmazonSSM.PutParameter"}, {"Authorization", kAuth}});
  CHECK(r.response.result_int() == 200);
  CHECK(r.label == "ssm.PutParameter");
  CHECK(r.response["x-amzn-RequestId"].size() == 36);
  // Same name, default account and region: a different partition, so not found.
  r = f.send(http::verb::post, "/", R"({"Name":"/a"})", {{"X-Amz-Target", "AmazonSSM.GetParameter"}});
  CHECK(r.response.result_int() == 400);
  CHECK(r.response.body().find("ParameterNotFound") != std::string::npos);
  r = f.send(http::verb::post, "/", R"({"Name":"/a"})", {{"X-Amz-Target", "AmazonSSM.GetParameter"}, {"Authorization", kAuth}});
  CHECK(r.response.result_int() == 200);
}

TEST_CASE("query Action routes to the query service") {
  Fixture f;
  Reply r = f.send(http::verb::post, "/", "Action=GetCallerIdentity&Version=2011-06-15",
                   {{"Content-Type", "application/x-www-form-urlencoded"}});
  CHECK(r.response.result_int() == 200);
  CHECK(r.response.body().find("<Account>000000000000</Account>") != std::string::npos);
  r = f.send(http::verb::post, "/", "Action=NoSuchThing&Version=2011-06-15",
             {{"Content-Type", "application/x-www-form-urlencoded"},
              {"Authorization", "AWS4-HMAC-SHA256 Credential=a/20261125/us-east-1/sts/aws4_request"}});
  CHECK(r.response.result_int() == 400);
  CHECK(r.response.body().find("<Code>InvalidAction</Code>") != std::string::npos);
}

TEST_CASE("unknown services and operations get AWS error shapes, not 404 pages") {
  Fixture f;
  Reply r = f.send(http::verb::post, "/", "{}", {{"X-Amz-Target", "AmazonSSM.NoSuchOp"}});
  CHECK(r.response.result_int() == 400);
  CHECK(r.response.body().find("UnknownOperationException") != std::string::npos);
  r = f.send(http::verb::post, "/", "{}", {{"X-Amz-Target", "Kinesis_20131202.ListStreams"}});
  CHECK(r.response.result_int() == 501);
  CHECK(r.response.body().find("\"__type\":\"NotImplemented\"") != std::string::npos);
  r = f.send(http::verb::post, "/", "Action=DescribeDBInstances",
             {{"Content-Type", "application/x-www-form-urlencoded"},
              {"Authorization", "AWS4-HMAC-SHA256 Credential=a/20261125/us-east-1/rds/aws4_request"}});
  CHECK(r.response.result_int() == 501);
  CHECK(r.response.body().find("<ErrorResponse") == 0);
  // Unsigned rest requests are S3's: a missing bucket is S3's own error.
  r = f.send(http::verb::get, "/some-bucket", "", {});
  CHECK(r.response.result_int() == 404);
  CHECK(r.response.body().find("<Error><Code>NoSuchBucket</Code>") != std::string::npos);
  CHECK(r.response.body().find("<BucketName>some-bucket</BucketName>") != std::string::npos);
  r = f.send(http::verb::get, "/", "", {{"Authorization", "AWS4-HMAC-SHA256 Credential=a/20261125/us-east-1/lambda/aws4_request"}});
  CHECK(r.response.result_int() == 501);
  CHECK(r.response.body().find("NotImplemented") != std::string::npos);
}

TEST_CASE("internal endpoints: health, state, reset") {
  Fixture f;
  Reply r = f.send(http::verb::get, "/_localstack/health", "", {});
  CHECK(r.response.result_int() == 200);
  auto health = json::parse(r.response.body()).as_object();
  CHECK(health.at("edition").as_string() == "podstack");
  CHECK(health.at("services").at("ssm").as_string() == "running");
  f.send(http::verb::post, "/", R"({"Name":"/a","Value":"v","Type":"String"})", {{"X-Amz-Target", "AmazonSSM.PutParameter"}});
  auto state = json::parse(f.send(http::verb::get, "/_podstack/state", "", {}).response.body()).as_object();
  CHECK(state.at("last_sequence").to_number<int>() == 1);
  r = f.send(http::verb::post, "/_localstack/state/ssm/reset", "", {});
  CHECK(r.response.result_int() == 200);
  auto after = json::parse(f.send(http::verb::get, "/_podstack/state", "", {}).response.body()).as_object();
  CHECK(after.at("last_sequence").to_number<int>() == 2);
  CHECK(after.at("hash") != state.at("hash"));
  CHECK(f.send(http::verb::post, "/_localstack/state/nope/reset", "", {}).response.result_int() == 404);
  CHECK(f.send(http::verb::get, "/_podstack/nothing", "", {}).response.result_int() == 404);
}

TEST_CASE("SQS: query by Action (addressed by path too), JSON 1.0 by X-Amz-Target, each with its error shape") {
  Fixture f;
  const char* form = "application/x-www-form-urlencoded";
  Reply r = f.send(http::verb::post, "/", "Action=CreateQueue&QueueName=q1", {{"Content-Type", form}, {"Host", "localhost:4566"}});
  CHECK(r.response.result_int() == 200);
  CHECK(r.response.body().find("<CreateQueueResponse") == 0);
  CHECK(r.response.body().find("http://sqs.us-east-1.localhost.localstack.cloud:4566/000000000000/q1") != std::string::npos);
  r = f.send(http::verb::post, "/000000000000/q1", "Action=SendMessage&MessageBody=hi", {{"Content-Type", form}});
  CHECK(r.response.result_int() == 200);
  CHECK(r.response.body().find("<MD5OfMessageBody>49f68a5c8493ec2c0bf489821c21fc3b</MD5OfMessageBody>") != std::string::npos);

  r = f.send(http::verb::post, "/", R"({"QueueUrl":"http://x/000000000000/q1","MaxNumberOfMessages":10})",
             {{"X-Amz-Target", "AmazonSQS.ReceiveMessage"}, {"Content-Type", "application/x-amz-json-1.0"}});
  CHECK(r.response.result_int() == 200);
  CHECK(r.response[http::field::content_type] == "application/x-amz-json-1.0");
  CHECK(json::parse(r.response.body()).at("Messages").at(0).at("Body").as_string() == "hi");

  r = f.send(http::verb::post, "/", R"({"QueueName":"nope"})", {{"X-Amz-Target", "AmazonSQS.GetQueueUrl"}});
  CHECK(r.response.result_int() == 400);
  CHECK(json::parse(r.response.body()).at("__type").as_string() == "com.amazonaws.sqs#QueueDoesNotExist");
  CHECK(r.response["x-amzn-query-error"] == "AWS.SimpleQueueService.NonExistentQueue;Sender");
  r = f.send(http::verb::post, "/", "Action=GetQueueUrl&QueueName=nope", {{"Content-Type", form}});
  CHECK(r.response.result_int() == 400);
  CHECK(r.response.body().find("<Code>AWS.SimpleQueueService.NonExistentQueue</Code>") != std::string::npos);
}
