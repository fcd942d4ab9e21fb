// SQS time-based behaviour evaluated lazily from timestamps in state:
// visibility, delays and retention depend only on the request's clock and
// on what events recorded, so replay (without any clock) rebuilds the same
// state, and the same request at the same time gets the same answer.
#include <doctest/doctest.h>

#include "../../../service_harness.h"

using namespace podstack;

namespace {
constexpr int64_t t0 = 1800000000000;
const char* kUrl = "http://localhost:4566/000000000000/q";

struct Harness : testing::ServiceHarness {
  explicit Harness(bool ignore_checkpoints = false) : ServiceHarness("sqs", ignore_checkpoints) {}
  json::array receive(int64_t now, int64_t vt = 30) {
    ExecResult r = call("ReceiveMessage", {{"QueueUrl", kUrl}, {"MaxNumberOfMessages", 10}, {"VisibilityTimeout", vt}}, now);
    REQUIRE_FALSE(r.error);
    auto* m = r.output.as_object().if_contains("Messages");
    return m ? m->as_array() : json::array();
  }
};
}  // namespace

TEST_CASE("visibility and delay are evaluated at the request's time, identically after replay") {
  Harness h;
  REQUIRE_FALSE(h.call("CreateQueue", {{"QueueName", "q"}}, t0).error);
  REQUIRE_FALSE(h.call("SendMessage", {{"QueueUrl", kUrl}, {"MessageBody", "now"}}, t0).error);
  REQUIRE_FALSE(h.call("SendMessage", {{"QueueUrl", kUrl}, {"MessageBody", "later"}, {"DelaySeconds", 10}}, t0).error);

  json::array got = h.receive(t0 + 1000, /*vt=*/5);
  REQUIRE(got.size() == 1);
  CHECK(got[0].at("Body").as_string() == "now");
  uint64_t seq = h.engine->last_sequence();
  CHECK(h.receive(t0 + 2000).empty());
  CHECK(h.engine->last_sequence() == seq);  // an empty receive is no event

  std::string hash = h.engine->state_info().hash;
  h.reopen(/*ignore_checkpoints=*/true);
  CHECK(h.engine->state_info().hash == hash);

  CHECK(h.receive(t0 + 5999).empty());            // in flight until t0+6s, delayed until t0+10s
  got = h.receive(t0 + 6000);
  REQUIRE(got.size() == 1);
  CHECK(got[0].at("Body").as_string() == "now");  // visible again
  got = h.receive(t0 + 10000);
  REQUIRE(got.size() == 1);
  CHECK(got[0].at("Body").as_string() == "later");
}

TEST_CASE("retention drops messages lazily; replay agrees") {
  Harness h;
  REQUIRE_FALSE(h.call("CreateQueue", {{"QueueName", "q"}, {"Attributes", {{"MessageRetentionPeriod", "60"}}}}, t0).error);
  REQUIRE_FALSE(h.call("SendMessage", {{"QueueUrl", kUrl}, {"MessageBody", "old"}}, t0).error);
  REQUIRE_FALSE(h.call("SendMessage", {{"QueueUrl", kUrl}, {"MessageBody", "new"}}, t0 + 30000).error);
  ExecResult a = h.call("GetQueueAttributes", {{"QueueUrl", kUrl}, {"AttributeNames", {"ApproximateNumberOfMessages"}}}, t0 + 61000);
  CHECK(a.output.at("Attributes").at("ApproximateNumberOfMessages").as_string() == "1");
  json::array got = h.receive(t0 + 61000);
  REQUIRE(got.size() == 1);
  CHECK(got[0].at("Body").as_string() == "new");
  std::string hash = h.engine->state_info().hash;
  h.reopen(true);
  CHECK(h.engine->state_info().hash == hash);
}

TEST_CASE("FIFO deduplication lasts five minutes") {
  Harness h;
  const char* url = "http://localhost:4566/000000000000/f.fifo";
  REQUIRE_FALSE(h.call("CreateQueue", {{"QueueName", "f.fifo"}, {"Attributes", {{"FifoQueue", "true"}}}}, t0).error);
  json::object send{{"QueueUrl", url}, {"MessageBody", "b"}, {"MessageGroupId", "g"}, {"MessageDeduplicationId", "d"}};
  ExecResult first = h.call("SendMessage", send, t0);
  ExecResult dup = h.call("SendMessage", send, t0 + 299999);
  CHECK(dup.output.at("MessageId") == first.output.at("MessageId"));
  ExecResult fresh = h.call("SendMessage", send, t0 + 300000);
  CHECK(fresh.output.at("MessageId") != first.output.at("MessageId"));
  CHECK(fresh.output.at("SequenceNumber").as_string() == "00000000000000000002");
}

TEST_CASE("an empty receive with WaitTimeSeconds asks to wait until the next message is due") {
  Harness h;
  REQUIRE_FALSE(h.call("CreateQueue", {{"QueueName", "q"}}, t0).error);
  REQUIRE_FALSE(h.call("SendMessage", {{"QueueUrl", kUrl}, {"MessageBody", "d"}, {"DelaySeconds", 3}}, t0).error);
  ExecResult r = h.call("ReceiveMessage", {{"QueueUrl", kUrl}, {"WaitTimeSeconds", 20}}, t0 + 1000);
  REQUIRE(r.wait);
  CHECK(r.wait->key == "sqs/000000000000/us-east-1/q");
  CHECK(r.wait->until_ms == t0 + 21000);
  CHECK(r.wait->wake_at_ms == t0 + 3000);
  r = h.call("ReceiveMessage", {{"QueueUrl", kUrl}}, t0 + 1000);
  CHECK_FALSE(r.wait);  // no WaitTimeSeconds: answer at once
}

// Live, apply() takes the event decide() built (Decision::add); replay parses
// the logged bytes. Every kind of event must leave the same state both ways.
TEST_CASE("live apply of decided events and replay of their bytes build the same state") {
  Harness h;
  const char* fifo = "http://localhost:4566/000000000000/f.fifo";
  REQUIRE_FALSE(h.call("CreateQueue", {{"QueueName", "q"}, {"tags", {{"team", "a"}}}}, t0).error);
  REQUIRE_FALSE(h.call("CreateQueue", {{"QueueName", "f.fifo"}, {"Attributes", {{"FifoQueue", "true"}, {"ContentBasedDeduplication", "true"}}}}, t0).error);
  REQUIRE_FALSE(h.call("SetQueueAttributes", {{"QueueUrl", kUrl}, {"Attributes", {{"VisibilityTimeout", "40"}}}}, t0).error);
  REQUIRE_FALSE(h.call("TagQueue", {{"QueueUrl", kUrl}, {"Tags", {{"env", "ci"}}}}, t0).error);
  REQUIRE_FALSE(h.call("SendMessage", {{"QueueUrl", kUrl}, {"MessageBody", "one"},
                                       {"MessageAttributes", {{"k", {{"DataType", "String"}, {"StringValue", "v"}}}}}}, t0).error);
  REQUIRE_FALSE(h.call("SendMessageBatch", {{"QueueUrl", kUrl}, {"Entries", {{{"Id", "a"}, {"MessageBody", "two"}},
                                                                              {{"Id", "b"}, {"MessageBody", "three"}}}}}, t0).error);
  REQUIRE_FALSE(h.call("SendMessage", {{"QueueUrl", fifo}, {"MessageBody", "g1"}, {"MessageGroupId", "g"}}, t0).error);
  REQUIRE_FALSE(h.call("SendMessage", {{"QueueUrl", fifo}, {"MessageBody", "g1"}, {"MessageGroupId", "g"}}, t0 + 1).error);  // deduplicated
  json::array got = h.receive(t0 + 1000);
  REQUIRE(got.size() == 3);
  REQUIRE_FALSE(h.call("DeleteMessage", {{"QueueUrl", kUrl}, {"ReceiptHandle", got[0].at("ReceiptHandle")}}, t0 + 2000).error);
  REQUIRE_FALSE(h.call("ChangeMessageVisibility", {{"QueueUrl", kUrl}, {"ReceiptHandle", got[1].at("ReceiptHandle")},
                                                   {"VisibilityTimeout", 0}}, t0 + 2000).error);
  REQUIRE_FALSE(h.call("DeleteMessageBatch", {{"QueueUrl", kUrl}, {"Entries", {{{"Id", "x"}, {"ReceiptHandle", got[2].at("ReceiptHandle")}}}}},
                       t0 + 2000).error);
  std::string hash = h.engine->state_info().hash;
  h.reopen(/*ignore_checkpoints=*/true);
  CHECK(h.engine->state_info().hash == hash);
  got = h.receive(t0 + 3000);
  REQUIRE(got.size() == 1);
  CHECK(got[0].at("Body").as_string() != "one");
}

// AddPermission / RemovePermission: the event carries the policy decide()
// computed, so replay without checkpoints rebuilds it byte for byte, and the
// last RemovePermission leaves the queue without a Policy attribute.
TEST_CASE("permissions replay to the same policy") {
  Harness h;
  auto policy = [&](int64_t now) -> std::string {
    ExecResult r = h.call("GetQueueAttributes", {{"QueueUrl", kUrl}, {"AttributeNames", {"Policy"}}}, now);
    REQUIRE_FALSE(r.error);
    auto* a = r.output.as_object().if_contains("Attributes");
    return a ? std::string(a->at("Policy").as_string()) : std::string();
  };
  REQUIRE_FALSE(h.call("CreateQueue", {{"QueueName", "q"}}, t0).error);
  REQUIRE_FALSE(h.call("AddPermission", {{"QueueUrl", kUrl}, {"Label", "a"}, {"AWSAccountIds", {"111111111111"}},
                                         {"Actions", {"SendMessage"}}}, t0).error);
  REQUIRE_FALSE(h.call("AddPermission", {{"QueueUrl", kUrl}, {"Label", "b"}, {"AWSAccountIds", {"111111111111", "222222222222"}},
                                         {"Actions", {"ReceiveMessage", "DeleteMessage"}}}, t0).error);
  ExecResult dup = h.call("AddPermission", {{"QueueUrl", kUrl}, {"Label", "a"}, {"AWSAccountIds", {"111111111111"}},
                                            {"Actions", {"SendMessage"}}}, t0);
  REQUIRE(dup.error);
  CHECK(dup.error->code == "InvalidParameterValue");
  REQUIRE_FALSE(h.call("RemovePermission", {{"QueueUrl", kUrl}, {"Label", "a"}}, t0).error);
  std::string p = policy(t0);
  CHECK(p == "{\"Version\":\"2008-10-17\",\"Id\":\"arn:aws:sqs:us-east-1:000000000000:q/SQSDefaultPolicy\",\"Statement\":["
             "{\"Sid\":\"b\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":[\"arn:aws:iam::111111111111:root\","
             "\"arn:aws:iam::222222222222:root\"]},\"Action\":[\"SQS:ReceiveMessage\",\"SQS:DeleteMessage\"],"
             "\"Resource\":\"arn:aws:sqs:us-east-1:000000000000:q\"}]}");
  std::string hash = h.engine->state_info().hash;
  h.reopen(/*ignore_checkpoints=*/true);
  CHECK(h.engine->state_info().hash == hash);
  CHECK(policy(t0) == p);
  REQUIRE_FALSE(h.call("RemovePermission", {{"QueueUrl", kUrl}, {"Label", "b"}}, t0).error);
  CHECK(policy(t0).empty());
  h.reopen(/*ignore_checkpoints=*/true);
  CHECK(policy(t0).empty());
}
