// Deliveries into SNS from services that sort before it (S3 notifications,
// SES events): kind "publish" fans out like Publish, in the cause's batch,
// and is dropped silently when the topic does not exist.
#include <google/protobuf/wrappers.pb.h>
#include <doctest/doctest.h>

#include "../../../temp_dir.h"
#include "server/engine.h"
#include "server/services/registry.h"

using namespace podstack;

namespace {

// "aaa" (sorts before "sns"): Go -> one event and one "publish" delivery per topic.
class Publisher : public Service {
 public:
  std::string_view name() const override { return "aaa"; }
  // Payloads are this double's own JSON, which apply() reads back.
  bool payload_parses(std::string_view) const override { return true; }
  const protocol::ServiceModel& model() const override { return *protocol::builtin_model("sts"); }
  bool has_operation(std::string_view op) const override { return op == "Go"; }
  bool mutating(std::string_view) const override { return true; }
  std::optional<ApiError> decide(std::string_view, const json::object& in, const CallContext&, Decision& d) const override {
    google::protobuf::StringValue go;
    go.set_value("go");
    d.add(go);
    for (auto& t : in.at("topics").as_array())
      d.deliveries.push_back(Delivery{
          "sns", "publish", "", "",
          json::object{{"TopicArn", t},
                       {"Message", "from aaa"},
                       {"Subject", "s3 event"},
                       {"MessageAttributes", json::object{{"kind", json::object{{"DataType", "String"}, {"StringValue", "put"}}}}}}});
    return std::nullopt;
  }
  void apply(const proto::Event&) override {}
  std::string snapshot() const override { return {}; }
  Status restore(std::string_view) override { return Status::ok(); }
  void clear() override {}
};

std::unique_ptr<Engine> open(const testing::TempDir& dir) {
  auto all = make_services();
  all.push_back(std::make_unique<Publisher>());
  EngineOptions o;
  o.store.path = dir / "log";
  o.ignore_checkpoints = true;
  auto e = Engine::open(o, std::move(all));
  REQUIRE_MESSAGE(e.is_ok(), e.status().to_string());
  return std::move(*e);
}

CallContext ctx() {
  CallContext c;
  c.request_id = "req";
  c.now_ms = wall_clock_ms();
  return c;
}

json::value ok(const ExecResult& r) {
  REQUIRE_FALSE(r.error);
  if (r.commit) REQUIRE(r.commit->wait().is_ok());
  return r.output;
}

}  // namespace

TEST_CASE("a publish delivered into SNS reaches matching SQS subscribers in the same batch, and replays") {
  testing::TempDir dir;
  std::string hash;
  {
    auto e = open(dir);
    Service& sns = *e->service("sns");
    Service& sqs = *e->service("sqs");
    std::string topic = ok(e->execute(sns, "CreateTopic", json::object{{"Name", "bucket-events"}}, ctx())).at("TopicArn").as_string().c_str();
    ok(e->execute(sqs, "CreateQueue", json::object{{"QueueName", "all"}}, ctx()));
    ok(e->execute(sqs, "CreateQueue", json::object{{"QueueName", "deletes"}}, ctx()));
    ok(e->execute(sns, "Subscribe",
                  json::object{{"TopicArn", topic}, {"Protocol", "sqs"}, {"Endpoint", "arn:aws:sqs:us-east-1:000000000000:all"}},
                  ctx()));
    ok(e->execute(sns, "Subscribe",
                  json::object{{"TopicArn", topic},
                               {"Protocol", "sqs"},
                               {"Endpoint", "arn:aws:sqs:us-east-1:000000000000:deletes"},
                               {"Attributes", json::object{{"FilterPolicy", R"({"kind":["delete"]})"}}}},
                  ctx()));
    uint64_t before = e->last_sequence();
    ok(e->execute(*e->service("aaa"), "Go",
                  json::object{{"topics", json::array{topic, "arn:aws:sns:us-east-1:000000000000:missing"}}}, ctx()));
    // The cause's event, one sns Published event and one sqs Sent event; the missing topic adds nothing.
    CHECK(e->last_sequence() == before + 3);
    auto received = [&](const char* q) {
      return ok(e->execute(sqs, "ReceiveMessage", json::object{{"QueueUrl", std::string("http://localhost:4566/000000000000/") + q}}, ctx()));
    };
    json::value all = received("all");
    REQUIRE(all.at("Messages").as_array().size() == 1);
    json::value env = json::parse(all.at("Messages").at(0).at("Body").as_string());
    CHECK(env.at("Type").as_string() == "Notification");
    CHECK(env.at("TopicArn").as_string() == topic);
    CHECK(env.at("Message").as_string() == "from aaa");
    CHECK(env.at("Subject").as_string() == "s3 event");
    CHECK(env.at("MessageAttributes").at("kind").at("Value").as_string() == "put");
    json::value none = received("deletes");
    CHECK((!none.as_object().contains("Messages") || none.at("Messages").as_array().empty()));
    hash = e->state_info().hash;
    REQUIRE(e->close().is_ok());
  }
  auto e = open(dir);
  CHECK(e->state_info().hash == hash);
}
