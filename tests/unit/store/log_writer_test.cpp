#include "store/log_writer.h"

#include <doctest/doctest.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "../temp_dir.h"

using namespace podstack;

TEST_CASE("group commit: concurrent submissions share one WriteBatch, in submission order") {
  testing::TempDir dir;
  auto store = EventStore::open({dir / "log"});
  REQUIRE(store.is_ok());
  LogWriter writer(**store, /*start_paused=*/true);

  // Submissions are sequenced under one mutex, like the engine's sequencer.
  std::mutex seq_mu;
  uint64_t next = 0;
  std::atomic<int> acked{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) {
        std::lock_guard lk(seq_mu);
        ++next;
        writer.submit({{next, "e" + std::to_string(next)}}, [&](const Status& s) {
          CHECK(s.is_ok());
          ++acked;
        });
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(acked == 0);  // nothing is acknowledged before it is written
  writer.resume();
  REQUIRE(writer.flush().is_ok());
  CHECK(acked == 400);
  CHECK(writer.batches_written() <= 2);  // the 400 events (and perhaps the flush marker): one group
  uint64_t expect = 1;
  REQUIRE((*store)->scan_events(1, [&](uint64_t seq, std::string_view v) {
                    CHECK(seq == expect);
                    CHECK(v == "e" + std::to_string(seq));
                    ++expect;
                    return true;
                  }).is_ok());
  CHECK(expect == 401);
}

TEST_CASE("a checkpoint submitted after events is written with or after them") {
  testing::TempDir dir;
  auto store = EventStore::open({dir / "log"});
  REQUIRE(store.is_ok());
  LogWriter writer(**store);
  writer.submit({{1, "a"}, {2, "b"}}, nullptr);
  writer.submit_checkpoint(2, "snapshot", nullptr);
  REQUIRE(writer.flush().is_ok());
  uint64_t ckpt = 0;
  REQUIRE((*store)->scan_checkpoints_desc([&](uint64_t s, std::string_view v) {
                    ckpt = s;
                    CHECK(v == "snapshot");
                    return false;
                  }).is_ok());
  CHECK(ckpt == 2);
  CHECK((*store)->last_sequence() == 2);
}

TEST_CASE("inline drain: an idle writer is led by the submitter's own thread") {
  testing::TempDir dir;
  auto store = EventStore::open({dir / "log"});
  REQUIRE(store.is_ok());
  LogWriter writer(**store);
  std::thread::id ran_on;
  bool done = false;
  writer.submit({{1, "e1"}}, [&](const Status& s) {
    CHECK(s.is_ok());
    ran_on = std::this_thread::get_id();
    done = true;
  }, {}, /*drain_inline=*/true);
  writer.drain();
  // Written and acknowledged before drain() returned, on this thread.
  CHECK(done);
  CHECK(ran_on == std::this_thread::get_id());
  CHECK((*store)->last_sequence() == 1);
}

TEST_CASE("inline drain under contention: every event written once, acknowledged in log order") {
  testing::TempDir dir;
  auto store = EventStore::open({dir / "log"});
  REQUIRE(store.is_ok());
  LogWriter writer(**store);
  std::mutex seq_mu, ack_mu;
  uint64_t next = 0;
  std::vector<uint64_t> acks;
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 300; ++i) {
        {
          std::lock_guard lk(seq_mu);
          uint64_t seq = ++next;
          writer.submit({{seq, "e" + std::to_string(seq)}}, [&, seq](const Status& s) {
            CHECK(s.is_ok());
            std::lock_guard a(ack_mu);
            acks.push_back(seq);
          }, {}, /*drain_inline=*/(i % 3) != 0);  // some via the writer thread
        }
        writer.drain();
      }
    });
  }
  for (auto& t : threads) t.join();
  REQUIRE(writer.flush().is_ok());
  REQUIRE(acks.size() == 1800);
  for (size_t i = 0; i < acks.size(); ++i) REQUIRE(acks[i] == i + 1);
  CHECK((*store)->last_sequence() == 1800);
}
