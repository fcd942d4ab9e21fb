// The event log on RocksDB.
//
// Column families (keys are big-endian u64 sequence numbers, so RocksDB's
// bytewise order is log order):
//
//   events       seq -> podstack.proto.Event
//   blobs        blob id (+ chunk) -> bytes      (S3 bodies, pod payloads)
//   checkpoints  seq -> zstd(podstack.proto.StateSnapshot)
//   meta         name -> value   ("format", "instance_id", "last_pod", ...)
//
// A store whose `meta/format` is newer than kStoreFormat is refused with
// Status::unsupported_version: never a silent misread. With in_memory the
// same code runs on rocksdb's MemEnv, so PERSISTENCE=0 takes the exact
// commit path of PERSISTENCE=1.
#pragma once
#include "store/not_for_services.h"
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "store/store_check.h"

namespace podstack {

inline constexpr uint32_t kStoreFormat = 1;

struct StoreOptions {
  std::string path;
  bool in_memory = false;
  bool sync = false;        // fsync the WAL on every group commit
  bool read_only = false;   // offline inspection (CLI); never writes
  // Free space kept in reserve on the store's file system (persistent
  // stores): below it, writes fail with Status::no_space before RocksDB ever
  // meets ENOSPC (see DiskGuard in event_store.cpp). 0: no reserve.
  uint64_t reserve_bytes = 64ull << 20;
};

// What the store knows of its file system and of RocksDB's background
// errors, for health and metrics.
struct StoreDiskState {
  uint64_t free_bytes = 0;       // available to podstack as of the last check
  uint64_t reserve_bytes = 0;
  uint64_t unflushed_bytes = 0;  // memtables a flush will still write
  bool low = false;              // writes refused for want of space
  uint64_t refusals = 0;         // writes refused so far
  std::string background_error;  // RocksDB's, while it stands ("" when none)
  uint64_t background_errors = 0;  // seen since open
  uint64_t resumes = 0;            // successful recoveries since open
};

struct WriteBatchData {
  std::vector<std::pair<uint64_t, std::string>> events;
  std::optional<std::pair<uint64_t, std::string>> checkpoint;
  std::vector<std::pair<std::string, std::string>> meta;
  std::vector<std::pair<std::string, std::string>> blobs;  // key -> bytes, in the same atomic write
};

class EventStore {
 public:
  static Result<std::unique_ptr<EventStore>> open(const StoreOptions& options);
  ~EventStore();
  EventStore(const EventStore&) = delete;
  EventStore& operator=(const EventStore&) = delete;

  // One atomic RocksDB write: returns once it is in the WAL (and fsynced
  // when StoreOptions::sync).
  Status write(const WriteBatchData& batch);

  // Highest sequence in the `events` column family (0 when empty).
  uint64_t last_sequence() const;
  uint64_t first_sequence() const;

  // Visits events with sequence >= from, in order, until visit returns false.
  Status scan_events(uint64_t from, const std::function<bool(uint64_t, std::string_view)>& visit) const;
  // Visits checkpoints newest first until visit returns false.
  Status scan_checkpoints_desc(const std::function<bool(uint64_t, std::string_view)>& visit) const;
  // Repair (`podstack log repair`): puts `bytes` in place of the event at
  // `seq` and deletes every checkpoint at or after `seq` (they hold the old
  // event's effects), in one fsynced write.
  Status rewrite_event(uint64_t seq, std::string_view bytes);
  // Removes all but the newest `keep` checkpoints.
  Status prune_checkpoints(size_t keep);
  // Test hook: overwrite a checkpoint's bytes (to simulate corruption).
  Status put_checkpoint_raw(uint64_t seq, std::string_view bytes);

  // Approximate bytes per column family (SST + blob files + memtables), for metrics.
  std::vector<std::pair<std::string, uint64_t>> column_family_bytes() const;

  Result<std::string> get_meta(std::string_view name) const;
  Result<std::string> get_blob(std::string_view key) const;
  // Streamed bodies (S3): chunks are written outside the group commit, WAL
  // on but not fsynced; the commit of the event that references them fsyncs
  // the WAL, which covers every earlier write, so an acknowledged object is
  // durable with its body. Chunks no event references are deleted by range.
  Status put_blob(std::string_view key, std::string_view bytes);
  Status delete_blob_range(std::string_view begin, std::string_view end);
  // Small unsynced meta entries (S3's pending-upload markers) and their removal.
  Status put_meta(std::string_view name, std::string_view value);
  Status delete_meta(std::string_view name);
  Status scan_meta(std::string_view prefix, const std::function<bool(std::string_view, std::string_view)>& visit) const;
  // Many entries in one write (not synced; see put_blob).
  Status put_blobs(const std::vector<std::pair<std::string_view, std::string_view>>& entries);
  // Bulk load of blob entries (a pod's S3 bodies), see BlobLoader.
  class BlobLoader;
  Result<std::unique_ptr<BlobLoader>> load_blobs();
  // Visits every entry under each of `prefixes` (sorted), with one iterator,
  // until visit returns false.
  Status scan_blobs(const std::vector<std::string>& prefixes,
                    const std::function<bool(std::string_view key, std::string_view value)>& visit) const;
  // Visits blob keys (not values) with `prefix`, in order, until visit returns false.
  Status scan_blob_keys(std::string_view prefix, const std::function<bool(std::string_view)>& visit) const;
  // Free-space guard: ok when a write of about `bytes` leaves the reserve
  // untouched, else Status::no_space naming the directory. Cheap: the file
  // system is asked at most every 100 ms or when the estimate runs out.
  Status admit_write(uint64_t bytes);
  // After a failed write: ok once the store takes writes again. Re-reads
  // the free space and, when it is above the reserve, asks RocksDB to resume
  // from a background error (DB::Resume). no_space while still short.
  Status try_resume();
  StoreDiskState disk_state() const;
  // Test hook: change the free-space reserve of an open store.
  void set_reserve_for_testing(uint64_t bytes);
  // Test hook: make every write fail with an I/O error (fail-stop tests).
  void fail_writes_for_testing(bool fail) { fail_writes_ = fail; }
  // Test hook: hold RocksDB's flushes and compactions back (a flush slower
  // than the writes, without timing); meanwhile a write that RocksDB would
  // stop until a flush ends fails instead of waiting forever.
  Status hold_flushes_for_testing(bool hold);
  const std::string& path() const { return options_.path; }
  bool in_memory() const { return options_.in_memory; }

  // Damage found in the store (store/store_check.h), one sentence each:
  // what WAL recovery dropped at open, table files whose checksums fail.
  // Thread-safe; a report stays until the process exits.
  std::vector<std::string> problems() const;
  // Distinct damaged table files found so far (for metrics).
  uint64_t checksum_failures() const;
  // Reads every live table file and checks its block checksums, now.
  Result<VerifyReport> verify();
  // verify() on a background thread at idle priority: now, then every
  // `interval` (0: never). `report` gets each new problem's sentence.
  void start_verification(std::chrono::seconds interval, std::function<void(const std::string&)> report);

 private:
  struct Impl;
  explicit EventStore(StoreOptions o);
  rocksdb::DB& rocks() const;
  StoreOptions options_;
  std::unique_ptr<Impl> impl_;
  std::atomic<bool> fail_writes_{false};
  // Declared after impl_, so destroyed first: its thread reads the DB.
  std::unique_ptr<StoreHealth> health_;
};

// Writes blob entries straight into table files (SstFileWriter), past the
// WAL, the memtable and its flushes (which would write each byte twice and
// checksum it with RocksDB's portable CRC32C, the slowest step of a load),
// then adds them to the blobs column family in one atomic, durable step
// (IngestExternalFile). Until commit() nothing of them is in the store: a
// crash leaves only files in the loader's directory, removed at the next
// open. Entries arrive in key order; one out of order (never from a pod
// podstack wrote) goes through the memtable and is flushed by commit().
class EventStore::BlobLoader {
 public:
  ~BlobLoader();
  Status add(std::string_view key, std::string_view value);
  // Durable on return (the files and the MANIFEST are fsynced).
  Status commit();

 private:
  friend class EventStore;
  explicit BlobLoader(EventStore& store);
  Status finish_file();
  EventStore& store_;
  struct State;
  std::unique_ptr<State> st_;
};

std::string encode_seq(uint64_t seq);
uint64_t decode_seq(std::string_view key);

}  // namespace podstack
