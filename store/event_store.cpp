#include "store/event_store.h"

#include <rocksdb/db.h>
#include <rocksdb/listener.h>
#include <rocksdb/table.h>
#include <rocksdb/env.h>
#include <rocksdb/options.h>
#include <rocksdb/sst_file_writer.h>
#include <rocksdb/utilities/options_util.h>
#include <rocksdb/write_batch.h>

#include <sys/statvfs.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <random>

namespace podstack {
namespace {
constexpr const char* kCfNames[] = {"default", "events", "blobs", "checkpoints", "meta"};
enum Cf { kDefault = 0, kEvents, kBlobs, kCheckpoints, kMeta, kCfCount };
// Where a BlobLoader writes its table files: inside the store's directory
// (same file system, so ingestion links them), in a subdirectory RocksDB
// does not look into.
constexpr const char* kLoadDir = "blob-load";
// A table file per this many bytes: several files are ingested together.
constexpr uint64_t kLoadFileBytes = 256ull << 20;

Status from_rocks(const rocksdb::Status& s) {
  if (s.ok()) return Status::ok();
  if (s.IsNotFound()) return Status::not_found(s.ToString());
  if (s.IsNoSpace()) return Status::no_space(s.ToString());  // 503 at the edge, like the reserve
  if (s.IsCorruption()) return Status::corruption(s.ToString());
  if (s.IsBusy() || s.IsTimedOut() || s.IsTryAgain()) return Status::busy(s.ToString());
  if (s.IsInvalidArgument()) return Status::invalid_argument(s.ToString());
  return Status::io_error(s.ToString());
}
}  // namespace

std::string encode_seq(uint64_t seq) {
  std::string k(8, '\0');
  for (int i = 7; i >= 0; --i) {
    k[i] = static_cast<char>(seq & 0xff);
    seq >>= 8;
  }
  return k;
}

uint64_t decode_seq(std::string_view key) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8 && i < key.size(); ++i) v = (v << 8) | static_cast<unsigned char>(key[i]);
  return v;
}

// RocksDB's background errors (a flush or compaction that met ENOSPC, a
// WAL write that failed): while one stands, RocksDB refuses every write with
// it, until DB::Resume() (EventStore::try_resume) or its own recovery.
struct BackgroundErrors {
  std::mutex mu;
  std::string current;  // guarded by mu
  std::atomic<uint64_t> seen{0};
  std::atomic<uint64_t> resumes{0};
};

class ErrorListener : public rocksdb::EventListener {
 public:
  explicit ErrorListener(std::shared_ptr<BackgroundErrors> e) : e_(std::move(e)) {}
  void OnBackgroundError(rocksdb::BackgroundErrorReason, rocksdb::Status* bg_error) override {
    e_->seen.fetch_add(1, std::memory_order_relaxed);
    std::lock_guard lk(e_->mu);
    e_->current = bg_error ? bg_error->ToString() : "unknown background error";
  }
  void OnErrorRecoveryEnd(const rocksdb::BackgroundErrorRecoveryInfo& info) override {
    if (!info.new_bg_error.ok()) return;
    std::lock_guard lk(e_->mu);
    e_->current.clear();
  }

 private:
  std::shared_ptr<BackgroundErrors> e_;
};

// The free-space reserve. RocksDB is not written to run out of disk: a WAL
// append that meets ENOSPC leaves its writer in a state Debian's build
// (asserts on) aborts on at the next sync. So writes stop while the file
// system still has the reserve, plus what the memtables will take when they
// are flushed (their bytes are in the WAL now and in a table file later).
// Between looks at the file system (statvfs, at most every 100 ms) each
// admitted write is charged twice its size against the headroom.
struct DiskGuard {
  std::mutex refresh_mu;
  std::atomic<int64_t> headroom{INT64_MAX};
  std::atomic<int64_t> next_refresh_ns{0};
  std::atomic<uint64_t> free_bytes{0}, unflushed{0}, refusals{0};
  std::atomic<uint64_t> reserve{0};  // StoreOptions::reserve_bytes; 0: off
  std::atomic<bool> low{false};
};

int64_t steady_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}
constexpr int64_t kRefreshNs = 100'000'000;
bool guarded(const StoreOptions& o, const DiskGuard& g) { return !o.in_memory && !o.read_only && g.reserve > 0; }

struct EventStore::Impl {
  std::unique_ptr<rocksdb::Env> mem_env;
  std::shared_ptr<BackgroundErrors> bg = std::make_shared<BackgroundErrors>();
  DiskGuard disk;
  std::unique_ptr<rocksdb::DB> db;
  std::vector<rocksdb::ColumnFamilyHandle*> cfs;
  rocksdb::WriteOptions write_options;
  std::atomic<uint64_t> last_seq{0};
  std::atomic<uint64_t> first_seq{0};

  ~Impl() {
    for (auto* h : cfs)
      if (db && h) db->DestroyColumnFamilyHandle(h).PermitUncheckedError();
    if (db) db->Close().PermitUncheckedError();
    db.reset();
  }
};

EventStore::EventStore(StoreOptions o)
    : options_(std::move(o)), impl_(std::make_unique<Impl>()), health_(std::make_unique<StoreHealth>()) {}
EventStore::~EventStore() = default;

Result<std::unique_ptr<EventStore>> EventStore::open(const StoreOptions& options) {
  std::unique_ptr<EventStore> store(new EventStore(options));
  Impl& im = *store->impl_;

  rocksdb::DBOptions db_opts;
  db_opts.create_if_missing = !options.read_only;
  db_opts.create_missing_column_families = !options.read_only;
  db_opts.max_background_jobs = 2;
  db_opts.keep_log_file_num = 4;
  db_opts.max_total_wal_size = 64 << 20;
  db_opts.listeners.push_back(std::make_shared<ErrorListener>(im.bg));
  std::string path = options.path;
  if (options.in_memory) {
    im.mem_env.reset(rocksdb::NewMemEnv(rocksdb::Env::Default()));
    db_opts.env = im.mem_env.get();
    if (path.empty()) path = "/podstack-mem";
  } else {
    std::error_code ec;
    if (!options.read_only) std::filesystem::create_directories(path, ec);
    if (ec) return Status::io_error("cannot create " + path + ": " + ec.message());
    // Files a bulk load left behind when the process died before commit().
    if (!options.read_only) std::filesystem::remove_all(path + "/" + kLoadDir, ec);
    // A missing CURRENT, a dangling one, foreign files: named before RocksDB
    // sees them; what WAL recovery drops is kept from its info log.
    if (Status st = check_store_files(path, options.read_only); !st) return st;
    db_opts.wal_recovery_mode = rocksdb::WALRecoveryMode::kPointInTimeRecovery;
    db_opts.info_log = store->health_->recovery_logger(path, db_opts, options.read_only);
  }

  rocksdb::ColumnFamilyOptions cf_opts;
  // LZ4 for the levels that are flushed and compacted again and again, ZSTD
  // for the bottommost, where data stays (RocksDB's tuning guide): ZSTD on
  // every memtable flush was 3% of a 1 KiB PutObject's CPU. Each block
  // records its compression, so files written with ZSTD stay readable.
  cf_opts.compression = rocksdb::kLZ4Compression;
  cf_opts.bottommost_compression = rocksdb::kZSTD;
  // Three memtables, not RocksDB's two. A full memtable's log lives until its
  // flush ends, so the WAL passes max_total_wal_size (64 MiB, one write
  // buffer) during that flush, and RocksDB then switches the memtable of
  // every column family with data in the oldest log, the one being flushed
  // included. With two, that second immutable memtable stopped every write
  // until the first flush ended: 100-450 ms once per 64 MiB of events (the
  // SNS Publish p99 of tests/bench/notify_bench.py). The memtable switched
  // early holds only what arrived during the flush.
  cf_opts.max_write_buffer_number = 3;
  // Debian's librocksdb is a portable build whose CRC32C is the software
  // one; XXH3 block checksums cost a fraction of that on every read and
  // flush. (The WAL's CRC32C is fixed by its format.) Files written with
  // the old checksum stay readable: the type is recorded per file.
  rocksdb::BlockBasedTableOptions table;
  table.checksum = rocksdb::kXXH3;
  cf_opts.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  rocksdb::ColumnFamilyOptions blob_opts = cf_opts;
  blob_opts.enable_blob_files = true;
  blob_opts.min_blob_size = 4096;
  // Object bodies pass through the memtable on their way to blob files: small
  // write buffers bound the memory a multi-GiB upload holds (issue 5: < 64 MiB).
  blob_opts.write_buffer_size = 8 << 20;
  blob_opts.max_write_buffer_number = 3;
  blob_opts.blob_file_size = 64 << 20;
  // Bodies below min_blob_size live in SST files. While the store is small
  // every compaction's output level is the bottommost, and ZSTD there was
  // half of all compaction CPU under a 1 KiB PutObject load. Object bodies
  // are often compressed already (images, archives, gzip); LZ4 everywhere.
  blob_opts.bottommost_compression = rocksdb::kLZ4Compression;
  // Checkpoints are zstd frames already: compressing them again is waste.
  rocksdb::ColumnFamilyOptions checkpoint_opts = cf_opts;
  checkpoint_opts.compression = rocksdb::kNoCompression;
  checkpoint_opts.bottommost_compression = rocksdb::kDisableCompressionOption;
  std::vector<rocksdb::ColumnFamilyDescriptor> descs;
  for (int i = 0; i < kCfCount; ++i)
    descs.emplace_back(kCfNames[i], i == kBlobs ? blob_opts : i == kCheckpoints ? checkpoint_opts : cf_opts);

  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = options.read_only
                          ? rocksdb::DB::OpenForReadOnly(db_opts, path, descs, &im.cfs, &raw)
                          : rocksdb::DB::Open(db_opts, path, descs, &im.cfs, &raw);
  if (!s.ok()) {
    if (s.IsIOError() && s.ToString().find("lock") != std::string::npos)
      return Status::busy("the store at " + path + " is in use by another process (" + s.ToString() + ")");
    return from_rocks(s);
  }
  im.db.reset(raw);
  im.write_options.sync = options.sync;
  im.disk.reserve = options.reserve_bytes;

  // Store format: written on first open of an empty store, checked on every open.
  std::string fmt;
  s = im.db->Get(rocksdb::ReadOptions(), im.cfs[kMeta], "format", &fmt);
  if (s.IsNotFound()) {
    if (!options.read_only) {
      std::random_device rd;
      char id[33];
      snprintf(id, sizeof id, "%08x%08x%08x%08x", rd(), rd(), rd(), rd());
      rocksdb::WriteBatch b;
      b.Put(im.cfs[kMeta], "format", std::to_string(kStoreFormat));
      b.Put(im.cfs[kMeta], "instance_id", id);
      rocksdb::WriteOptions wo;
      wo.sync = !options.in_memory;
      if (auto st = from_rocks(im.db->Write(wo, &b)); !st) return st;
    }
  } else if (!s.ok()) {
    return from_rocks(s);
  } else {
    unsigned long v = std::strtoul(fmt.c_str(), nullptr, 10);
    if (v == 0 || v > kStoreFormat)
      return Status::unsupported_version("the store at " + path + " has format " + fmt +
                                         ", this podstack reads formats up to " + std::to_string(kStoreFormat) +
                                         "; upgrade podstack or use another DATA_DIR");
  }

  std::unique_ptr<rocksdb::Iterator> it(im.db->NewIterator(rocksdb::ReadOptions(), im.cfs[kEvents]));
  it->SeekToLast();
  if (it->Valid()) im.last_seq = decode_seq(it->key().ToStringView());
  it->SeekToFirst();
  if (it->Valid()) im.first_seq = decode_seq(it->key().ToStringView());
  if (!it->status().ok()) {
    // A damaged first or last block of the log: a writer cannot go on from
    // an unknown end; a reader (`podstack store verify`) still can.
    std::string why = "the first and last events cannot be read (" + it->status().ToString() +
                      "); `podstack store verify` names every damaged file, and `podstack pod save NAME --offline` still "
                      "saves the state (from the newest checkpoint) to load into a fresh DATA_DIR";
    if (!options.read_only) return Status::corruption(why);
    store->health_->report("log-ends", why);
  }
  store->health_->open_finished(im.last_seq, options.sync);
  return store;
}

Status EventStore::write(const WriteBatchData& batch) {
  if (options_.read_only) return Status::invalid_argument("store opened read-only");
  if (fail_writes_) return Status::io_error("injected write failure");
  Impl& im = *impl_;
  rocksdb::WriteBatch b;
  for (const auto& [seq, bytes] : batch.events) b.Put(im.cfs[kEvents], encode_seq(seq), bytes);
  if (batch.checkpoint) b.Put(im.cfs[kCheckpoints], encode_seq(batch.checkpoint->first), batch.checkpoint->second);
  for (const auto& [k, v] : batch.meta) b.Put(im.cfs[kMeta], k, v);
  for (const auto& [k, v] : batch.blobs) b.Put(im.cfs[kBlobs], k, v);
  // Admitted before decide(); charged here at its real size (see DiskGuard).
  if (guarded(options_, im.disk)) im.disk.headroom.fetch_sub(2 * static_cast<int64_t>(b.GetDataSize()), std::memory_order_relaxed);
  Status st = from_rocks(im.db->Write(im.write_options, &b));
  if (st && !batch.events.empty()) {
    im.last_seq.store(batch.events.back().first, std::memory_order_release);
    uint64_t zero = 0;
    im.first_seq.compare_exchange_strong(zero, batch.events.front().first);
  }
  return st;
}

namespace {
// Re-reads the file system and the memtables; one thread at a time, the
// others go on with the estimate they have.
// false: another thread is refreshing (and `wait` was not asked for).
bool refresh_headroom(DiskGuard& g, rocksdb::DB& db, const std::string& path, bool wait) {
  std::unique_lock lk(g.refresh_mu, std::defer_lock);
  if (wait) lk.lock();
  else if (!lk.try_lock()) return false;
  struct statvfs vfs;
  uint64_t free_bytes = 0;
  if (statvfs(path.c_str(), &vfs) == 0) free_bytes = static_cast<uint64_t>(vfs.f_bavail) * vfs.f_frsize;
  uint64_t unflushed = 0;
  if (!db.GetAggregatedIntProperty("rocksdb.cur-size-all-mem-tables", &unflushed)) unflushed = 0;
  g.free_bytes = free_bytes;
  g.unflushed = unflushed;
  int64_t headroom = static_cast<int64_t>(free_bytes) - static_cast<int64_t>(std::min<uint64_t>(g.reserve, INT64_MAX / 2)) -
                     static_cast<int64_t>(unflushed);
  g.headroom = headroom;
  g.low = headroom < 0;
  g.next_refresh_ns = steady_ns() + kRefreshNs;
  return true;
}

std::string mib(uint64_t b) { return std::to_string((b + (1 << 19)) >> 20) + " MiB"; }

Status no_space(const DiskGuard& g, const std::string& path) {
  return Status::no_space("the data dir " + path + " has " + mib(g.free_bytes) + " free and podstack keeps " +
                          mib(g.reserve) + " in reserve" +
                          (g.unflushed > (1u << 20) ? " (+ " + mib(g.unflushed) + " of memtables still to flush)" : "") +
                          ": writes are refused until space is freed (they resume by themselves); reads go on");
}

}  // namespace

Status EventStore::admit_write(uint64_t bytes) {
  Impl& im = *impl_;
  DiskGuard& g = im.disk;
  if (!guarded(options_, g)) return Status::ok();
  const int64_t cost = 2 * static_cast<int64_t>(bytes);
  int64_t left = g.headroom.fetch_sub(cost, std::memory_order_relaxed) - cost;
  if (left < 0 || steady_ns() >= g.next_refresh_ns.load(std::memory_order_relaxed)) {
    // A refresh replaced the estimate, this write's charge with it.
    if (refresh_headroom(g, *im.db, options_.path, /*wait=*/left < 0))
      left = g.headroom.fetch_sub(cost, std::memory_order_relaxed) - cost;
  }
  if (left >= 0) return Status::ok();
  g.headroom.fetch_add(cost, std::memory_order_relaxed);  // not written
  g.refusals.fetch_add(1, std::memory_order_relaxed);
  g.low = true;  // until a look at the file system finds room again
  return no_space(g, options_.path);
}

Status EventStore::try_resume() {
  Impl& im = *impl_;
  if (guarded(options_, im.disk)) {
    refresh_headroom(im.disk, *im.db, options_.path, /*wait=*/true);
    if (im.disk.low) return no_space(im.disk, options_.path);  // not a refused write: the engine retrying
  }
  rocksdb::Status s = im.db->Resume();
  if (!s.ok()) return from_rocks(s);
  bool had;
  {
    std::lock_guard lk(im.bg->mu);
    had = !im.bg->current.empty();
    im.bg->current.clear();
  }
  if (had) im.bg->resumes.fetch_add(1, std::memory_order_relaxed);
  return Status::ok();
}

StoreDiskState EventStore::disk_state() const {
  const Impl& im = *impl_;
  StoreDiskState d;
  d.free_bytes = im.disk.free_bytes;
  d.reserve_bytes = guarded(options_, im.disk) ? im.disk.reserve.load() : 0;
  d.unflushed_bytes = im.disk.unflushed;
  d.low = im.disk.low;
  d.refusals = im.disk.refusals;
  {
    std::lock_guard lk(im.bg->mu);
    d.background_error = im.bg->current;
  }
  d.background_errors = im.bg->seen;
  d.resumes = im.bg->resumes;
  return d;
}

void EventStore::set_reserve_for_testing(uint64_t bytes) {
  impl_->disk.reserve = bytes;
  impl_->disk.next_refresh_ns = 0;  // the next write looks again
}

Status EventStore::hold_flushes_for_testing(bool hold) {
  Impl& im = *impl_;
  im.write_options.no_slowdown = hold;
  return from_rocks(hold ? im.db->PauseBackgroundWork() : im.db->ContinueBackgroundWork());
}

rocksdb::DB& EventStore::rocks() const { return *impl_->db; }

uint64_t EventStore::last_sequence() const { return impl_->last_seq.load(std::memory_order_acquire); }
uint64_t EventStore::first_sequence() const { return impl_->first_seq.load(std::memory_order_acquire); }

Status EventStore::scan_events(uint64_t from, const std::function<bool(uint64_t, std::string_view)>& visit) const {
  rocksdb::ReadOptions ro;
  ro.readahead_size = 2 << 20;
  ro.fill_cache = false;
  std::unique_ptr<rocksdb::Iterator> it(impl_->db->NewIterator(ro, impl_->cfs[kEvents]));
  for (it->Seek(encode_seq(from)); it->Valid(); it->Next()) {
    if (!visit(decode_seq(it->key().ToStringView()), it->value().ToStringView())) break;
  }
  return from_rocks(it->status());
}

Status EventStore::scan_checkpoints_desc(const std::function<bool(uint64_t, std::string_view)>& visit) const {
  std::unique_ptr<rocksdb::Iterator> it(impl_->db->NewIterator(rocksdb::ReadOptions(), impl_->cfs[kCheckpoints]));
  for (it->SeekToLast(); it->Valid(); it->Prev()) {
    if (!visit(decode_seq(it->key().ToStringView()), it->value().ToStringView())) break;
  }
  return from_rocks(it->status());
}

Status EventStore::rewrite_event(uint64_t seq, std::string_view bytes) {
  if (options_.read_only) return Status::invalid_argument("store opened read-only");
  Impl& im = *impl_;
  std::string old;
  rocksdb::Status g = im.db->Get(rocksdb::ReadOptions(), im.cfs[kEvents], encode_seq(seq), &old);
  if (g.IsNotFound()) return Status::not_found("the log holds no event " + std::to_string(seq));
  if (!g.ok()) return from_rocks(g);
  rocksdb::WriteBatch b;
  b.Put(im.cfs[kEvents], encode_seq(seq), rocksdb::Slice(bytes.data(), bytes.size()));
  b.DeleteRange(im.cfs[kCheckpoints], encode_seq(seq), encode_seq(UINT64_MAX));
  rocksdb::WriteOptions wo;
  wo.sync = !options_.in_memory;
  return from_rocks(im.db->Write(wo, &b));
}

Status EventStore::prune_checkpoints(size_t keep) {
  std::vector<std::string> doomed;
  size_t seen = 0;
  Status st = scan_checkpoints_desc([&](uint64_t seq, std::string_view) {
    if (++seen > keep) doomed.push_back(encode_seq(seq));
    return true;
  });
  if (!st || doomed.empty()) return st;
  rocksdb::WriteBatch b;
  for (auto& k : doomed) b.Delete(impl_->cfs[kCheckpoints], k);
  return from_rocks(impl_->db->Write(impl_->write_options, &b));
}

Status EventStore::put_checkpoint_raw(uint64_t seq, std::string_view bytes) {
  return from_rocks(impl_->db->Put(impl_->write_options, impl_->cfs[kCheckpoints], encode_seq(seq), bytes));
}

std::vector<std::pair<std::string, uint64_t>> EventStore::column_family_bytes() const {
  std::vector<std::pair<std::string, uint64_t>> out;
  for (int i = kEvents; i < kCfCount; ++i) {
    uint64_t total = 0;
    for (const auto* prop : {"rocksdb.total-sst-files-size", "rocksdb.total-blob-file-size", "rocksdb.size-all-mem-tables"}) {
      uint64_t v = 0;
      if (impl_->db->GetIntProperty(impl_->cfs[i], prop, &v)) total += v;
    }
    out.emplace_back(kCfNames[i], total);
  }
  return out;
}

Result<std::string> EventStore::get_meta(std::string_view name) const {
  std::string v;
  auto s = impl_->db->Get(rocksdb::ReadOptions(), impl_->cfs[kMeta], rocksdb::Slice(name.data(), name.size()), &v);
  if (!s.ok()) return from_rocks(s);
  return v;
}

Result<std::string> EventStore::get_blob(std::string_view key) const {
  std::string v;
  auto s = impl_->db->Get(rocksdb::ReadOptions(), impl_->cfs[kBlobs], rocksdb::Slice(key.data(), key.size()), &v);
  if (!s.ok()) return from_rocks(s);
  return v;
}

Status EventStore::put_blob(std::string_view key, std::string_view bytes) {
  if (options_.read_only) return Status::invalid_argument("store opened read-only");
  if (fail_writes_) return Status::io_error("injected write failure");
  if (Status st = admit_write(key.size() + bytes.size()); !st) return st;
  rocksdb::WriteOptions wo;  // not synced: the referencing event's commit syncs the WAL
  return from_rocks(impl_->db->Put(wo, impl_->cfs[kBlobs], rocksdb::Slice(key.data(), key.size()),
                                   rocksdb::Slice(bytes.data(), bytes.size())));
}

Status EventStore::delete_blob_range(std::string_view begin, std::string_view end) {
  if (options_.read_only) return Status::invalid_argument("store opened read-only");
  rocksdb::WriteOptions wo;
  return from_rocks(impl_->db->DeleteRange(wo, impl_->cfs[kBlobs], rocksdb::Slice(begin.data(), begin.size()),
                                           rocksdb::Slice(end.data(), end.size())));
}

Status EventStore::put_meta(std::string_view name, std::string_view value) {
  if (options_.read_only) return Status::invalid_argument("store opened read-only");
  rocksdb::WriteOptions wo;
  return from_rocks(impl_->db->Put(wo, impl_->cfs[kMeta], rocksdb::Slice(name.data(), name.size()),
                                   rocksdb::Slice(value.data(), value.size())));
}

Status EventStore::delete_meta(std::string_view name) {
  if (options_.read_only) return Status::invalid_argument("store opened read-only");
  rocksdb::WriteOptions wo;
  return from_rocks(impl_->db->Delete(wo, impl_->cfs[kMeta], rocksdb::Slice(name.data(), name.size())));
}

Status EventStore::scan_meta(std::string_view prefix, const std::function<bool(std::string_view, std::string_view)>& visit) const {
  std::unique_ptr<rocksdb::Iterator> it(impl_->db->NewIterator(rocksdb::ReadOptions(), impl_->cfs[kMeta]));
  rocksdb::Slice p(prefix.data(), prefix.size());
  for (it->Seek(p); it->Valid() && it->key().starts_with(p); it->Next())
    if (!visit(it->key().ToStringView(), it->value().ToStringView())) break;
  return from_rocks(it->status());
}

Status EventStore::put_blobs(const std::vector<std::pair<std::string_view, std::string_view>>& entries) {
  if (options_.read_only) return Status::invalid_argument("store opened read-only");
  if (fail_writes_) return Status::io_error("injected write failure");
  uint64_t total = 0;
  for (auto& [k, v] : entries) total += k.size() + v.size();
  if (Status st = admit_write(total); !st) return st;
  rocksdb::WriteBatch b;
  for (auto& [k, v] : entries)
    b.Put(impl_->cfs[kBlobs], rocksdb::Slice(k.data(), k.size()), rocksdb::Slice(v.data(), v.size()));
  rocksdb::WriteOptions wo;
  return from_rocks(impl_->db->Write(wo, &b));
}

struct EventStore::BlobLoader::State {
  rocksdb::Options options;
  std::string dir;
  std::unique_ptr<rocksdb::SstFileWriter> writer;
  std::vector<std::string> files;  // finished
  uint64_t file_bytes = 0;
  std::string last_key;
  bool any = false, unordered = false, committed = false;
};

Result<std::unique_ptr<EventStore::BlobLoader>> EventStore::load_blobs() {
  if (options_.read_only) return Status::invalid_argument("store opened read-only");
  std::unique_ptr<BlobLoader> l(new BlobLoader(*this));
  BlobLoader::State& st = *l->st_;
  st.options = rocksdb::Options(impl_->db->GetDBOptions(), impl_->db->GetOptions(impl_->cfs[kBlobs]));
  // Bodies stay as they are in the table files: the pod decompressed them,
  // and S3 bodies are often compressed already.
  st.options.compression = rocksdb::kNoCompression;
  st.options.bottommost_compression = rocksdb::kDisableCompressionOption;
  static std::atomic<uint64_t> counter{0};
  std::string root = impl_->db->GetName() + "/" + kLoadDir;  // the path in use (in_memory has its own)
  st.dir = root + "/" + std::to_string(++counter);
  if (Status s = from_rocks(st.options.env->CreateDirIfMissing(root)); !s) return s;
  if (Status s = from_rocks(st.options.env->CreateDirIfMissing(st.dir)); !s) return s;
  return l;
}

EventStore::BlobLoader::BlobLoader(EventStore& store) : store_(store), st_(std::make_unique<State>()) {}

EventStore::BlobLoader::~BlobLoader() {
  rocksdb::Env* env = st_->options.env;
  if (st_->writer) st_->writer.reset();
  std::vector<std::string> children;
  if (env->GetChildren(st_->dir, &children).ok())
    for (auto& c : children) env->DeleteFile(st_->dir + "/" + c).PermitUncheckedError();
  env->DeleteDir(st_->dir).PermitUncheckedError();
}

Status EventStore::BlobLoader::add(std::string_view key, std::string_view value) {
  if (store_.fail_writes_) return Status::io_error("injected write failure");
  if (Status st = store_.admit_write(key.size() + value.size()); !st) return st;
  State& st = *st_;
  rocksdb::Slice k(key.data(), key.size()), v(value.data(), value.size());
  if (st.any && k.compare(st.last_key) <= 0) {
    st.unordered = true;
    rocksdb::WriteOptions wo;
    wo.disableWAL = true;  // flushed by commit()
    return from_rocks(store_.impl_->db->Put(wo, store_.impl_->cfs[kBlobs], k, v));
  }
  if (!st.writer) {
    st.writer = std::make_unique<rocksdb::SstFileWriter>(rocksdb::EnvOptions(st.options), st.options,
                                                         store_.impl_->cfs[kBlobs]);
    std::string file = st.dir + "/" + std::to_string(st.files.size()) + ".sst";
    if (Status s = from_rocks(st.writer->Open(file)); !s) return s;
    st.files.push_back(file);
  }
  if (Status s = from_rocks(st.writer->Put(k, v)); !s) return s;
  st.any = true;
  st.last_key.assign(key.data(), key.size());
  st.file_bytes += key.size() + value.size();
  if (st.file_bytes >= kLoadFileBytes) return finish_file();
  return Status::ok();
}

Status EventStore::BlobLoader::finish_file() {
  State& st = *st_;
  if (!st.writer) return Status::ok();
  Status s = from_rocks(st.writer->Finish());
  st.writer.reset();
  st.file_bytes = 0;
  return s;
}

Status EventStore::BlobLoader::commit() {
  State& st = *st_;
  if (st.committed) return Status::ok();
  if (store_.fail_writes_) return Status::io_error("injected write failure");
  if (Status s = finish_file(); !s) return s;
  auto& im = *store_.impl_;
  if (st.unordered) {
    rocksdb::FlushOptions fo;
    fo.allow_write_stall = true;
    if (Status s = from_rocks(im.db->Flush(fo, im.cfs[kBlobs])); !s) return s;
  }
  if (!st.files.empty()) {
    rocksdb::IngestExternalFileOptions io;
    io.move_files = true;  // a link: the bytes are not written again
    if (Status s = from_rocks(im.db->IngestExternalFile(im.cfs[kBlobs], st.files, io)); !s) return s;
  }
  st.committed = true;
  return Status::ok();
}

Status EventStore::scan_blobs(const std::vector<std::string>& prefixes,
                              const std::function<bool(std::string_view, std::string_view)>& visit) const {
  rocksdb::ReadOptions ro;
  ro.fill_cache = false;
  ro.readahead_size = 2 << 20;
  std::unique_ptr<rocksdb::Iterator> it(impl_->db->NewIterator(ro, impl_->cfs[kBlobs]));
  for (const auto& prefix : prefixes) {
    rocksdb::Slice p(prefix);
    // Prefixes are sorted and usually adjacent in the store (a pod takes
    // every S3 body): where the previous prefix's entries ended is then
    // already the first key >= this one, and a seek would only cost time.
    if (!it->Valid() || it->key().compare(p) < 0) it->Seek(p);
    for (; it->Valid() && it->key().starts_with(p); it->Next())
      if (!visit(it->key().ToStringView(), it->value().ToStringView())) return Status::ok();
    if (!it->status().ok()) return from_rocks(it->status());
  }
  return Status::ok();
}

Status EventStore::scan_blob_keys(std::string_view prefix, const std::function<bool(std::string_view)>& visit) const {
  rocksdb::ReadOptions ro;
  ro.fill_cache = false;
  std::unique_ptr<rocksdb::Iterator> it(impl_->db->NewIterator(ro, impl_->cfs[kBlobs]));
  rocksdb::Slice p(prefix.data(), prefix.size());
  for (it->Seek(p); it->Valid() && it->key().starts_with(p); it->Next())
    if (!visit(it->key().ToStringView())) break;
  return from_rocks(it->status());
}

}  // namespace podstack
