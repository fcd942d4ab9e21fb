// A damaged store is reported, precisely (store/store_check.h): missing or
// foreign files before the open, what WAL recovery dropped, table files
// whose checksums fail.
#include "store/store_check.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>

#include "../temp_dir.h"
#include "store/event_store.h"

using namespace podstack;
namespace fs = std::filesystem;

namespace {

// One event per write, each `size` bytes that do not compress (so a table
// file has a data block per few events): one WAL record each.
void write_events(EventStore& store, uint64_t from, uint64_t to, size_t size = 100) {
  std::mt19937_64 rng(from);
  for (uint64_t s = from; s <= to; ++s) {
    WriteBatchData b;
    std::string v(size, '\0');
    for (auto& c : v) c = static_cast<char>(rng());
    b.events.emplace_back(s, std::move(v));
    REQUIRE(store.write(b).is_ok());
  }
}

std::vector<std::string> files_with(const std::string& dir, const std::string& suffix_or_prefix, bool prefix = false) {
  std::vector<std::string> out;
  for (auto& e : fs::directory_iterator(dir)) {
    std::string n = e.path().filename().string();
    if (prefix ? n.rfind(suffix_or_prefix, 0) == 0
               : n.size() >= suffix_or_prefix.size() && n.compare(n.size() - suffix_or_prefix.size(), suffix_or_prefix.size(), suffix_or_prefix) == 0)
      out.push_back(e.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

void flip_byte(const std::string& path, std::streamoff at) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  REQUIRE(f.good());
  f.seekg(at);
  char c = 0;
  f.read(&c, 1);
  c = static_cast<char>(c ^ 0x5a);
  f.seekp(at);
  f.write(&c, 1);
}

// A store whose events are in a table file: reopening read-write flushes
// what WAL recovery read into L0.
void make_store_with_table(const std::string& dir, uint64_t events) {
  {
    auto store = EventStore::open({dir});
    REQUIRE(store.is_ok());
    write_events(**store, 1, events);
  }
  auto store = EventStore::open({dir});
  REQUIRE(store.is_ok());
}

// The one events table file of a store made by make_store_with_table (an
// intact store: verify() finds it).
std::string events_table(const std::string& dir) {
  auto store = EventStore::open({dir});
  REQUIRE(store.is_ok());
  auto r = (*store)->verify();
  REQUIRE(r.is_ok());
  std::string file;
  for (auto& f : r->files)
    if (f.column_family == "events") file = f.path;
  REQUIRE(!file.empty());
  return file;
}

}  // namespace

TEST_CASE("store files: an empty or new directory opens, read-only needs a store") {
  testing::TempDir tmp;
  CHECK(check_store_files(tmp / "log", false).is_ok());
  Status ro = check_store_files(tmp / "log", true);
  CHECK(ro.code() == Status::Code::kInvalidArgument);
  CHECK(contains(ro.message(), "no event store at"));
  fs::create_directories(tmp / "log");
  CHECK(check_store_files(tmp / "log", false).is_ok());
}

TEST_CASE("store files: a missing CURRENT names the newest MANIFEST, and restoring it as told works") {
  testing::TempDir tmp;
  std::string dir = tmp / "log";
  {
    auto store = EventStore::open({dir});
    REQUIRE(store.is_ok());
    write_events(**store, 1, 20);
  }
  auto manifests = files_with(dir, "MANIFEST-", true);
  REQUIRE(!manifests.empty());
  std::string newest = fs::path(manifests.back()).filename().string();
  fs::remove(dir + "/CURRENT");

  auto store = EventStore::open({dir});
  REQUIRE(!store.is_ok());
  CHECK(store.status().code() == Status::Code::kCorruption);
  CHECK(contains(store.status().message(), dir + "/CURRENT is missing"));
  CHECK(contains(store.status().message(), "echo " + newest + " > " + dir + "/CURRENT"));
  // The offline (read-only) open says the same.
  StoreOptions ro{dir};
  ro.read_only = true;
  CHECK(EventStore::open(ro).status().code() == Status::Code::kCorruption);

  std::ofstream(dir + "/CURRENT") << newest << "\n";
  auto again = EventStore::open({dir});
  REQUIRE(again.is_ok());
  CHECK((*again)->last_sequence() == 20);
}

TEST_CASE("store files: CURRENT naming a missing MANIFEST, and CURRENT holding something else") {
  testing::TempDir tmp;
  std::string dir = tmp / "log";
  { REQUIRE(EventStore::open({dir}).is_ok()); }
  std::ofstream(dir + "/CURRENT", std::ios::trunc) << "MANIFEST-999999\n";
  Status st = check_store_files(dir, false);
  CHECK(st.code() == Status::Code::kCorruption);
  CHECK(contains(st.message(), "CURRENT names MANIFEST-999999, which is missing"));
  CHECK(contains(st.message(), "echo MANIFEST-"));

  std::ofstream(dir + "/CURRENT", std::ios::trunc) << "hello\n";
  st = check_store_files(dir, false);
  CHECK(st.code() == Status::Code::kCorruption);
  CHECK(contains(st.message(), "does not name a MANIFEST"));
}

TEST_CASE("store files: table files without CURRENT or MANIFEST, and foreign files") {
  testing::TempDir tmp;
  std::string dir = tmp / "log";
  fs::create_directories(dir);
  std::ofstream(dir + "/000012.sst") << "x";
  Status st = check_store_files(dir, false);
  CHECK(st.code() == Status::Code::kCorruption);
  CHECK(contains(st.message(), "000012.sst"));

  std::string other = tmp / "other";
  fs::create_directories(other);
  std::ofstream(other + "/syslog") << "x";
  std::ofstream(other + "/app.log") << "x";  // not RocksDB's <number>.log
  auto store = EventStore::open({other});
  REQUIRE(!store.is_ok());
  CHECK(store.status().code() == Status::Code::kInvalidArgument);
  CHECK(contains(store.status().message(), "not an event store (app.log, syslog)"));
  CHECK(!fs::exists(other + "/CURRENT"));  // nothing was created next to them
}

TEST_CASE("store files: OPTIONS files are not needed to open") {
  testing::TempDir tmp;
  std::string dir = tmp / "log";
  {
    auto store = EventStore::open({dir});
    REQUIRE(store.is_ok());
    write_events(**store, 1, 5);
  }
  for (auto& f : files_with(dir, "OPTIONS-", true)) fs::remove(f);
  auto store = EventStore::open({dir});
  REQUIRE(store.is_ok());
  CHECK((*store)->last_sequence() == 5);
  CHECK((*store)->problems().empty());
}

TEST_CASE("WAL recovery: a truncated tail is one problem naming the last event kept and the bytes dropped") {
  testing::TempDir tmp;
  std::string dir = tmp / "log";
  {
    auto store = EventStore::open({dir});
    REQUIRE(store.is_ok());
    write_events(**store, 1, 50, 1000);
    CHECK((*store)->problems().empty());
  }
  auto logs = files_with(dir, ".log");
  REQUIRE(!logs.empty());
  // Cut into the last record (event 50, 1000 bytes of value).
  fs::resize_file(logs.back(), fs::file_size(logs.back()) - 500);

  auto store = EventStore::open({dir});
  REQUIRE(store.is_ok());
  CHECK((*store)->last_sequence() == 49);
  auto problems = (*store)->problems();
  REQUIRE(problems.size() == 1);
  CHECK(contains(problems[0], "the write-ahead log " + logs.back() + " ends in a torn or damaged record"));
  CHECK(contains(problems[0], "kept the log up to event 49"));
  CHECK(contains(problems[0], "recovery discarded "));
  CHECK(!contains(problems[0], "discarded 0 bytes"));
  // RocksDB's LOG file is still written (the capture forwards to it).
  CHECK(fs::exists(dir + "/LOG"));
}

TEST_CASE("WAL recovery: a clean reopen reports nothing") {
  testing::TempDir tmp;
  std::string dir = tmp / "log";
  {
    auto store = EventStore::open({dir});
    REQUIRE(store.is_ok());
    write_events(**store, 1, 50, 1000);
  }
  auto store = EventStore::open({dir});
  REQUIRE(store.is_ok());
  CHECK((*store)->last_sequence() == 50);
  CHECK((*store)->problems().empty());
}

TEST_CASE("verify: an intact store passes, a flipped byte in an events table names the file and its sequences") {
  testing::TempDir tmp;
  std::string dir = tmp / "log";
  make_store_with_table(dir, 300);
  std::string events_file;
  {
    auto store = EventStore::open({dir});
    REQUIRE(store.is_ok());
    auto r = (*store)->verify();
    REQUIRE(r.is_ok());
    CHECK(r->damaged == 0);
    for (auto& f : r->files)
      if (f.column_family == "events") {
        events_file = f.path;
        CHECK(f.first_sequence == 1);
        CHECK(f.last_sequence == 300);
      }
    CHECK((*store)->problems().empty());
    CHECK((*store)->checksum_failures() == 0);
  }
  REQUIRE(!events_file.empty());
  // A data block in the middle (300 x 100 random bytes: ~8 blocks of 4 KiB
  // from offset 0, then index, properties and footer, ~2 KiB).
  flip_byte(events_file, static_cast<std::streamoff>(fs::file_size(events_file) / 2));

  auto store = EventStore::open({dir});
  REQUIRE(store.is_ok());  // data blocks are not read at open
  auto r = (*store)->verify();
  REQUIRE(r.is_ok());
  CHECK(r->damaged == 1);
  auto problems = (*store)->problems();
  REQUIRE(problems.size() == 1);
  CHECK(contains(problems[0], events_file + " (events 1-300) fails verification"));
  CHECK(contains(problems[0], "checksum mismatch"));
  CHECK((*store)->checksum_failures() == 1);
  // Found again: still one problem, still counted once.
  REQUIRE((*store)->verify().is_ok());
  CHECK((*store)->problems().size() == 1);
  CHECK((*store)->checksum_failures() == 1);
}

TEST_CASE("verify: the background thread reports damage once, and stops with the store") {
  testing::TempDir tmp;
  std::string dir = tmp / "log";
  make_store_with_table(dir, 100);
  std::string events_file = events_table(dir);
  flip_byte(events_file, static_cast<std::streamoff>(fs::file_size(events_file) / 2));
  auto store = EventStore::open({dir});
  REQUIRE(store.is_ok());
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::string> reported;
  (*store)->start_verification(std::chrono::seconds(3600), [&](const std::string& p) {
    std::lock_guard lk(mu);
    reported.push_back(p);
    cv.notify_all();
  });
  std::unique_lock lk(mu);
  REQUIRE(cv.wait_for(lk, std::chrono::seconds(30), [&] { return !reported.empty(); }));
  CHECK(reported.size() == 1);
  CHECK(contains(reported[0], events_file));
  CHECK((*store)->checksum_failures() == 1);
  lk.unlock();
  (*store).reset();  // the destructor stops the thread mid-wait (this test would hang otherwise)
}

TEST_CASE("verify: a damaged first block refuses a writer, and a reader still names the file") {
  testing::TempDir tmp;
  std::string dir = tmp / "log";
  make_store_with_table(dir, 300);
  std::string events_file = events_table(dir);
  flip_byte(events_file, 20);  // the first data block: open reads it to find the first event

  auto writer = EventStore::open({dir});
  REQUIRE(!writer.is_ok());
  CHECK(writer.status().code() == Status::Code::kCorruption);
  CHECK(contains(writer.status().message(), "the first and last events cannot be read"));
  CHECK(contains(writer.status().message(), events_file));
  CHECK(contains(writer.status().message(), "podstack store verify"));

  StoreOptions ro{dir};
  ro.read_only = true;
  auto reader = EventStore::open(ro);
  REQUIRE(reader.is_ok());
  auto r = (*reader)->verify();
  REQUIRE(r.is_ok());
  CHECK(r->damaged == 1);
  auto problems = (*reader)->problems();
  REQUIRE(problems.size() == 2);
  CHECK(contains(problems[1], events_file + " (events 1-300) fails verification"));
}

TEST_CASE("WAL recovery: the sentence says what PERSISTENCE_SYNC makes of a torn tail") {
  WalRecoveryNotes notes;
  CHECK(describe_wal_recovery(notes, 7, false).empty());
  notes.files = {"/d/log/000004.log"};
  notes.dropped_bytes = 812;
  notes.reason = "Corruption: truncated record body";
  std::string relaxed = describe_wal_recovery(notes, 472, false);
  CHECK(relaxed ==
        "the write-ahead log /d/log/000004.log ends in a torn or damaged record: recovery discarded 812 bytes there "
        "(Corruption: truncated record body) and kept the log up to event 472; whatever was written after that is lost "
        "(with PERSISTENCE_SYNC=0, writes not yet on disk when the machine stopped are lost by design)");
  CHECK(contains(describe_wal_recovery(notes, 472, true), "with PERSISTENCE_SYNC=1 only the group commit in flight"));
}
