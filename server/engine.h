// The engine owns the services' state and the commit path:
//
//   execute(op):  lock service (shared for reads, exclusive for writes)
//                 -> decide() -> [sequencer: assign seq, hand to LogWriter]
//                 -> apply() each event -> unlock -> CommitTicket
//
// The caller answers the request only when the ticket completes, i.e. the
// group commit that holds its events is in the WAL. Log order == apply order
// per service, and sequence order == submission order globally, because
// sequencing and submission happen together under one small mutex.
//
// A failed log write is fail-stop: the affected requests get a 500, writes
// are refused, the state is rebuilt from the log, then writes resume.
#pragma once
#include "server/not_for_services.h"
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "proto/pod.pb.h"
#include "server/notifier.h"
#include "server/service.h"
#include "store/event_store.h"
#include "store/log_writer.h"

namespace podstack {

class CommitTicket {
 public:
  using Callback = std::function<void(const Status&)>;
  explicit CommitTicket(LogWriter* writer = nullptr) : writer_(writer) {}
  void complete(const Status& s);
  // Runs cb now if already complete, else on completion (on the writer thread).
  void on_complete(Callback cb);
  Status wait();  // blocking (writes the group first if nobody has); for the CLI and tests
  // Complete already (the caller wrote its own group): its status, without waiting.
  std::optional<Status> ready();
  // Writes the queued group holding this commit on the calling thread unless
  // it is written or being written (see DeferLogWrites). Call without locks.
  void write();

 private:
  LogWriter* writer_;  // outlives the ticket's waiters (the engine stops after the server)
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  Status status_;
  Callback cb_;
};

// While one is alive on a thread, the commits made there leave their group
// queued instead of writing it at once: the caller first lets the other
// requests ready on its thread commit, then writes them all with one WAL
// write (CommitTicket::write, or wait()). The HTTP server's I/O threads use
// it; anything that holds a ticket must write or wait for it.
class DeferLogWrites {
 public:
  DeferLogWrites();
  ~DeferLogWrites();
  DeferLogWrites(const DeferLogWrites&) = delete;
  DeferLogWrites& operator=(const DeferLogWrites&) = delete;
  static bool active();

 private:
  bool was_;
};

struct EngineOptions {
  StoreOptions store;
  // Makes a fresh set of services: state as of an earlier sequence is built
  // aside in one (rollback, `state hash --to-seq`).
  std::function<std::vector<std::unique_ptr<Service>>()> factory;
  uint64_t checkpoint_every = 10000;
  bool ignore_checkpoints = false;  // full replay from sequence 1 (state hash --from-scratch)
  // Open the store without building state (read-only: `podstack log`
  // offline, which must list the log even when it does not replay).
  bool skip_replay = false;
  // Serialize checkpoints in a forked child (see server/forked.h) so writers
  // pause for the fork, not for O(state). CHECKPOINT_FORK=0 turns it off.
  bool fork_checkpoints = true;
};

struct ExecResult {
  json::value output;
  std::optional<json::value> stream;  // Decision::stream
  int status = 0;                     // Decision::status
  std::string raw_xml;                // Decision::raw_xml
  std::optional<ApiError> error;
  std::shared_ptr<CommitTicket> commit;  // null: nothing to wait for
  std::optional<LongPoll> wait;          // a long poll with nothing to deliver yet
};

struct StateInfo {
  uint64_t last_sequence = 0;
  std::string hash;                                          // combined
  std::vector<std::pair<std::string, std::string>> services;  // name -> hash, every service
};

// The state of (some) services at one sequence, for pods.
struct StateExport {
  proto::StateSnapshot snapshot;
  StateInfo info;                                   // hashes of the exported services
  std::vector<std::pair<std::string, uint64_t>> resources;  // service -> resource count
};

struct PodLoad {
  std::string name;
  uint64_t version = 0;
  std::string strategy = "overwrite";  // overwrite | service-merge | account-region-merge
  std::vector<std::string> services;   // empty: all
  std::string state;                   // zstd(StateSnapshot) as in the pod
  std::string state_hash;
};

struct StartupStats {
  uint64_t checkpoint_sequence = 0;
  uint64_t replayed = 0;
  uint64_t skipped_checkpoints = 0;
  double replay_ms = 0;
  int64_t checkpoint_time_ms = 0;  // wall time of the restored checkpoint (0: none)
};

struct CheckpointInfo {
  uint64_t sequence = 0;  // 0: no checkpoint yet
  int64_t time_ms = 0;    // when its state was taken
  // Checkpoints written by this engine, and of those how many in a forked child.
  uint64_t written = 0;
  uint64_t forked = 0;
  double last_pause_ms = 0;     // how long the newest one held the services' locks
  double last_duration_ms = 0;  // from taking the locks to the bytes being ready
};

class ClockService;

// Adds what every engine holds besides the services it is given (podstack's
// clock, server/clock_service.h) and sorts the set by name, as the engine
// does: for harnesses that mirror an engine's services (the fuzzers).
void add_engine_services(std::vector<std::unique_ptr<Service>>& svcs);

class Engine {
 public:
  static Result<std::unique_ptr<Engine>> open(EngineOptions options, std::vector<std::unique_ptr<Service>> services);
  // `podstack log repair --drop SEQ` (offline: the server must be stopped).
  // Replaces event `seq` with an EventDropped record holding its bytes and
  // `reason`, and deletes the checkpoints that hold its effects; every other
  // event stays. Returns a description of what was dropped.
  static Result<std::string> drop_event(const StoreOptions& store, uint64_t seq, const std::string& reason);
  // The same over a store already open (options.store then only says how the
  // engine uses it): an in-memory store cannot be reopened by path, and the
  // event replay fuzzer opens engines over logs it wrote into one.
  static Result<std::unique_ptr<Engine>> open(EngineOptions options, std::vector<std::unique_ptr<Service>> services,
                                              std::unique_ptr<EventStore> store);
  ~Engine();

  Service* service(std::string_view name) const;

  // ---- podstack's clock (server/clock_service.h) ----
  // The time every decision is made at: CallContext::now_ms comes from here.
  int64_t now_ms() const;
  bool clock_frozen() const;
  // The clock's service (its changes are events: "__SetClock").
  ClockService* clock() const { return clock_; }
  // Starts the thread that commits work coming due on the clock
  // (Service::next_due/decide_due). The server calls it; offline engines
  // (`podstack state hash`, pods) never decide anything by themselves.
  void start_due_work();
  const std::vector<std::unique_ptr<Service>>& services() const { return services_; }

  // `body`: the streamed request body's description (Request::body), or null.
  ExecResult execute(Service& svc, std::string_view op, const json::object& input, const CallContext& ctx,
                     const json::object* body = nullptr);
  // The outbox worker's report of one effect attempt, committed as the
  // owning service's events (Service::effect_attempted).
  ExecResult record_effect(Service& svc, const EffectAttempt& attempt, const CallContext& ctx);
  // Called (on the log writer's thread, keep it short) after a commit that
  // added pending effects is durable: the outbox worker's wake-up.
  void set_effects_listener(std::function<void()> fn) { on_effects_ = std::move(fn); }
  // Engine event: clears one service's state (or all when empty).
  ExecResult reset(const std::string& service, const CallContext& ctx);
  // The id seed the log records (the newest SeedSet event), if any.
  std::optional<uint64_t> seed() const;
  // Engine event SeedSet: PODSTACK_SEED, recorded when it differs from seed().
  ExecResult record_seed(uint64_t seed, const CallContext& ctx);

  StateInfo state_info() const;
  // A consistent export of the named services (all when empty).
  StateExport export_state(const std::vector<std::string>& services) const;
  // Validates the pod's state aside, then swaps it in under every service's
  // lock as one PodLoaded event (its state kept in the blobs column family).
  ExecResult load_pod(const PodLoad& pod, const CallContext& ctx);
  // The same for a pod already checked: `checked` is what check_pod gave for it.
  ExecResult load_pod(const PodLoad& pod, proto::StateSnapshot checked, const CallContext& ctx);
  // What load_pod checks before it touches anything; the error it would give.
  std::optional<ApiError> check_pod(const PodLoad& pod, proto::StateSnapshot* snap_out = nullptr) const;
  // The state as of log sequence `seq` (newest checkpoint <= seq + replay), built aside.
  Result<StateExport> export_at(uint64_t seq, const std::vector<std::string>& services = {}) const;
  // The last sequence whose event time is <= ms (0: before the first event).
  Result<uint64_t> sequence_at_time(int64_t ms) const;
  // Rebuilds state as of `seq` and swaps it in as one event; history is kept,
  // so a later rollback can roll forward again.
  ExecResult rollback(uint64_t seq, const CallContext& ctx);
  uint64_t last_sequence() const;
  // Groups written to the log since the engine opened: one WAL write each.
  uint64_t log_writes() const;
  // Blocks until the log writer has nothing queued or in progress (tests).
  void wait_log_idle();
  // Requests refused because an event they decided would not replay (a gap
  // in the edge's validation; each is logged as an error).
  uint64_t events_refused() const { return events_refused_.load(std::memory_order_relaxed); }
  // A durable checkpoint of the current state, now (forked unless turned off).
  Status checkpoint();
  Status checkpoint(bool forked);
  // Stops background work, writes a final checkpoint (unless read-only).
  Status close();

  const StartupStats& startup() const { return startup_; }
  // The newest checkpoint written or restored by this engine (for metrics).
  CheckpointInfo last_checkpoint() const;
  // Blocks until everything submitted to the log so far is written (a reader
  // that saw applied state whose blobs are still in the group commit).
  void wait_for_writes() {
    if (writer_) writer_->flush().ignore_error();
  }
  // Blocks while the engine rebuilds state after a failed log write.
  void wait_writable();
  // Why writes are refused now (a failed log write being recovered, or the
  // data dir's reserve reached); empty when they are accepted. For health.
  std::string write_refusal() const;
  // Everything health reports as "degraded": write_refusal() and the damage
  // the store found (a torn WAL tail at startup, checksum failures).
  std::vector<std::string> problems() const;
  EventStore& store() { return *store_; }
  // The log from sequence `since` on, oldest first, each event decoded (an
  // event that does not parse is skipped), until `visit` returns false.
  Status scan_log(uint64_t since, const std::function<bool(const proto::Event&)>& visit) const;
  // Long-poll wake-ups: writes notify the keys their Decision names, and
  // kLogKey once their events are readable in the log (/_podstack/log?wait=).
  Notifier& notifier() { return notifier_; }
  static inline const std::string kLogKey = "podstack/log";
  std::string summarize(const proto::Event& e) const;

 private:
  Engine(EngineOptions o, std::vector<std::unique_ptr<Service>> s);
  using Services = std::vector<std::unique_ptr<Service>>;
  Status load();  // checkpoint + replay into empty services
  // Newest usable checkpoint with sequence <= at_most into `svcs`.
  // `seed`, when given, gets the checkpoint's recorded seed.
  Status restore_checkpoint(Services& svcs, uint64_t at_most, uint64_t* restored_seq, uint64_t* skipped,
                            int64_t* time_ms = nullptr, std::optional<uint64_t>* seed = nullptr) const;
  // `seed`, when given, follows the SeedSet events replayed (the live state's).
  Status replay_into(Services& svcs, uint64_t from, uint64_t to, uint64_t* replayed,
                     std::optional<uint64_t>* seed = nullptr) const;
  // decoded: the payload as decide() built it (Decision::add), or null.
  Status apply_one(const proto::Event& e, Services& svcs, const proto::StateSnapshot* preloaded = nullptr,
                   google::protobuf::MessageLite* decoded = nullptr, std::optional<uint64_t>* seed = nullptr) const;
  void apply_engine_event(const proto::Event& e, Services& svcs, const proto::StateSnapshot* preloaded,
                          std::optional<uint64_t>* seed) const;
  static StateExport export_services(const Services& svcs, uint64_t seq, const std::vector<std::string>& only);
  static void apply_pod(const proto::PodLoaded& meta, const proto::StateSnapshot& snap, Services& svcs);
  // Engine events (reset, pod load, rollback): under every service's lock.
  ExecResult commit_engine_event(proto::Event e, const proto::StateSnapshot* preloaded,
                                 std::vector<std::pair<std::string, std::string>> blobs);
  // decide -> deliveries -> sequence -> submit -> apply, under the locks of
  // the service and of every delivery target.
  ExecResult commit_decision(Service& svc, std::string_view op, const CallContext& ctx,
                             const std::function<std::optional<ApiError>(Decision&)>& decide);
  void on_log_failure(const Status& s);
  // Due work: wake the thread; its loop; one pass over every service
  // (returns the earliest due time still ahead).
  void clock_changed();
  void poke_due();
  void due_loop();
  int64_t run_due();
  bool due_stop_requested();
  // The error writes get while they are refused (failed_ or no space).
  ApiError refused_write() const;
  // Blocks (maintenance thread) until the store takes writes again; false
  // when the engine is stopping.
  bool wait_store_writable();
  void maintenance_loop();
  void lock_all_exclusive();
  void unlock_all_exclusive();

  EngineOptions options_;
  std::vector<std::unique_ptr<Service>> services_;
  std::unique_ptr<EventStore> store_;
  std::unique_ptr<BlobStore> blobs_;  // services' view of store_'s blobs (EventStoreBlobs)
  std::unique_ptr<LogWriter> writer_;

  std::mutex seq_mu_;
  uint64_t last_seq_ = 0;            // guarded by seq_mu_
  std::atomic<uint64_t> applied_seq_{0};  // only grows: mark_applied()
  void mark_applied(uint64_t seq);
  std::atomic<uint64_t> checkpoint_seq_{0};
  std::atomic<int64_t> checkpoint_time_ms_{0};
  std::atomic<bool> failed_{false};
  std::atomic<uint64_t> events_refused_{0};
  Status failure_;  // why writes are refused while failed_; guarded by maint_mu_
  std::mutex checkpoint_mu_;  // one checkpoint at a time (maintenance thread, pod API, close)
  std::atomic<bool> fork_ok_{true};  // false after a forked checkpoint failed
  std::atomic<uint64_t> checkpoints_written_{0}, checkpoints_forked_{0};
  std::atomic<double> checkpoint_pause_ms_{0}, checkpoint_duration_ms_{0};

  mutable std::mutex maint_mu_;
  std::condition_variable maint_cv_;
  std::condition_variable writable_cv_;
  bool want_checkpoint_ = false;
  std::atomic<bool> checkpoint_requested_{false};  // set by the write that asks, cleared after the attempt
  bool want_rebuild_ = false;
  bool stop_ = false;
  std::thread maint_;
  // A checkpoint costs O(state) of CPU (in a forked child, or under the
  // services' shared locks); automatic ones are spaced so that they take at
  // most ~2% of wall time.
  std::chrono::steady_clock::duration last_checkpoint_cost_{};
  std::chrono::steady_clock::time_point last_checkpoint_at_{};
  StartupStats startup_;
  // The newest SeedSet's seed: written under every service's exclusive lock
  // (load, engine events), read under their shared locks (checkpoints).
  std::optional<uint64_t> seed_;
  Notifier notifier_;
  std::function<void()> on_effects_;

  ClockService* clock_ = nullptr;  // one of services_
  std::thread due_;
  std::mutex due_mu_;
  std::condition_variable due_cv_;
  bool due_dirty_ = false;  // guarded by due_mu_: look again
  bool due_stop_ = false;   // guarded by due_mu_
  std::atomic<bool> due_running_{false};
  // The due time the thread sleeps until: a write whose service now has
  // earlier work pokes it (see commit_decision).
  std::atomic<int64_t> armed_due_{kNeverDue};
};


}  // namespace podstack
