// Cross-service deliveries (one batch with their cause) and the outbox
// (effects attempted after commit, recorded, never repeated by replay).
#include "server/outbox.h"

#include <google/protobuf/wrappers.pb.h>
#include <doctest/doctest.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "../temp_dir.h"
#include "server/services/registry.h"

using namespace podstack;
namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

CallContext ctx() {
  CallContext c;
  c.request_id = "req";
  c.now_ms = wall_clock_ms();
  return c;
}

// Events are JSON in a StringValue here; real services use their own protos.
google::protobuf::StringValue js(const json::object& o) {
  google::protobuf::StringValue v;
  v.set_value(json::serialize(o));
  return v;
}
json::object payload_json(const proto::Event& e) {
  google::protobuf::StringValue v;
  v.ParseFromString(e.payload());
  return json::parse(v.value()).as_object();
}

// "aaa": Go -> one event of its own, and deliveries (to "sqs", and to
// services it may not deliver to).
class CauseService : public Service {
 public:
  std::string_view name() const override { return "aaa"; }
  // Payloads are this double's own JSON, which apply() reads back.
  bool payload_parses(std::string_view) const override { return true; }
  const protocol::ServiceModel& model() const override { return *protocol::builtin_model("sts"); }
  bool has_operation(std::string_view op) const override { return op == "Go"; }
  bool mutating(std::string_view) const override { return true; }
  std::optional<ApiError> decide(std::string_view, const json::object& in, const CallContext&, Decision& d) const override {
    d.add(js({{"go", in.at("n")}}));
    for (auto& q : in.at("queues").as_array())
      d.deliveries.push_back(Delivery{"sqs", "message", "", "", json::object{{"QueueArn", q}, {"MessageBody", in.at("n")}}});
    return std::nullopt;
  }
  void apply(const proto::Event&) override { ++applied; }
  std::string snapshot() const override { return applied ? std::to_string(applied) : std::string(); }
  Status restore(std::string_view b) override {
    applied = std::stoi(std::string(b));
    return Status::ok();
  }
  void clear() override { applied = 0; }
  int applied = 0;
};

// "hooks": holds http effects in its state until attempted (3 tries).
class EffectService : public Service {
 public:
  std::string_view name() const override { return "hooks"; }
  // Payloads are this double's own JSON, which apply() reads back.
  bool payload_parses(std::string_view) const override { return true; }
  const protocol::ServiceModel& model() const override { return *protocol::builtin_model("sts"); }
  bool has_operation(std::string_view op) const override { return op == "Add" || op == "Deliver"; }
  bool mutating(std::string_view) const override { return true; }
  std::optional<ApiError> decide(std::string_view op, const json::object& in, const CallContext& c, Decision& d) const override {
    d.add(js({{"add", in.at("id")}, {"url", in.at("url")}, {"at", c.now_ms}}));
    d.effects = true;
    return std::nullopt;
  }
  void apply(const proto::Event& e) override {
    json::object o = payload_json(e);
    if (o.contains("add")) {
      Effect& f = pending[std::string(o.at("add").as_string())];
      f.id = o.at("add").as_string();
      f.kind = "http";
      f.target = o.at("url").as_string();
      f.body = "hello " + f.id;
      f.not_before_ms = o.at("at").as_int64();
    } else {
      std::string id(o.at("attempt").as_string());
      auto it = pending.find(id);
      if (it == pending.end()) return;
      ++it->second.attempts;
      if (o.at("ok").as_bool()) {
        done.push_back(id);
        pending.erase(it);
      } else if (it->second.attempts >= 3) {
        failed.push_back(id);
        pending.erase(it);
      } else {
        it->second.not_before_ms = o.at("retry_at").as_int64();
      }
    }
  }
  void pending_effects(std::vector<Effect>& out) const override {
    for (auto& [id, f] : pending) out.push_back(f);
  }
  void effect_attempted(const EffectAttempt& a, const CallContext& c, Decision& d) const override {
    d.add(js({{"attempt", a.id}, {"ok", a.ok}, {"retry_at", c.now_ms + 5}}));
  }
  std::string snapshot() const override {
    std::string s;
    for (auto& [id, f] : pending) s += "p:" + id + ":" + std::to_string(f.attempts) + ";";
    for (auto& id : done) s += "d:" + id + ";";
    for (auto& id : failed) s += "f:" + id + ";";
    return s;
  }
  Status restore(std::string_view) override { return Status::invalid_argument("replay only"); }
  void clear() override {
    pending.clear();
    done.clear();
    failed.clear();
  }
  std::map<std::string, Effect> pending;
  std::vector<std::string> done, failed;
};

// "zzz": Go -> one event, and a delivery back to "aaa" (not allowed).
class BackService : public CauseService {
 public:
  std::string_view name() const override { return "zzz"; }
  std::optional<ApiError> decide(std::string_view, const json::object&, const CallContext&, Decision& d) const override {
    d.add(js({{"x", true}}));
    d.deliveries.push_back(Delivery{"aaa", "message", "", "", {}});
    return std::nullopt;
  }
};

// "thr": podstack bugs on purpose. Its deliver() and effect_attempted()
// throw, and its read "Peek" adds an event.
class FaultyService : public CauseService {
 public:
  std::string_view name() const override { return "thr"; }
  bool has_operation(std::string_view op) const override { return op == "Go" || op == "Peek"; }
  bool mutating(std::string_view op) const override { return op != "Peek"; }
  std::optional<ApiError> decide(std::string_view op, const json::object&, const CallContext&, Decision& d) const override {
    d.add(js({{"op", op}}));
    return std::nullopt;
  }
  void deliver(const std::vector<Delivery>&, const CallContext&, Decision&) const override {
    throw ApiError::validation("a stray throw in deliver()");
  }
  void effect_attempted(const EffectAttempt&, const CallContext&, Decision&) const override {
    throw std::runtime_error("a stray throw in effect_attempted()");
  }
};

// "abc": Go -> its event and a delivery to "thr" (whose deliver() throws).
class ToFaultyService : public CauseService {
 public:
  std::string_view name() const override { return "abc"; }
  std::optional<ApiError> decide(std::string_view, const json::object&, const CallContext&, Decision& d) const override {
    d.add(js({{"go", true}}));
    d.deliveries.push_back(Delivery{"thr", "x", "", "", {}});
    return std::nullopt;
  }
};

std::vector<std::unique_ptr<Service>> services() {
  auto all = make_services();
  all.push_back(std::make_unique<CauseService>());
  all.push_back(std::make_unique<BackService>());
  all.push_back(std::make_unique<FaultyService>());
  all.push_back(std::make_unique<ToFaultyService>());
  all.push_back(std::make_unique<EffectService>());
  return all;
}

std::unique_ptr<Engine> open(const testing::TempDir& dir) {
  EngineOptions o;
  o.store.path = dir / "log";
  o.ignore_checkpoints = true;  // replay everything: the fakes do not restore
  auto e = Engine::open(o, services());
  REQUIRE_MESSAGE(e.is_ok(), e.status().to_string());
  return std::move(*e);
}

void ok(const ExecResult& r) {
  REQUIRE_FALSE(r.error);
  if (r.commit) REQUIRE(r.commit->wait().is_ok());
}

template <class F>
bool eventually(F cond) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    if (cond()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return cond();
}

// An HTTP server on a free loopback port answering `statuses` in turn.
struct HttpSink {
  asio::io_context ioc;
  tcp::acceptor acceptor{ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)};
  std::vector<int> statuses;
  std::mutex mu;
  std::vector<std::string> bodies;
  std::thread t;
  explicit HttpSink(std::vector<int> s) : statuses(std::move(s)) {
    t = std::thread([this] {
      for (size_t i = 0; i < statuses.size(); ++i) {
        boost::system::error_code ec;
        tcp::socket sock(ioc);
        acceptor.accept(sock, ec);
        if (ec) return;
        boost::beast::flat_buffer buf;
        http::request<http::string_body> req;
        http::read(sock, buf, req, ec);
        if (ec) return;
        {
          std::lock_guard lk(mu);
          bodies.push_back(req.body());
        }
        http::response<http::string_body> res{static_cast<http::status>(statuses[i]), 11};
        res.body() = "ok";
        res.prepare_payload();
        http::write(sock, res, ec);
      }
    });
  }
  ~HttpSink() {
    boost::system::error_code ec;
    acceptor.close(ec);
    if (t.joinable()) t.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(acceptor.local_endpoint().port()) + "/hook"; }
  size_t count() {
    std::lock_guard lk(mu);
    return bodies.size();
  }
};

}  // namespace

TEST_CASE("a delivery is committed in its cause's batch and replays") {
  testing::TempDir dir;
  std::string hash;
  {
    auto e = open(dir);
    ok(e->execute(*e->service("sqs"), "CreateQueue", json::object{{"QueueName", "q"}}, ctx()));
    uint64_t before = e->last_sequence();
    json::array queues{"arn:aws:sqs:us-east-1:000000000000:q", "arn:aws:sqs:us-east-1:000000000000:missing",
                       "arn:aws:sqs:eu-west-1:000000000000:q"};
    ok(e->execute(*e->service("aaa"), "Go", json::object{{"n", "one"}, {"queues", queues}}, ctx()));
    // The cause's event and one Sent event for the queue that exists.
    CHECK(e->last_sequence() == before + 2);
    ExecResult r = e->execute(*e->service("sqs"), "ReceiveMessage",
                              json::object{{"QueueUrl", "http://localhost:4566/000000000000/q"}}, ctx());
    REQUIRE_FALSE(r.error);
    REQUIRE(r.output.at("Messages").as_array().size() == 1);
    CHECK(r.output.at("Messages").at(0).at("Body").as_string() == "one");
    hash = e->state_info().hash;
    REQUIRE(e->close().is_ok());
  }
  auto e = open(dir);
  CHECK(e->state_info().hash == hash);
}

TEST_CASE("a service may not deliver to one before it in lock order") {
  testing::TempDir dir;
  auto e = open(dir);
  uint64_t before = e->last_sequence();
  // "zzz" sorts after "aaa": its delivery to "aaa" is dropped (a lock-order
  // bug), while its own event commits.
  ok(e->execute(*e->service("zzz"), "Go", json::object{}, ctx()));
  CHECK(e->last_sequence() == before + 1);
  CHECK(static_cast<CauseService*>(e->service("aaa"))->applied == 0);
  CHECK(static_cast<CauseService*>(e->service("zzz"))->applied == 1);
}

TEST_CASE("a read that adds events is answered with an internal error, and nothing is logged") {
  testing::TempDir dir;
  auto e = open(dir);
  uint64_t before = e->last_sequence();
  ExecResult r = e->execute(*e->service("thr"), "Peek", json::object{}, ctx());
  REQUIRE(r.error);
  CHECK(r.error->status == 500);
  CHECK_FALSE(r.commit);
  CHECK(e->last_sequence() == before);
  CHECK(static_cast<CauseService*>(e->service("thr"))->applied == 0);
}

TEST_CASE("a throw in deliver() or effect_attempted() fails its cause whole; the engine goes on") {
  testing::TempDir dir;
  auto e = open(dir);
  uint64_t before = e->last_sequence();
  ExecResult r = e->execute(*e->service("abc"), "Go", json::object{}, ctx());
  REQUIRE(r.error);
  CHECK(r.error->status == 500);
  CHECK(e->last_sequence() == before);  // neither the cause's event nor any delivery
  CHECK(static_cast<CauseService*>(e->service("abc"))->applied == 0);
  EffectAttempt attempt;
  attempt.id = "x";
  ExecResult f = e->record_effect(*e->service("thr"), attempt, ctx());
  REQUIRE(f.error);
  CHECK(f.error->status == 500);
  CHECK(e->last_sequence() == before);
  ok(e->execute(*e->service("thr"), "Go", json::object{}, ctx()));  // still writing
  CHECK(e->last_sequence() == before + 1);
}

TEST_CASE("the outbox attempts effects after commit, retries, records, and replay does not repeat them") {
  testing::TempDir dir;
  HttpSink sink({500, 200});
  {
    auto e = open(dir);
    Outbox outbox(*e);
    outbox.start();
    ok(e->execute(*e->service("hooks"), "Add", json::object{{"id", "h1"}, {"url", sink.url()}}, ctx()));
    auto* svc = static_cast<EffectService*>(e->service("hooks"));
    REQUIRE(eventually([&] {
      std::shared_lock lk(svc->mutex());
      return svc->done.size() == 1;
    }));
    CHECK(sink.count() == 2);  // a 500, retried, then a 200
    CHECK(sink.bodies[1] == "hello h1");
    CHECK(outbox.attempts() == 2);
    outbox.stop();
    REQUIRE(e->close().is_ok());
  }
  // Reopened: replay shows it done, and a new outbox does not send it again.
  auto e = open(dir);
  Outbox outbox(*e);
  outbox.start();
  REQUIRE(eventually([&] { return outbox.scans() >= 1; }));
  CHECK(outbox.attempts() == 0);
  CHECK(sink.count() == 2);
  auto* svc = static_cast<EffectService*>(e->service("hooks"));
  std::shared_lock lk(svc->mutex());
  CHECK(svc->done == std::vector<std::string>{"h1"});
}

TEST_CASE("an effect still pending at shutdown is re-armed by replay") {
  testing::TempDir dir;
  HttpSink sink({200});
  {
    auto e = open(dir);  // no outbox: the effect stays pending
    ok(e->execute(*e->service("hooks"), "Add", json::object{{"id", "h2"}, {"url", sink.url()}}, ctx()));
    REQUIRE(e->close().is_ok());
  }
  CHECK(sink.count() == 0);
  auto e = open(dir);
  Outbox outbox(*e);
  outbox.start();
  auto* svc = static_cast<EffectService*>(e->service("hooks"));
  REQUIRE(eventually([&] {
    std::shared_lock lk(svc->mutex());
    return svc->done.size() == 1;
  }));
  CHECK(sink.count() == 1);
}

TEST_CASE("an unreachable endpoint fails each attempt and is given up") {
  testing::TempDir dir;
  std::string url;
  {
    HttpSink closed({});  // bound, then closed: connection refused
    url = closed.url();
  }
  auto e = open(dir);
  Outbox outbox(*e);
  outbox.start();
  ok(e->execute(*e->service("hooks"), "Add", json::object{{"id", "h3"}, {"url", url}}, ctx()));
  auto* svc = static_cast<EffectService*>(e->service("hooks"));
  REQUIRE(eventually([&] {
    std::shared_lock lk(svc->mutex());
    return svc->failed.size() == 1;
  }));
  CHECK(outbox.attempts() == 3);
}

TEST_CASE("smtp_effect speaks SMTP: envelope, dot-stuffing, CRLF") {
  asio::io_context ioc;
  tcp::acceptor acc(ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  std::vector<std::string> commands;
  std::string data;
  std::thread server([&] {
    tcp::socket s(ioc);
    acc.accept(s);
    std::string buf;
    auto say = [&](const std::string& l) { asio::write(s, asio::buffer(l)); };
    auto line = [&] {
      size_t n = asio::read_until(s, asio::dynamic_buffer(buf), "\r\n");
      std::string l = buf.substr(0, n - 2);
      buf.erase(0, n);
      return l;
    };
    say("220 sink ready\r\n");
    for (;;) {
      std::string l = line();
      commands.push_back(l);
      if (l.rfind("EHLO", 0) == 0) say("250-sink\r\n250 OK\r\n");
      else if (l == "DATA") {
        say("354 go\r\n");
        size_t n = asio::read_until(s, asio::dynamic_buffer(buf), "\r\n.\r\n");
        data = buf.substr(0, n);
        buf.erase(0, n);
        say("250 queued\r\n");
      } else if (l == "QUIT") {
        say("221 bye\r\n");
        return;
      } else say("250 OK\r\n");
    }
  });
  Effect e;
  e.id = "m1";
  e.kind = "smtp";
  e.target = "127.0.0.1:" + std::to_string(acc.local_endpoint().port());
  e.mail_from = "a@example.com";
  e.rcpt_to = {"b@example.com", "c@example.com"};
  e.body = "Subject: hi\n\nline\n.dot\nend";
  EffectAttempt a = smtp_effect(e, OutboxOptions{});
  server.join();
  CHECK(a.ok);
  CHECK(a.status == 250);
  CHECK(commands[1] == "MAIL FROM:<a@example.com>");
  CHECK(commands[2] == "RCPT TO:<b@example.com>");
  CHECK(commands[3] == "RCPT TO:<c@example.com>");
  CHECK(data == "Subject: hi\r\n\r\nline\r\n..dot\r\nend\r\n.\r\n");
}
