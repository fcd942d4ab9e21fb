#include "store/event_store.h"

#include <doctest/doctest.h>

#include "../temp_dir.h"

using namespace podstack;

namespace {
WriteBatchData events(uint64_t from, uint64_t to) {
  WriteBatchData b;
  for (uint64_t s = from; s <= to; ++s) b.events.emplace_back(s, "event-" + std::to_string(s));
  return b;
}
}  // namespace

TEST_CASE("sequence keys sort in log order") {
  CHECK(encode_seq(1) < encode_seq(2));
  CHECK(encode_seq(255) < encode_seq(256));
  CHECK(encode_seq(0xffffffff) < encode_seq(0x100000000ull));
  CHECK(decode_seq(encode_seq(123456789012345ull)) == 123456789012345ull);
}

TEST_CASE("appended events come back in order after reopening") {
  testing::TempDir dir;
  {
    auto store = EventStore::open({dir / "log"});
    REQUIRE(store.is_ok());
    REQUIRE((*store)->write(events(1, 300)).is_ok());
    CHECK((*store)->last_sequence() == 300);
  }
  auto store = EventStore::open({dir / "log"});
  REQUIRE(store.is_ok());
  CHECK((*store)->last_sequence() == 300);
  CHECK((*store)->first_sequence() == 1);
  std::vector<uint64_t> seen;
  REQUIRE((*store)->scan_events(250, [&](uint64_t seq, std::string_view v) {
                    CHECK(v == "event-" + std::to_string(seq));
                    seen.push_back(seq);
                    return true;
                  }).is_ok());
  REQUIRE(seen.size() == 51);
  CHECK(seen.front() == 250);
  CHECK(seen.back() == 300);
}

TEST_CASE("in-memory store runs the same code and keeps nothing on disk") {
  StoreOptions o;
  o.in_memory = true;
  auto store = EventStore::open(o);
  REQUIRE(store.is_ok());
  REQUIRE((*store)->write(events(1, 5)).is_ok());
  CHECK((*store)->last_sequence() == 5);
}

TEST_CASE("writes go on while a full memtable's flush is behind them") {
  // 64 MiB of events fill the events memtable and its flush is held back (a
  // slow flush on a busy machine). The log written meanwhile passes
  // max_total_wal_size and RocksDB switches the fresh memtable too: with room
  // for only two memtables every write stopped until the flush ended.
  testing::TempDir dir;
  auto store = EventStore::open({dir / "log"});
  REQUIRE(store.is_ok());
  EventStore& s = **store;
  REQUIRE(s.hold_flushes_for_testing(true).is_ok());
  const std::string body(64 << 10, 'e');
  uint64_t seq = 0;
  for (int mib = 0; mib < 80; ++mib) {  // the memtable fills at 64; 16 MiB more arrive during its flush
    WriteBatchData b;
    for (int i = 0; i < 16; ++i) b.events.emplace_back(++seq, body);
    Status st = s.write(b);
    REQUIRE_MESSAGE(st.is_ok(), "MiB ", mib, ": ", st.to_string());
  }
  REQUIRE(s.hold_flushes_for_testing(false).is_ok());
  CHECK(s.last_sequence() == seq);
}

TEST_CASE("checkpoints are listed newest first and pruned to the newest N") {
  testing::TempDir dir;
  auto store = EventStore::open({dir / "log"});
  REQUIRE(store.is_ok());
  for (uint64_t s : {10, 20, 30}) {
    WriteBatchData b = events(s - 9, s);
    b.checkpoint = std::make_pair(s, "ckpt-" + std::to_string(s));
    REQUIRE((*store)->write(b).is_ok());
  }
  REQUIRE((*store)->prune_checkpoints(2).is_ok());
  std::vector<uint64_t> seqs;
  REQUIRE((*store)->scan_checkpoints_desc([&](uint64_t s, std::string_view) {
                    seqs.push_back(s);
                    return true;
                  }).is_ok());
  CHECK(seqs == std::vector<uint64_t>{30, 20});
}

TEST_CASE("a store written by a newer format is refused with a clear error") {
  testing::TempDir dir;
  {
    auto store = EventStore::open({dir / "log"});
    REQUIRE(store.is_ok());
    WriteBatchData b;
    b.meta.emplace_back("format", "99");
    REQUIRE((*store)->write(b).is_ok());
  }
  auto store = EventStore::open({dir / "log"});
  REQUIRE_FALSE(store.is_ok());
  CHECK(store.status().code() == Status::Code::kUnsupportedVersion);
  CHECK(store.status().message().find("format 99") != std::string::npos);
}

TEST_CASE("a second writer on the same directory is refused, a read-only reader is not") {
  testing::TempDir dir;
  auto first = EventStore::open({dir / "log"});
  REQUIRE(first.is_ok());
  REQUIRE((*first)->write(events(1, 3)).is_ok());
  auto second = EventStore::open({dir / "log"});
  CHECK_FALSE(second.is_ok());
  StoreOptions ro;
  ro.path = dir / "log";
  ro.read_only = true;
  auto reader = EventStore::open(ro);
  REQUIRE(reader.is_ok());
  CHECK((*reader)->last_sequence() == 3);
}
