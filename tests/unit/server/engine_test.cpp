#include "server/engine.h"

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "../temp_dir.h"
#include "proto/ssm.pb.h"
#include "server/services/registry.h"

using namespace podstack;

namespace {

EngineOptions opts(const testing::TempDir& dir, uint64_t checkpoint_every = 1000000) {
  EngineOptions o;
  o.store.path = dir / "log";
  o.checkpoint_every = checkpoint_every;
  o.factory = [] { return make_services(); };
  return o;
}

std::unique_ptr<Engine> open(EngineOptions o) {
  auto e = Engine::open(std::move(o), make_services());
  REQUIRE_MESSAGE(e.is_ok(), e.status().to_string());
  return std::move(*e);
}

// The engine over dir's log, rebuilt by replaying every event (checkpoints ignored).
std::unique_ptr<Engine> open_full_replay(const testing::TempDir& dir) {
  EngineOptions o = opts(dir);
  o.ignore_checkpoints = true;
  return open(std::move(o));
}

CallContext ctx(int64_t now_ms = 1700000000000) {
  CallContext c;
  c.request_id = "req";
  c.now_ms = now_ms;
  return c;
}

void put(Engine& e, const std::string& name, const std::string& value, bool overwrite = false) {
  json::object in{{"Name", name}, {"Value", value}, {"Type", "String"}, {"Overwrite", overwrite}};
  ExecResult r = e.execute(*e.service("ssm"), "PutParameter", in, ctx());
  REQUIRE_FALSE(r.error);
  REQUIRE(r.commit);
  REQUIRE(r.commit->wait().is_ok());
}

std::string get(Engine& e, const std::string& name) {
  ExecResult r = e.execute(*e.service("ssm"), "GetParameter", json::object{{"Name", name}}, ctx());
  if (r.error) return "<" + r.error->code + ">";
  return std::string(r.output.at("Parameter").at("Value").as_string());
}

}  // namespace

TEST_CASE("state is what replaying the log gives") {
  testing::TempDir dir;
  std::string hash;
  {
    auto e = open(opts(dir));
    put(*e, "/a", "1");
    put(*e, "/a", "2", true);
    put(*e, "/b", "3");
    hash = e->state_info().hash;
    // No close(): no shutdown checkpoint, so reopening must replay every event.
    e.reset();
  }
  auto e = open_full_replay(dir);
  CHECK(e->startup().replayed == 3);
  CHECK(e->state_info().hash == hash);
  CHECK(get(*e, "/a") == "2");
  CHECK(get(*e, "/b") == "3");
}

TEST_CASE("reads emit no events and errors change nothing") {
  testing::TempDir dir;
  auto e = open(opts(dir));
  put(*e, "/a", "1");
  uint64_t seq = e->last_sequence();
  CHECK(get(*e, "/a") == "1");
  CHECK(get(*e, "/missing") == "<ParameterNotFound>");
  json::object dup{{"Name", "/a"}, {"Value", "x"}, {"Type", "String"}};
  ExecResult r = e->execute(*e->service("ssm"), "PutParameter", dup, ctx());
  REQUIRE(r.error);
  CHECK(r.error->code == "ParameterAlreadyExists");
  CHECK(e->last_sequence() == seq);
}

TEST_CASE("startup = newest checkpoint + replay of the tail") {
  testing::TempDir dir;
  std::string hash;
  {
    auto e = open(opts(dir));
    for (int i = 0; i < 10; ++i) put(*e, "/p" + std::to_string(i), "v");
    REQUIRE(e->checkpoint().is_ok());
    for (int i = 10; i < 14; ++i) put(*e, "/p" + std::to_string(i), "v");
    hash = e->state_info().hash;
    e.reset();
  }
  auto e = open(opts(dir));
  CHECK(e->startup().checkpoint_sequence >= 10);
  CHECK(e->startup().replayed == 14 - e->startup().checkpoint_sequence);
  CHECK(e->state_info().hash == hash);
  CHECK(e->last_sequence() == 14);
}

TEST_CASE("a corrupt checkpoint falls back to an older one or a full replay") {
  testing::TempDir dir;
  std::string hash;
  uint64_t last = 0;
  {
    auto e = open(opts(dir));
    for (int i = 0; i < 5; ++i) put(*e, "/p" + std::to_string(i), "v");
    REQUIRE(e->close().is_ok());  // writes the shutdown checkpoint at 5
    hash = e->state_info().hash;
    last = e->last_sequence();
    REQUIRE(e->store().put_checkpoint_raw(last, "not a zstd frame").is_ok());
    e.reset();
  }
  auto e = open(opts(dir));
  CHECK(e->startup().skipped_checkpoints == 1);
  CHECK(e->startup().checkpoint_sequence == 0);
  CHECK(e->startup().replayed == last);
  CHECK(e->state_info().hash == hash);
}

TEST_CASE("automatic checkpoints every N events") {
  testing::TempDir dir;
  {
    auto e = open(opts(dir, 4));
    for (int i = 0; i < 9; ++i) put(*e, "/p" + std::to_string(i), "v");
    e.reset();  // the maintenance thread is joined; its checkpoints are written
  }
  auto e = open(opts(dir));
  CHECK(e->startup().checkpoint_sequence >= 4);
}

TEST_CASE("the state hash is per service, deterministic, and ignores services without state") {
  testing::TempDir a, b;
  auto e1 = open(opts(a));
  auto e2 = open(opts(b));
  std::string empty = e1->state_info().hash;
  put(*e1, "/x", "1");
  put(*e1, "/y", "2");
  put(*e2, "/y", "2");
  put(*e2, "/x", "1");
  // Same parameters, different order and timestamps equal: same hash.
  CHECK(e1->state_info().hash == e2->state_info().hash);
  CHECK(e1->state_info().hash != empty);
  StateInfo info = e1->state_info();
  CHECK(info.services.size() == e1->services().size());
}

TEST_CASE("reset is an event: it replays") {
  testing::TempDir dir;
  {
    auto e = open(opts(dir));
    put(*e, "/a", "1");
    ExecResult r = e->reset("", ctx());
    REQUIRE(r.commit->wait().is_ok());
    put(*e, "/b", "2");
    e.reset();
  }
  auto e = open_full_replay(dir);
  CHECK(get(*e, "/a") == "<ParameterNotFound>");
  CHECK(get(*e, "/b") == "2");
}

TEST_CASE("the in-memory store takes the same commit path") {
  EngineOptions o;
  o.store.in_memory = true;
  auto e = open(o);
  put(*e, "/a", "1");
  CHECK(e->last_sequence() == 1);
  CHECK(get(*e, "/a") == "1");
}

TEST_CASE("a failed log write is fail-stop: the request fails, memory is rebuilt from the log") {
  testing::TempDir dir;
  auto e = open(opts(dir));
  put(*e, "/kept", "1");
  std::string before = e->state_info().hash;
  e->store().fail_writes_for_testing(true);
  json::object in{{"Name", "/lost"}, {"Value", "x"}, {"Type", "String"}};
  ExecResult r = e->execute(*e->service("ssm"), "PutParameter", in, ctx());
  REQUIRE(r.commit);
  CHECK_FALSE(r.commit->wait().is_ok());  // the client is told: never acknowledged
  e->store().fail_writes_for_testing(false);
  e->wait_writable();
  // Memory agrees with the log again: the failed write is gone, the old state is intact.
  CHECK(get(*e, "/lost") == "<ParameterNotFound>");
  CHECK(get(*e, "/kept") == "1");
  CHECK(e->state_info().hash == before);
  put(*e, "/after", "2");
  CHECK(get(*e, "/after") == "2");
  CHECK(e->last_sequence() == 2);
}

TEST_CASE("PartitionWriter encodes exactly what the State message would") {
  PartitionWriter w;
  w.begin("000000000000", "us-east-1");
  ssm::Parameter a;
  a.set_name("/a");
  a.add_versions()->set_value("1");
  w.item(a);
  w.begin("111111111111", "eu-west-1");  // no items: left out, as a proto State built from maps would
  w.begin("222222222222", "eu-west-1");
  ssm::Parameter b;
  b.set_name("/b");
  w.item(b);
  std::string bytes = w.finish();
  ssm::State st;
  REQUIRE(st.ParseFromString(bytes));
  REQUIRE(st.partitions_size() == 2);
  CHECK(st.partitions(0).account() == "000000000000");
  CHECK(st.partitions(0).parameters(0).versions(0).value() == "1");
  CHECK(st.partitions(1).region() == "eu-west-1");
  CHECK(deterministic_bytes(st) == bytes);
  CHECK(PartitionWriter().finish().empty());
}

TEST_CASE("rollback rebuilds an earlier state as one event, and can roll forward again") {
  testing::TempDir dir;
  auto e = open(opts(dir, 3));  // checkpoints along the way: export_at starts from one <= the target
  put(*e, "/a", "1");
  put(*e, "/a", "2", true);
  std::string at2 = e->state_info().hash;
  put(*e, "/b", "3");
  put(*e, "/a", "4", true);
  std::string at4 = e->state_info().hash;
  REQUIRE(e->export_at(2).value().info.hash == at2);

  ExecResult r = e->rollback(2, ctx());
  REQUIRE_FALSE(r.error);
  REQUIRE(r.commit->wait().is_ok());
  CHECK(e->state_info().hash == at2);
  CHECK(get(*e, "/a") == "2");
  CHECK(get(*e, "/b") == "<ParameterNotFound>");
  CHECK(e->last_sequence() == 5);  // history kept: the rollback is event 5

  r = e->rollback(4, ctx());  // forward again
  REQUIRE(r.commit->wait().is_ok());
  CHECK(e->state_info().hash == at4);
  CHECK_FALSE(e->export_at(99).is_ok());

  std::string now = e->state_info().hash;
  e.reset();
  CHECK(open_full_replay(dir)->state_info().hash == now);  // rollbacks replay
}

TEST_CASE("account-region-merge replaces only the pod's partitions") {
  std::string base, overlay;
  {
    PartitionWriter w;
    w.begin("1", "a");
    ssm::Parameter p;
    p.set_name("/base-a");
    w.item(p);
    w.begin("1", "b");
    p.set_name("/base-b");
    w.item(p);
    base = w.finish();
  }
  {
    PartitionWriter w;
    w.begin("1", "b");
    ssm::Parameter p;
    p.set_name("/pod-b");
    w.item(p);
    w.begin("2", "a");
    p.set_name("/pod-2a");
    w.item(p);
    overlay = w.finish();
  }
  ssm::State st;
  REQUIRE(st.ParseFromString(merge_partitions(base, overlay)));
  REQUIRE(st.partitions_size() == 3);
  CHECK(st.partitions(0).parameters(0).name() == "/base-a");
  CHECK(st.partitions(1).parameters(0).name() == "/pod-b");
  CHECK(st.partitions(2).parameters(0).name() == "/pod-2a");
}

TEST_CASE("a forked checkpoint taken while writers run is exactly the state at its sequence") {
  // The child serializes a copy-on-write image taken under the services'
  // locks; writers go on meanwhile. A checkpoint that caught a half-applied
  // write, or state from after its sequence, would make startup (checkpoint
  // + replay of the tail) disagree with a full replay.
  testing::TempDir dir;
  std::string hash;
  uint64_t forked = 0, ck_seq = 0, last = 0;
  {
    auto e = open(opts(dir));
    for (int i = 0; i < 200; ++i) put(*e, "/seed/" + std::to_string(i), "v");
    std::atomic<bool> stop{false};
    // Writers stay at most kAhead events past the last checkpoint's start:
    // unbounded, on a loaded machine they outran the checkpoints and grew
    // the state (and each fork's image) without limit.
    constexpr uint64_t kAhead = 400;
    std::atomic<uint64_t> limit{e->last_sequence() + kAhead};
    std::vector<std::thread> writers;
    for (int w = 0; w < 2; ++w)
      writers.emplace_back([&, w] {
        for (int i = 0; !stop;) {
          if (e->last_sequence() >= limit) {
            std::this_thread::yield();
            continue;
          }
          put(*e, "/w" + std::to_string(w) + "/" + std::to_string(i++), "v");
        }
      });
    uint64_t before = e->last_sequence();
    for (int c = 0; c < 5; ++c) {
      while (e->last_sequence() < before + 50) std::this_thread::yield();  // writers made progress
      before = e->last_sequence();
      limit = before + kAhead;
      REQUIRE(e->checkpoint(/*forked=*/true).is_ok());
    }
    // The writers go on after the last checkpoint, so startup replays a tail.
    const uint64_t last_ck = e->last_checkpoint().sequence;
    while (e->last_sequence() <= last_ck + 10) std::this_thread::yield();
    stop = true;
    for (auto& t : writers) t.join();
    CheckpointInfo ck = e->last_checkpoint();
    forked = ck.forked;
    ck_seq = ck.sequence;
    last = e->last_sequence();
    CHECK(ck.written == 5);
    CHECK(ck_seq < last);  // the writers went on after the last one
    hash = e->state_info().hash;
    // Startup must use the forked checkpoint: spoil the shutdown one.
    REQUIRE(e->close().is_ok());
    REQUIRE(e->store().put_checkpoint_raw(last, "not a zstd frame").is_ok());
    e.reset();
  }
  CHECK(forked == 5);  // the fork path ran (a fallback would pass the rest silently)
  auto e = open(opts(dir));
  CHECK(e->startup().skipped_checkpoints == 1);
  CHECK(e->startup().checkpoint_sequence == ck_seq);
  CHECK(e->startup().replayed == last - ck_seq);
  CHECK(e->state_info().hash == hash);
  e.reset();
  CHECK(open_full_replay(dir)->state_info().hash == hash);
}

TEST_CASE("forked and in-process checkpoints restore the same state") {
  testing::TempDir dir;
  std::string hash;
  for (bool forked : {true, false}) {
    CAPTURE(forked);
    testing::TempDir d;
    {
      auto e = open(opts(d));
      for (int i = 0; i < 50; ++i) put(*e, "/p" + std::to_string(i), std::to_string(i));
      REQUIRE(e->checkpoint(forked).is_ok());
      CHECK(e->last_checkpoint().forked == (forked ? 1u : 0u));
      e.reset();  // its shutdown checkpoint finds nothing new to write
    }
    auto e = open(opts(d));
    CHECK(e->startup().checkpoint_sequence == 50);
    CHECK(e->startup().replayed == 0);
    if (hash.empty()) hash = e->state_info().hash;
    CHECK(e->state_info().hash == hash);
    CHECK(get(*e, "/p49") == "49");
  }
}

TEST_CASE("automatic checkpoints follow CHECKPOINT_EVERY, asked for once each") {
  // A write past the threshold asks the maintenance thread once; after the
  // checkpoint the next write past it asks again (asking on every write woke
  // that thread per commit).
  testing::TempDir dir;
  auto e = open(opts(dir, /*checkpoint_every=*/5));
  auto wait_for = [&](uint64_t n) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (e->last_checkpoint().written < n && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    return e->last_checkpoint().written;
  };
  for (int i = 0; i < 6; ++i) put(*e, "/a" + std::to_string(i), "v");
  CHECK(wait_for(1) == 1);
  uint64_t first = e->last_checkpoint().sequence;
  CHECK(first >= 5);
  for (int i = 0; i < 6; ++i) put(*e, "/b" + std::to_string(i), "v");
  CHECK(wait_for(2) == 2);
  CHECK(e->last_checkpoint().sequence > first);
}

TEST_CASE("under DeferLogWrites commits wait for their caller to write them, as one group") {
  testing::TempDir dir;
  auto e = open(opts(dir));
  put(*e, "/warm", "x");
  // The ticket of "/warm" completes inside the write, before the writer lets
  // go: wait until it has, or write() below would leave the group to it.
  e->wait_log_idle();
  const uint64_t writes = e->log_writes();
  std::vector<std::shared_ptr<CommitTicket>> tickets;
  {
    DeferLogWrites defer;
    CHECK(DeferLogWrites::active());
    for (int i = 0; i < 3; ++i) {
      json::object in{{"Name", "/d" + std::to_string(i)}, {"Value", "v"}, {"Type", "String"}};
      ExecResult r = e->execute(*e->service("ssm"), "PutParameter", in, ctx());
      REQUIRE_FALSE(r.error);
      REQUIRE(r.commit);
      CHECK_FALSE(r.commit->ready());  // applied (readable) but not yet written
      tickets.push_back(r.commit);
    }
    CHECK(get(*e, "/d2") == "v");
    CHECK(e->log_writes() == writes);
    tickets.front()->write();  // the first waiter writes everyone's events
  }
  CHECK_FALSE(DeferLogWrites::active());
  for (auto& t : tickets) REQUIRE(t->ready().has_value());
  for (auto& t : tickets) CHECK(t->ready()->is_ok());
  CHECK(e->log_writes() == writes + 1);
  // Without the guard a commit is written before execute() returns.
  put(*e, "/after", "y");
  CHECK(e->log_writes() == writes + 2);
  // All of it is in the log: a full replay gives the same state.
  std::string hash = e->state_info().hash;
  e.reset();
  auto again = open_full_replay(dir);
  CHECK(again->state_info().hash == hash);
  CHECK(get(*again, "/d1") == "v");
}

TEST_CASE("a deferred commit's wait() writes it: no caller can hang on it") {
  testing::TempDir dir;
  auto e = open(opts(dir));
  std::shared_ptr<CommitTicket> t;
  {
    DeferLogWrites defer;
    json::object in{{"Name", "/w"}, {"Value", "v"}, {"Type", "String"}};
    t = e->execute(*e->service("ssm"), "PutParameter", in, ctx()).commit;
    REQUIRE(t);
    CHECK(t->wait().is_ok());
  }
}

TEST_CASE("with an fsync per group (PERSISTENCE_SYNC=1) the writer thread writes, deferred or not") {
  testing::TempDir dir;
  EngineOptions o = opts(dir);
  o.store.sync = true;
  auto e = open(o);
  put(*e, "/s", "1");  // wait() returns once the writer thread has written it
  std::shared_ptr<CommitTicket> t;
  {
    DeferLogWrites defer;
    json::object in{{"Name", "/s2"}, {"Value", "2"}, {"Type", "String"}};
    t = e->execute(*e->service("ssm"), "PutParameter", in, ctx()).commit;
    REQUIRE(t);
    t->write();  // no-op here: never an fsync on the caller's (I/O) thread
    CHECK(t->wait().is_ok());
  }
  std::string hash = e->state_info().hash;
  e.reset();
  auto r = open_full_replay(dir);
  CHECK(r->state_info().hash == hash);
  CHECK(get(*r, "/s2") == "2");
}

TEST_CASE("writers of two services: the engine's sequence is the newest applied, and a checkpoint is exactly its state") {
  testing::TempDir dir;
  std::string hash;
  {
    auto e = open(opts(dir));
    REQUIRE_FALSE(e->execute(*e->service("secretsmanager"), "CreateSecret",
                             json::object{{"Name", "s"}, {"SecretString", "0"}}, ctx()).error);
    constexpr int kEach = 400;
    std::thread ssm([&] {
      for (int i = 0; i < kEach; ++i) put(*e, "/p" + std::to_string(i), "v");
    });
    std::thread sm([&] {
      for (int i = 0; i < kEach; ++i) {
        ExecResult r = e->execute(*e->service("secretsmanager"), "PutSecretValue",
                                  json::object{{"SecretId", "s"}, {"SecretString", std::to_string(i)}}, ctx());
        REQUIRE_FALSE(r.error);
        REQUIRE(r.commit->wait().is_ok());
      }
    });
    ssm.join();
    sm.join();
    // Whichever writer finished last, every assigned event is applied.
    CHECK(e->last_sequence() == 1 + 2 * kEach);
    REQUIRE(e->checkpoint().is_ok());
    CHECK(e->last_checkpoint().sequence == 1 + 2 * kEach);
    hash = e->state_info().hash;
  }
  auto from_checkpoint = open(opts(dir));
  CHECK(from_checkpoint->state_info().hash == hash);
  from_checkpoint.reset();
  CHECK(open_full_replay(dir)->state_info().hash == hash);
}

namespace {
// The event at `seq`, as the log holds it.
std::string event_bytes(EventStore& store, uint64_t seq) {
  std::string out;
  REQUIRE(store.scan_events(seq, [&](uint64_t s, std::string_view b) {
    if (s == seq) out.assign(b);
    return false;
  }).is_ok());
  REQUIRE_FALSE(out.empty());
  return out;
}

// A byte-for-byte edit of a logged event: `from` becomes `to` (same length,
// so every length prefix stays right), as a damaged or hostile event would be.
std::string forge(std::string bytes, const std::string& from, const std::string& to) {
  REQUIRE(from.size() == to.size());
  size_t at = bytes.find(from);
  REQUIRE(at != std::string::npos);
  bytes.replace(at, from.size(), to);
  return bytes;
}
}  // namespace

// The invariant the log exists for: an event it acknowledged always replays.
// decide() here is handed a value the protocol layer would have refused
// (invalid UTF-8): the engine must refuse it before it is sequenced.
TEST_CASE("an event that would not replay is refused before it is logged, and nothing changes") {
  testing::TempDir dir;
  auto e = open(opts(dir));
  put(*e, "/kept", "1");
  std::string before = e->state_info().hash;
  json::object in{{"Name", "/bad"}, {"Value", "a\xff" "b"}, {"Type", "String"}};
  ExecResult r = e->execute(*e->service("ssm"), "PutParameter", in, ctx());
  REQUIRE(r.error);
  CHECK(r.error->status == 500);
  CHECK(r.error->message.find("would not replay") != std::string::npos);
  CHECK_FALSE(r.commit);
  CHECK(e->events_refused() == 1);
  CHECK(e->last_sequence() == 1);
  CHECK(get(*e, "/bad") == "<ParameterNotFound>");
  CHECK(e->state_info().hash == before);
  put(*e, "/after", "2");  // writes go on
  std::string live = e->state_info().hash;
  e.reset();
  auto replayed = open_full_replay(dir);
  CHECK(replayed->state_info().hash == live);
}

// An unreplayable event that reached the log anyway (an older podstack, a
// damaged file): startup names it and the way out; `log repair --drop`
// replaces that one event with a record of the repair and keeps the rest.
TEST_CASE("an unreplayable event stops startup with its name, and log repair drops only it") {
  testing::TempDir dir, expected_dir;
  std::string expected;
  {
    auto x = open(opts(expected_dir));
    put(*x, "/a", "1");
    put(*x, "/c", "3");
    expected = x->state_info().hash;
  }
  std::string forged;
  {
    auto e = open(opts(dir));
    put(*e, "/a", "1");
    put(*e, "/forge-me", "2");
    put(*e, "/c", "3");
    REQUIRE(e->close().is_ok());  // a checkpoint at 3, holding /forge-me
  }
  {
    StoreOptions so;
    so.path = dir / "log";
    auto store = EventStore::open(so);
    REQUIRE(store.is_ok());
    forged = forge(event_bytes(**store, 2), "e-me", "e-\xff\xfe");
    WriteBatchData b;
    b.events.emplace_back(2, forged);
    REQUIRE((*store)->write(b).is_ok());
  }
  SUBCASE("a checkpoint past it hides it from startup, not from a full replay") {
    EngineOptions o = opts(dir);
    o.ignore_checkpoints = true;
    auto full = Engine::open(o, make_services());
    REQUIRE_FALSE(full.is_ok());
    CHECK(full.status().message().find("event 2 (ssm.PutParameter)") != std::string::npos);
  }
  {
    StoreOptions so;
    so.path = dir / "log";
    auto store = EventStore::open(so);
    REQUIRE(store.is_ok());
    REQUIRE((*store)->prune_checkpoints(0).is_ok());
  }
  auto refused = Engine::open(opts(dir), make_services());
  REQUIRE_FALSE(refused.is_ok());
  const std::string& msg = refused.status().message();
  CHECK(msg.find("event 2 (ssm.PutParameter) cannot be applied") != std::string::npos);
  CHECK(msg.find("podstack log repair --drop 2") != std::string::npos);

  StoreOptions so;
  so.path = dir / "log";
  auto dropped = Engine::drop_event(so, 2, "test");
  REQUIRE_MESSAGE(dropped.is_ok(), dropped.status().to_string());
  CHECK(dropped->find("ssm.PutParameter") != std::string::npos);
  CHECK_FALSE(Engine::drop_event(so, 2, "again").is_ok());  // already a repair record
  CHECK(Engine::drop_event(so, 9, "none").status().code() == Status::Code::kNotFound);

  auto e = open(opts(dir));
  CHECK(e->state_info().hash == expected);
  CHECK(get(*e, "/a") == "1");
  CHECK(get(*e, "/c") == "3");
  CHECK(e->last_sequence() == 3);
  proto::Event tomb;
  REQUIRE(tomb.ParseFromString(event_bytes(e->store(), 2)));
  CHECK(tomb.service() == "podstack");
  CHECK(tomb.operation() == "EventDropped");
  proto::EventDropped body;
  REQUIRE(body.ParseFromString(tomb.payload()));
  CHECK(body.original() == forged);  // kept exactly, for whoever investigates
  CHECK(body.original_service() == "ssm");
  CHECK(e->summarize(tomb).find("dropped ssm.PutParameter") != std::string::npos);
  put(*e, "/d", "4");
  std::string live = e->state_info().hash;
  e.reset();
  CHECK(open_full_replay(dir)->state_info().hash == live);
}

// A full disk is an error, not a crash: below the reserve the engine refuses
// writes with 503 naming the data dir before RocksDB can meet ENOSPC, reads
// go on, and writes come back by themselves once there is room.
TEST_CASE("below the disk reserve writes answer 503 naming the data dir, reads go on, writes resume") {
  testing::TempDir dir;
  auto e = open(opts(dir));
  put(*e, "/kept", "1");
  e->store().set_reserve_for_testing(uint64_t(1) << 60);  // more than any disk has
  json::object in{{"Name", "/lost"}, {"Value", "x"}, {"Type", "String"}};
  ExecResult r = e->execute(*e->service("ssm"), "PutParameter", in, ctx());
  REQUIRE(r.error);
  CHECK(r.error->status == 503);
  CHECK(r.error->code == "ServiceUnavailable");
  CHECK(r.error->message.find(dir / "log") != std::string::npos);
  CHECK_FALSE(r.commit);
  CHECK(get(*e, "/kept") == "1");
  CHECK(e->last_sequence() == 1);
  CHECK(e->write_refusal().find("free-space reserve") != std::string::npos);
  CHECK(e->store().put_blob("k", "v").code() == Status::Code::kNoSpace);  // streamed bodies too
  CHECK(e->store().disk_state().refusals >= 2);
  CHECK(e->store().disk_state().low);
  e->store().set_reserve_for_testing(1);
  put(*e, "/after", "2");
  CHECK(e->write_refusal().empty());
  CHECK(e->last_sequence() == 2);
}

TEST_CASE("the in-memory store has no disk reserve") {
  EngineOptions o;
  o.store.in_memory = true;
  o.store.reserve_bytes = uint64_t(1) << 60;
  auto e = open(o);
  put(*e, "/a", "1");
  CHECK(e->store().disk_state().reserve_bytes == 0);
}

TEST_CASE("the id seed is an engine event: found again after a restart, from a checkpoint or by replay") {
  testing::TempDir dir;
  std::string hash;
  {
    auto e = open(opts(dir));
    CHECK_FALSE(e->seed());
    put(*e, "/a", "1");
    ExecResult r = e->record_seed(42, ctx());
    REQUIRE_FALSE(r.error);
    REQUIRE(r.commit->wait().is_ok());
    CHECK(e->seed() == 42u);
    put(*e, "/b", "2");
    hash = e->state_info().hash;
    REQUIRE(e->close().is_ok());  // a checkpoint at 3 that holds the seed, the event before it
  }
  {
    auto e = open_full_replay(dir);  // replay: the SeedSet event
    CHECK(e->startup().replayed == 3);
    CHECK(e->seed() == 42u);
  }
  {
    auto e = open(opts(dir));  // the checkpoint alone
    CHECK(e->startup().checkpoint_sequence == 3);
    CHECK(e->startup().replayed == 0);
    CHECK(e->seed() == 42u);
    CHECK(e->state_info().hash == hash);  // the seed is not service state
    ExecResult r = e->record_seed(7, ctx());
    REQUIRE(r.commit->wait().is_ok());
    CHECK(e->seed() == 7u);
  }
  CHECK(open(opts(dir))->seed() == 7u);
  CHECK(open_full_replay(dir)->seed() == 7u);
}
