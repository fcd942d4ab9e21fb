// Damage detection for the event store (see store_check.h).
#include "store/store_check.h"

#include <rocksdb/convenience.h>
#include <rocksdb/db.h>
#include <rocksdb/env.h>
#include <rocksdb/metadata.h>
#include <rocksdb/options.h>

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>

#include "store/event_store.h"

namespace podstack {
namespace fs = std::filesystem;

namespace {

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// "<digits><suffix>", RocksDB's numbered files.
bool numbered(std::string_view name, std::string_view suffix) {
  return ends_with(name, suffix) && all_digits(name.substr(0, name.size() - suffix.size()));
}

// The files RocksDB (7.8, util/filename.cc ParseFileName) and podstack put
// into a store directory, by kind.
struct DirListing {
  bool current = false;
  std::vector<std::string> manifests;  // MANIFEST-NNNNNN
  std::vector<std::string> data;       // tables, WALs, blob files
  std::vector<std::string> other;      // RocksDB's bookkeeping (LOG, IDENTITY, LOCK, OPTIONS-*, *.dbtmp)
  std::vector<std::string> foreign;
};

DirListing list_store_dir(const std::string& dir) {
  DirListing out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    std::string name = entry.path().filename().string();
    if (name == "CURRENT") out.current = true;
    else if (name.rfind("MANIFEST-", 0) == 0 && all_digits(name.substr(9))) out.manifests.push_back(name);
    else if (numbered(name, ".sst") || numbered(name, ".ldb") || numbered(name, ".log") || numbered(name, ".blob"))
      out.data.push_back(name);
    else if (name == "LOG" || name.rfind("LOG.old.", 0) == 0 || name == "IDENTITY" || name == "LOCK" ||
             (name.rfind("OPTIONS-", 0) == 0) || ends_with(name, ".dbtmp") || name == "blob-load" ||
             // Not ours, but harmless next to a store: a mount point's and dotfiles.
             name == "lost+found" || name[0] == '.')
      out.other.push_back(name);
    else
      out.foreign.push_back(name);
  }
  // MANIFEST numbers are zero-padded to 6 digits but may grow past them.
  std::sort(out.manifests.begin(), out.manifests.end(), [](const std::string& a, const std::string& b) {
    return std::strtoull(a.c_str() + 9, nullptr, 10) < std::strtoull(b.c_str() + 9, nullptr, 10);
  });
  std::sort(out.foreign.begin(), out.foreign.end());
  return out;
}

std::string quote_list(const std::vector<std::string>& names, size_t max = 3) {
  std::string s;
  for (size_t i = 0; i < names.size() && i < max; ++i) s += (i ? ", " : "") + names[i];
  if (names.size() > max) s += " and " + std::to_string(names.size() - max) + " more";
  return s;
}

// Whether another process holds RocksDB's lock on the store (a running
// server): fcntl's F_SETLK write lock on DIR/LOCK (env/fs_posix.cc). Only
// for read-only opens: closing any descriptor of LOCK drops the locks this
// process holds on it.
bool locked_by_other_process(const std::string& dir) {
  int fd = ::open((dir + "/LOCK").c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  struct flock f {};
  f.l_type = F_WRLCK;
  f.l_whence = SEEK_SET;
  bool held = ::fcntl(fd, F_GETLK, &f) == 0 && f.l_type != F_UNLCK;
  ::close(fd);
  return held;
}

}  // namespace

Status check_store_files(const std::string& dir, bool read_only) {
  std::error_code ec;
  if (!fs::exists(dir, ec)) {
    if (read_only) return Status::invalid_argument("there is no event store at " + dir + " (no such directory)");
    return Status::ok();  // created by the open
  }
  if (!fs::is_directory(dir, ec)) return Status::invalid_argument(dir + " is not a directory, so it cannot hold the event store");
  DirListing l = list_store_dir(dir);
  if (l.current) {
    std::ifstream in(dir + "/CURRENT");
    std::string named;
    std::getline(in, named);
    if (named.rfind("MANIFEST-", 0) != 0 || !all_digits(named.substr(9)))
      return Status::corruption(dir + "/CURRENT does not name a MANIFEST file (it holds '" + named.substr(0, 40) + "')" +
                                (l.manifests.empty() ? std::string(": move " + dir + " away to start with an empty store")
                                                     : ": restore it with `echo " + l.manifests.back() + " > " + dir +
                                                           "/CURRENT` (the newest MANIFEST), or move " + dir +
                                                           " away to start with an empty store"));
    if (!fs::exists(dir + "/" + named, ec)) {
      std::vector<std::string> others;
      for (auto& m : l.manifests)
        if (m != named) others.push_back(m);
      return Status::corruption(dir + "/CURRENT names " + named + ", which is missing" +
                                (others.empty() ? std::string(", and no other MANIFEST is there: the store cannot be "
                                                              "opened; move " + dir + " away to start with an empty store")
                                                : ": point it at the newest MANIFEST there with `echo " + others.back() +
                                                      " > " + dir + "/CURRENT`, or move " + dir +
                                                      " away to start with an empty store"));
    }
    return Status::ok();
  }
  // No CURRENT. RocksDB would take the directory for a new store (or refuse
  // with "wal_dir contains existing log file"), and a new store next to
  // table files later deletes them as obsolete.
  if (!l.manifests.empty())
    return Status::corruption(dir + "/CURRENT is missing, but the directory holds a store (" + l.manifests.back() +
                              " and " + std::to_string(l.data.size()) + " data files): restore it with `echo " +
                              l.manifests.back() + " > " + dir + "/CURRENT` (the newest MANIFEST), or move " + dir +
                              " away to start with an empty store");
  if (!l.data.empty())
    return Status::corruption(dir + " holds RocksDB data files (" + quote_list(l.data) +
                              ") but neither CURRENT nor a MANIFEST, so they cannot be opened as a store: move " + dir +
                              " away to start with an empty store");
  if (!l.foreign.empty())
    return Status::invalid_argument(dir + " holds files that are not an event store (" + quote_list(l.foreign) +
                                    "): point DATA_DIR at a directory of its own, or move them away");
  if (read_only) return Status::invalid_argument("there is no event store at " + dir);
  return Status::ok();
}

// ---------------------------------------------------------------- WAL recovery

// Collects RocksDB's recovery lines while the store opens (the info log is
// the only place RocksDB 7.8 reports what point-in-time recovery dropped).
struct RecoveryCapture {
  std::mutex mu;
  bool open = true;
  WalRecoveryNotes notes;

  void line(rocksdb::InfoLogLevel level, const std::string& msg) {
    // db/db_impl/db_impl_open.cc: LogReporter::Corruption logs
    // "[file:line] [(ignoring error) ]<wal>: dropping N bytes; <status>"; a WAL
    // after the point where replay stopped is dropped whole, "<wal>: dropping N bytes".
    static const std::regex recovered(R"(Point in time recovered to (log #\d+ seq #\d+))");
    std::lock_guard lk(mu);
    if (!open) return;
    size_t at = msg.find(": dropping ");
    if (level >= rocksdb::InfoLogLevel::WARN_LEVEL && at != std::string::npos) {
      size_t start = msg.rfind("] ", at);
      start = start == std::string::npos ? 0 : start + 2;
      std::string file = msg.substr(start, at - start);
      if (file.rfind("(ignoring error) ", 0) == 0) file.erase(0, 17);
      char* end = nullptr;
      uint64_t bytes = std::strtoull(msg.c_str() + at + 11, &end, 10);
      if (!ends_with(file, ".log") || std::string_view(end).rfind(" bytes", 0) != 0) return;
      if (notes.files.empty() || notes.files.back() != file) notes.files.push_back(file);
      notes.dropped_bytes += bytes;
      std::string_view rest(end + 6);
      if (notes.reason.empty() && rest.rfind("; ", 0) == 0) notes.reason = std::string(rest.substr(2));
      return;
    }
    std::smatch m;
    if (std::regex_search(msg, m, recovered)) notes.recovered_to = m[1].str();
  }
};

namespace {

// Forwards to RocksDB's own LOG file and shows every line to the capture.
class CapturingLogger : public rocksdb::Logger {
 public:
  CapturingLogger(std::shared_ptr<rocksdb::Logger> inner, std::shared_ptr<RecoveryCapture> capture,
                  rocksdb::InfoLogLevel level)
      : rocksdb::Logger(level), inner_(std::move(inner)), capture_(std::move(capture)) {}

  void Logv(const char* format, va_list ap) override { Logv(rocksdb::InfoLogLevel::INFO_LEVEL, format, ap); }
  void Logv(const rocksdb::InfoLogLevel level, const char* format, va_list ap) override {
    if (level >= rocksdb::InfoLogLevel::INFO_LEVEL && level < rocksdb::InfoLogLevel::HEADER_LEVEL) {
      va_list copy;
      va_copy(copy, ap);
      char buf[1024];
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
      int n = std::vsnprintf(buf, sizeof buf, format, copy);
#pragma GCC diagnostic pop
      va_end(copy);
      if (n > 0) capture_->line(level, std::string(buf, std::min<size_t>(static_cast<size_t>(n), sizeof buf - 1)));
    }
    if (inner_) inner_->Logv(level, format, ap);
  }
  void LogHeader(const char* format, va_list ap) override {
    if (inner_) inner_->LogHeader(format, ap);
  }
  size_t GetLogFileSize() const override { return inner_ ? inner_->GetLogFileSize() : kDoNotSupportGetLogFileSize; }
  void Flush() override {
    if (inner_) inner_->Flush();
  }
  void SetInfoLogLevel(const rocksdb::InfoLogLevel level) override {
    rocksdb::Logger::SetInfoLogLevel(level);
    if (inner_) inner_->SetInfoLogLevel(level);
  }

 protected:
  rocksdb::Status CloseImpl() override { return inner_ ? inner_->Close() : rocksdb::Status::OK(); }

 private:
  std::shared_ptr<rocksdb::Logger> inner_;
  std::shared_ptr<RecoveryCapture> capture_;
};

}  // namespace

std::string describe_wal_recovery(const WalRecoveryNotes& notes, uint64_t last_event, bool sync) {
  if (notes.files.empty()) return {};
  std::string s = "the write-ahead log " + quote_list(notes.files) + " ends in a torn or damaged record: recovery discarded " +
                  std::to_string(notes.dropped_bytes) + " bytes there (" +
                  (notes.reason.empty() ? "whole files after it" : notes.reason) + ") and kept the log up to event " +
                  std::to_string(last_event) + "; whatever was written after that is lost";
  if (sync)
    s += " (with PERSISTENCE_SYNC=1 only the group commit in flight at a crash, never acknowledged, may be torn: if more "
         "is missing, the file was damaged after it was written)";
  else
    s += " (with PERSISTENCE_SYNC=0, writes not yet on disk when the machine stopped are lost by design)";
  return s;
}

std::string describe_damage(const TableFileCheck& f) {
  std::string what;
  if (f.column_family == "events")
    what = "events " + std::to_string(f.first_sequence) + "-" + std::to_string(f.last_sequence);
  else if (f.column_family == "checkpoints")
    what = "checkpoints " + std::to_string(f.first_sequence) + "-" + std::to_string(f.last_sequence);
  else
    what = f.column_family;
  std::string s = f.path + " (" + what + ") fails verification (" + f.error + ")";
  if (f.column_family == "events")
    s += ": that history is unreadable, so rollback, `state hash --from-scratch`/`--to-seq` and pods of it fail while "
         "the live state stands; save a pod now and load it into a fresh DATA_DIR to get an intact store";
  else if (f.column_family == "checkpoints")
    s += ": startup falls back to an older checkpoint or a full replay";
  else if (f.column_family == "blobs")
    s += ": S3 bodies or pod payloads in it are unreadable";
  return s;
}

// ---------------------------------------------------------------- StoreHealth

StoreHealth::StoreHealth() = default;
StoreHealth::~StoreHealth() { stop(); }

std::shared_ptr<rocksdb::Logger> StoreHealth::recovery_logger(const std::string& dir, const rocksdb::DBOptions& options,
                                                              bool read_only) {
  capture_ = std::make_shared<RecoveryCapture>();
  // A server writing the WAL may be mid-record at its tail: what a read-only
  // open drops there is no damage.
  other_writer_ = read_only && locked_by_other_process(dir);
  std::shared_ptr<rocksdb::Logger> inner = options.info_log;
  // RocksDB makes its LOG file itself only when it is given no logger, and
  // never for a read-only open (which must not rotate a running server's LOG).
  if (!inner && !read_only && !rocksdb::CreateLoggerFromOptions(dir, options, &inner).ok()) inner.reset();
  return std::make_shared<CapturingLogger>(inner, capture_, options.info_log_level);
}

void StoreHealth::open_finished(uint64_t last_event, bool sync) {
  if (!capture_) return;
  WalRecoveryNotes notes;
  {
    std::lock_guard lk(capture_->mu);
    capture_->open = false;
    notes = capture_->notes;
  }
  if (other_writer_) return;
  if (std::string s = describe_wal_recovery(notes, last_event, sync); !s.empty()) report("wal", s);
}

void StoreHealth::report(const std::string& key, const std::string& sentence) {
  std::lock_guard lk(mu_);
  for (auto& [k, s] : problems_)
    if (k == key) {
      s = sentence;
      return;
    }
  problems_.emplace_back(key, sentence);
}

std::vector<std::string> StoreHealth::problems() const {
  std::lock_guard lk(mu_);
  std::vector<std::string> out;
  for (auto& [k, s] : problems_) out.push_back(s);
  return out;
}

Result<VerifyReport> StoreHealth::verify(rocksdb::DB& db) {
  auto t0 = std::chrono::steady_clock::now();
  VerifyReport report;
  std::vector<rocksdb::LiveFileMetaData> live;
  db.GetLiveFilesMetaData(&live);
  std::stable_sort(live.begin(), live.end(), [](const auto& a, const auto& b) {
    return std::tie(a.column_family_name, a.level, a.file_number) < std::tie(b.column_family_name, b.level, b.file_number);
  });
  // Any Options read every table podstack writes: each file records its
  // checksum type and each block its compression.
  rocksdb::Options options(db.GetDBOptions(), rocksdb::ColumnFamilyOptions());
  rocksdb::EnvOptions env_options(options);
  rocksdb::ReadOptions ro;
  ro.verify_checksums = true;
  ro.fill_cache = false;
  ro.readahead_size = 2 << 20;
  for (const auto& f : live) {
    if (stop_.load()) {
      report.stopped = true;
      break;
    }
    TableFileCheck c;
    c.path = f.directory + "/" + f.relative_filename;
    c.column_family = f.column_family_name;
    c.bytes = f.size;
    c.level = f.level;
    if (c.column_family == "events" || c.column_family == "checkpoints") {
      c.first_sequence = decode_seq(f.smallestkey);
      c.last_sequence = decode_seq(f.largestkey);
    }
    rocksdb::Status s = rocksdb::VerifySstFileChecksum(options, env_options, ro, c.path, f.largest_seqno);
    report.bytes += f.size;
    if (!s.ok()) {
      // A compaction may have deleted the file since it was listed: not damage.
      std::vector<rocksdb::LiveFileMetaData> now;
      db.GetLiveFilesMetaData(&now);
      bool still_live = std::any_of(now.begin(), now.end(), [&](const auto& n) { return n.file_number == f.file_number; });
      if (!still_live) continue;
      c.error = s.ToString();
      ++report.damaged;
    }
    report.files.push_back(std::move(c));
  }
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  for (const auto& c : report.files) {
    if (c.error.empty()) continue;
    std::string sentence = describe_damage(c);
    std::lock_guard lk(mu_);  // check and add at once: two verifications count a file once
    auto it = std::find_if(problems_.begin(), problems_.end(), [&](const auto& p) { return p.first == c.path; });
    if (it != problems_.end()) {
      it->second = std::move(sentence);
    } else {
      problems_.emplace_back(c.path, std::move(sentence));
      checksum_failures_.fetch_add(1, std::memory_order_relaxed);
    }
  }
  return report;
}

void StoreHealth::start(rocksdb::DB& db, std::chrono::seconds interval, std::function<void(const std::string&)> on_problem) {
  if (interval.count() <= 0 || thread_.joinable()) return;
  thread_ = std::thread([this, &db, interval, on_problem = std::move(on_problem)] {
    // Verification reads every table file: it yields to everything else,
    // CPU (nice 19) and disk (the idle I/O class), this thread only.
    pid_t tid = static_cast<pid_t>(::syscall(SYS_gettid));
    (void)::setpriority(PRIO_PROCESS, static_cast<id_t>(tid), 19);
    constexpr int kIoprioWhoProcess = 1, kIoprioClassIdle = 3, kIoprioClassShift = 13;
    (void)::syscall(SYS_ioprio_set, kIoprioWhoProcess, tid, kIoprioClassIdle << kIoprioClassShift);
    for (;;) {
      std::vector<std::string> before = problems();
      auto r = verify(db);
      if (stop_.load()) return;
      if (!r) {
        if (on_problem) on_problem("store verification could not run: " + r.status().to_string());
      } else if (on_problem) {
        for (const auto& p : problems())
          if (std::find(before.begin(), before.end(), p) == before.end()) on_problem(p);
      }
      std::unique_lock lk(thread_mu_);
      if (thread_cv_.wait_for(lk, interval, [this] { return stop_.load(); })) return;
    }
  });
}

void StoreHealth::stop() {
  {
    std::lock_guard lk(thread_mu_);
    stop_ = true;
  }
  thread_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace podstack

namespace podstack {

// EventStore's side (the hooks in event_store.cpp are the open's three lines).
std::vector<std::string> EventStore::problems() const { return health_->problems(); }
uint64_t EventStore::checksum_failures() const { return health_->checksum_failures(); }
Result<VerifyReport> EventStore::verify() {
  if (options_.in_memory) return VerifyReport{};  // MemEnv: no files to damage
  return health_->verify(rocks());
}
void EventStore::start_verification(std::chrono::seconds interval, std::function<void(const std::string&)> report) {
  if (!options_.in_memory) health_->start(rocks(), interval, std::move(report));
}

}  // namespace podstack
