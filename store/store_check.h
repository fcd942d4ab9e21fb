// Damage detection for the event store: what is wrong, named precisely.
//
//   check_store_files   before RocksDB opens a directory: a missing CURRENT,
//                       a CURRENT naming a missing MANIFEST, or a directory
//                       of foreign files, as one sentence with the way out
//                       (RocksDB's own errors name none of these; a missing
//                       CURRENT next to SSTs would even start a new, empty
//                       store over them).
//   StoreHealth         the store's list of current damage reports: what the
//                       WAL recovery dropped at open (RocksDB says so only in
//                       its info log), and table files whose checksums fail
//                       (verify(), on demand or on a low-priority thread).
//
// The header names RocksDB types only by declaration: store/ is the only
// code that includes rocksdb/, and event_store.h stays free of it.
#pragma once
#include "store/not_for_services.h"
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "base/status.h"

namespace rocksdb {
class DB;
class Logger;
struct DBOptions;
}  // namespace rocksdb

namespace podstack {

// Checks the files of the store directory `dir` before it is opened.
// ok: RocksDB may open (or, unless read_only, create) it. Otherwise one
// sentence: corruption (a store with a missing or dangling CURRENT) or
// invalid_argument (no store there, or files that are not a store).
Status check_store_files(const std::string& dir, bool read_only);

// One table file as verification saw it.
struct TableFileCheck {
  std::string path;
  std::string column_family;
  uint64_t bytes = 0;
  int level = 0;
  // events / checkpoints: the sequence range the file holds (keys are big-endian u64).
  uint64_t first_sequence = 0, last_sequence = 0;
  std::string error;  // empty: its checksums match
};

struct VerifyReport {
  std::vector<TableFileCheck> files;  // every live table file, in column family then level order
  size_t damaged = 0;
  uint64_t bytes = 0;
  double seconds = 0;
  bool stopped = false;  // stop requested before every file was read
};

// What a damaged file means, as one sentence (the problems() entry).
std::string describe_damage(const TableFileCheck& f);

// What WAL recovery dropped at open, from RocksDB's info log (its reporter
// prints "<wal>: dropping N bytes; <reason>", and stops replay there with
// kPointInTimeRecovery; see db/db_impl/db_impl_open.cc, RecoverLogFiles).
struct WalRecoveryNotes {
  std::vector<std::string> files;  // WAL files with dropped bytes, in order
  uint64_t dropped_bytes = 0;
  std::string reason;              // the first reason RocksDB gave
  std::string recovered_to;        // "log #N seq #M" (RocksDB's numbers), if it said
};

// The one sentence for a WAL recovery that dropped bytes; empty when none.
std::string describe_wal_recovery(const WalRecoveryNotes& notes, uint64_t last_event, bool sync);

struct RecoveryCapture;

class StoreHealth {
 public:
  StoreHealth();
  ~StoreHealth();  // stops the verification thread
  StoreHealth(const StoreHealth&) = delete;
  StoreHealth& operator=(const StoreHealth&) = delete;

  // The info log to give RocksDB for the open: it forwards to RocksDB's
  // usual LOG file (none when read_only, as RocksDB itself does) and keeps
  // the recovery lines until open_finished().
  std::shared_ptr<rocksdb::Logger> recovery_logger(const std::string& dir, const rocksdb::DBOptions& options,
                                                   bool read_only);
  // After the open: turns what recovery dropped into a problem.
  void open_finished(uint64_t last_event, bool sync);

  std::vector<std::string> problems() const;
  // Adds (or, for the same key, replaces) a problem.
  void report(const std::string& key, const std::string& sentence);
  uint64_t checksum_failures() const { return checksum_failures_.load(std::memory_order_relaxed); }

  // Verifies every live table file of `db` (block checksums, read past the
  // block cache). Each damaged file not seen before becomes a problem and
  // counts once in checksum_failures(). Stops early when stop_ is set.
  Result<VerifyReport> verify(rocksdb::DB& db);
  // Runs verify() on a thread of its own at idle CPU and I/O priority: now,
  // then every `interval`. `on_problem` gets each new problem's sentence.
  void start(rocksdb::DB& db, std::chrono::seconds interval, std::function<void(const std::string&)> on_problem);
  void stop();

 private:
  mutable std::mutex mu_;
  std::vector<std::pair<std::string, std::string>> problems_;  // key (file path, "wal") -> sentence
  std::atomic<uint64_t> checksum_failures_{0};
  std::shared_ptr<RecoveryCapture> capture_;
  bool other_writer_ = false;  // a read-only open next to a running server

  std::mutex thread_mu_;
  std::condition_variable thread_cv_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace podstack
