// TransactWriteItems ClientRequestToken: idempotent for 10 minutes, judged at
// the request's time against the commit time the event recorded, so replay
// and a restored checkpoint remember (and forget) exactly the same tokens.
#include <doctest/doctest.h>

#include "../../../service_harness.h"

using namespace podstack;

namespace {
constexpr int64_t t0 = 1800000000000;
constexpr int64_t kMinute = 60 * 1000;

struct Harness : testing::ServiceHarness {
  explicit Harness(bool ignore_checkpoints = false) : ServiceHarness("dynamodb", ignore_checkpoints) {}

  json::object add(const char* token, const char* amount) {
    json::object update{{"TableName", "tok_t"},
                        {"Key", {{"pk", {{"S", "c"}}}}},
                        {"UpdateExpression", "ADD n :a"},
                        {"ExpressionAttributeValues", {{":a", {{"N", amount}}}}}};
    json::object in{{"TransactItems", json::array{json::object{{"Update", update}}}}};
    if (token) in["ClientRequestToken"] = token;
    return in;
  }
  std::string counter(int64_t now) {
    ExecResult r = call("GetItem", {{"TableName", "tok_t"}, {"Key", {{"pk", {{"S", "c"}}}}}}, now);
    REQUIRE_FALSE(r.error);
    auto* item = r.output.as_object().if_contains("Item");
    return item ? std::string(item->at("n").at("N").as_string()) : "";
  }
  std::optional<std::string> transact(json::object in, int64_t now) {
    ExecResult r = call("TransactWriteItems", std::move(in), now);
    if (r.error) return r.error->code;
    return std::nullopt;
  }
};

void make_table(Harness& h) {
  ExecResult r = h.call("CreateTable",
                        {{"TableName", "tok_t"},
                         {"AttributeDefinitions", json::array{json::object{{"AttributeName", "pk"}, {"AttributeType", "S"}}}},
                         {"KeySchema", json::array{json::object{{"AttributeName", "pk"}, {"KeyType", "HASH"}}}},
                         {"BillingMode", "PAY_PER_REQUEST"}},
                        t0);
  INFO((r.error ? r.error->code + ": " + r.error->message : std::string()));
  REQUIRE_FALSE(r.error);
}
}  // namespace

TEST_CASE("a token repeats a committed transaction for 10 minutes, then is forgotten") {
  Harness h;
  make_table(h);
  CHECK_FALSE(h.transact(h.add("tok", "1"), t0));
  CHECK(h.counter(t0) == "1");
  uint64_t seq = h.engine->last_sequence();
  CHECK_FALSE(h.transact(h.add("tok", "1"), t0 + 9 * kMinute));
  CHECK(h.counter(t0) == "1");
  CHECK(h.engine->last_sequence() == seq);  // a repeat is no event
  CHECK(h.transact(h.add("tok", "2"), t0 + 9 * kMinute) == "IdempotentParameterMismatchException");
  CHECK_FALSE(h.transact(h.add(nullptr, "1"), t0 + 9 * kMinute));  // no token: applied every time
  CHECK(h.counter(t0) == "2");
  CHECK_FALSE(h.transact(h.add("tok", "1"), t0 + 10 * kMinute));  // the window has closed: a new request
  CHECK(h.counter(t0) == "3");
}

TEST_CASE("a cancelled transaction records no token; its retry runs afresh") {
  Harness h;
  make_table(h);
  json::object in = h.add("tok", "1");
  auto& upd = in["TransactItems"].as_array()[0].as_object()["Update"].as_object();
  upd["ConditionExpression"] = "attribute_exists(pk)";
  CHECK(h.transact(in, t0) == "TransactionCanceledException");
  REQUIRE_FALSE(h.call("PutItem", {{"TableName", "tok_t"}, {"Item", {{"pk", {{"S", "c"}}}, {"n", {{"N", "5"}}}}}}, t0 + 1000).error);
  CHECK_FALSE(h.transact(in, t0 + 2000));
  CHECK(h.counter(t0) == "6");
}

TEST_CASE("tokens are state: checkpoint restore and full replay agree, and both still refuse a mismatch") {
  Harness h;
  make_table(h);
  for (int i = 0; i < 5; ++i)
    CHECK_FALSE(h.transact(h.add(("tok" + std::to_string(i)).c_str(), "1"), t0 + i * 3 * kMinute));
  // tok0 is forgotten when tok4 commits at t0+12min; tok1..tok4 remain.
  std::string hash = h.engine->state_info().hash;
  int64_t now = t0 + 12 * kMinute + 1;
  h.reopen();  // from the final checkpoint
  CHECK(h.engine->state_info().hash == hash);
  CHECK(h.transact(h.add("tok1", "9"), now) == "IdempotentParameterMismatchException");
  h.reopen(/*ignore_checkpoints=*/true);  // from the log alone
  CHECK(h.engine->state_info().hash == hash);
  CHECK(h.transact(h.add("tok1", "9"), now) == "IdempotentParameterMismatchException");
  CHECK_FALSE(h.transact(h.add("tok0", "9"), now));  // forgotten: a new request
  CHECK(h.counter(now) == "14");
  CHECK(h.transact(h.add("tok4", "9"), now) == "IdempotentParameterMismatchException");
  CHECK_FALSE(h.transact(h.add("tok4", "1"), now));
  CHECK(h.counter(now) == "14");
}
