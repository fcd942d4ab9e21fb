// DynamoDB Streams reads DynamoDB's stream records through StreamSource,
// with no state and no lock of its own: records of writes, iterators,
// unknown streams, and the same records after a replay.
#include <doctest/doctest.h>

#include "../../../service_harness.h"

using namespace podstack;

namespace {
constexpr int64_t t0 = 1800000000000;

struct Harness : testing::ServiceHarness {
  Harness() : ServiceHarness("dynamodb") {}

  json::object ok(const char* op, json::object in) {
    ExecResult r = call(op, std::move(in), t0);
    INFO(std::string(op) << (r.error ? ": " + r.error->code + ": " + r.error->message : std::string()));
    REQUIRE_FALSE(r.error);
    return r.output.as_object();
  }
  ExecResult streams(const char* op, json::object in) {
    CallContext c;
    c.now_ms = t0;
    c.request_id = "r";
    return engine->execute(*engine->service("dynamodbstreams"), op, in, c);
  }
  json::object streams_ok(const char* op, json::object in) {
    ExecResult r = streams(op, std::move(in));
    INFO(std::string(op) << (r.error ? ": " + r.error->code + ": " + r.error->message : std::string()));
    REQUIRE_FALSE(r.error);
    return r.output.as_object();
  }
  void put(const char* pk, const char* v) {
    ok("PutItem", {{"TableName", "streamed"}, {"Item", {{"pk", {{"S", pk}}}, {"v", {{"S", v}}}}}});
  }
  std::string stream_arn() {
    json::object l = streams_ok("ListStreams", {});
    REQUIRE(l.at("Streams").as_array().size() == 1);
    return std::string(l.at("Streams").as_array()[0].at("StreamArn").as_string());
  }
  std::string iterator(const std::string& arn, const char* type) {
    json::object d = streams_ok("DescribeStream", {{"StreamArn", arn}});
    std::string shard(d.at("StreamDescription").at("Shards").as_array()[0].at("ShardId").as_string());
    json::object it = streams_ok("GetShardIterator", {{"StreamArn", arn}, {"ShardId", shard}, {"ShardIteratorType", type}});
    return std::string(it.at("ShardIterator").as_string());
  }
  std::vector<std::string> events(const std::string& iterator, std::string* next = nullptr) {
    json::object r = streams_ok("GetRecords", {{"ShardIterator", iterator}});
    std::vector<std::string> names;
    for (auto& rec : r.at("Records").as_array()) names.emplace_back(rec.at("eventName").as_string());
    if (next) *next = std::string(r.at("NextShardIterator").as_string());
    return names;
  }
};

void make_table(Harness& h) {
  h.ok("CreateTable", {{"TableName", "streamed"},
                       {"AttributeDefinitions", json::array{json::object{{"AttributeName", "pk"}, {"AttributeType", "S"}}}},
                       {"KeySchema", json::array{json::object{{"AttributeName", "pk"}, {"KeyType", "HASH"}}}},
                       {"BillingMode", "PAY_PER_REQUEST"},
                       {"StreamSpecification", {{"StreamEnabled", true}, {"StreamViewType", "NEW_AND_OLD_IMAGES"}}}});
}
}  // namespace

TEST_CASE("dynamodbstreams: records of writes, read through iterators, and again after replay") {
  Harness h;
  CHECK_FALSE(h.engine->service("dynamodbstreams")->has_state());
  make_table(h);
  h.put("a", "1");
  h.put("a", "2");
  h.ok("DeleteItem", {{"TableName", "streamed"}, {"Key", {{"pk", {{"S", "a"}}}}}});
  std::string arn = h.stream_arn();
  std::string next;
  CHECK(h.events(h.iterator(arn, "TRIM_HORIZON"), &next) == std::vector<std::string>{"INSERT", "MODIFY", "REMOVE"});
  CHECK(h.events(next).empty());
  std::string latest = h.iterator(arn, "LATEST");
  h.put("b", "1");
  CHECK(h.events(latest) == std::vector<std::string>{"INSERT"});
  CHECK(h.events(next) == std::vector<std::string>{"INSERT"});

  h.reopen();
  CHECK(h.stream_arn() == arn);
  CHECK(h.events(h.iterator(arn, "TRIM_HORIZON")) == std::vector<std::string>{"INSERT", "MODIFY", "REMOVE", "INSERT"});
}

TEST_CASE("dynamodbstreams: an unknown stream is ResourceNotFoundException") {
  Harness h;
  make_table(h);
  std::string arn = h.stream_arn();
  ExecResult r = h.streams("DescribeStream", {{"StreamArn", arn + "x"}});
  REQUIRE(r.error);
  CHECK(r.error->code == "ResourceNotFoundException");
  // Streams off: the stream is gone, and so are its iterators.
  std::string it = h.iterator(arn, "TRIM_HORIZON");
  h.ok("UpdateTable", {{"TableName", "streamed"}, {"StreamSpecification", {{"StreamEnabled", false}}}});
  r = h.streams("GetRecords", {{"ShardIterator", it}});
  REQUIRE(r.error);
  CHECK(r.error->code == "ResourceNotFoundException");
  CHECK(h.streams_ok("ListStreams", {}).at("Streams").as_array().empty());
}
