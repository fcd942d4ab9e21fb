#include "server/engine.h"

#include <boost/container/small_vector.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <chrono>
#include <shared_mutex>
#include <utility>

#include "server/clock_service.h"
#include "server/event_store_blobs.h"
#include "server/forked.h"
#include "server/protocol/encoding.h"
#include "store/compression.h"
#include "store/test_hook.h"

namespace podstack {

namespace {
constexpr uint32_t kSnapshotFormat = 1;
constexpr const char* kEngineService = "podstack";
}  // namespace

// ---- CommitTicket ----

void CommitTicket::complete(const Status& s) {
  Callback cb;
  {
    std::lock_guard lk(mu_);
    done_ = true;
    status_ = s;
    cb = std::move(cb_);
  }
  cv_.notify_all();
  if (cb) cb(s);
}

void CommitTicket::on_complete(Callback cb) {
  std::unique_lock lk(mu_);
  if (done_) {
    Status s = status_;
    lk.unlock();
    cb(s);
    return;
  }
  cb_ = std::move(cb);
}

std::optional<Status> CommitTicket::ready() {
  std::lock_guard lk(mu_);
  if (!done_) return std::nullopt;
  return status_;
}

void CommitTicket::write() {
  if (writer_ && !ready()) writer_->drain();
}

Status CommitTicket::wait() {
  write();
  std::unique_lock lk(mu_);
  cv_.wait(lk, [this] { return done_; });
  return status_;
}

// ---- DeferLogWrites ----

namespace {
thread_local bool t_defer_log_writes = false;
}  // namespace

DeferLogWrites::DeferLogWrites() : was_(t_defer_log_writes) { t_defer_log_writes = true; }
DeferLogWrites::~DeferLogWrites() { t_defer_log_writes = was_; }
bool DeferLogWrites::active() { return t_defer_log_writes; }

// ---- Engine ----

Status Engine::scan_log(uint64_t since, const std::function<bool(const proto::Event&)>& visit) const {
  proto::Event e;
  return store_->scan_events(since, [&](uint64_t, std::string_view bytes) {
    if (!e.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) return true;
    return visit(e);
  });
}

namespace {
proto::Event envelope(const CallContext& ctx, std::string_view service, std::string_view operation, std::string payload) {
  proto::Event e;
  e.set_time_ms(ctx.now_ms);
  e.set_account(ctx.account);
  e.set_region(ctx.region);
  e.set_service(std::string(service));
  e.set_operation(std::string(operation));
  e.set_request_id(ctx.request_id);
  e.set_payload(std::move(payload));
  return e;
}
// An event that cannot be applied stops replay, and so startup: the state
// after it would be a guess. The way out keeps every other event.
Status with_repair_hint(uint64_t seq, const Status& st) {
  return Status::corruption(st.message() + ". Every other event is intact: stop podstack and run `podstack log repair --drop " +
                            std::to_string(seq) + "` to drop this one event (it is kept, as a record of the repair, " +
                            "in the log), then start again");
}

// The invariant the log exists for: every committed event applies again.
// Replay parses the envelope and then the payload with the service's event
// message, and proto3 parsing refuses a `string` field that is not valid
// UTF-8 (serializing one only logs). So each event is checked with exactly
// what replay will do, before it is sequenced: nothing is applied or queued
// yet, and refusing it costs this request, never the store. A parse per
// event; see docs/decisions.md for its cost.
std::optional<std::string> unreplayable(const proto::Event& e, const Service* svc) {
  for (const std::string* f : {&e.account(), &e.region(), &e.service(), &e.operation(), &e.request_id()})
    if (!protocol::valid_utf8(*f)) return "an envelope field is not valid UTF-8";
  if (e.service() == kEngineService) {
    std::unique_ptr<google::protobuf::MessageLite> m;
    if (e.operation() == "PodLoaded") m = std::make_unique<proto::PodLoaded>();
    else if (e.operation() == "ResetState") m = std::make_unique<proto::StateReset>();
    else if (e.operation() == "EventDropped") m = std::make_unique<proto::EventDropped>();
    else if (e.operation() == "SeedSet") m = std::make_unique<proto::SeedSet>();
    else return "unknown engine event '" + e.operation() + "'";
    if (!m->ParseFromString(e.payload())) return "the engine event's payload does not parse";
    return std::nullopt;
  }
  if (!svc) return "no service '" + e.service() + "' to apply it";
  if (!svc->payload_parses(e.payload())) return "its payload does not parse again (a string that is not valid UTF-8?)";
  return std::nullopt;
}
}  // namespace

namespace {
Service* find_service(const std::vector<std::unique_ptr<Service>>& svcs, std::string_view name) {
  for (auto& s : svcs)
    if (s->name() == name) return s.get();
  return nullptr;
}

}  // namespace

void add_engine_services(std::vector<std::unique_ptr<Service>>& svcs) {
  if (!find_service(svcs, ClockService::kName)) svcs.push_back(make_clock_service());
  std::sort(svcs.begin(), svcs.end(), [](auto& a, auto& b) { return a->name() < b->name(); });
}

Engine::Engine(EngineOptions o, std::vector<std::unique_ptr<Service>> s)
    : options_(std::move(o)), services_(std::move(s)) {
  add_engine_services(services_);
  clock_ = dynamic_cast<ClockService*>(find_service(services_, ClockService::kName));
  // A clock change moves every due time and every long poll's deadline.
  if (clock_) clock_->set_on_change([this] { clock_changed(); });
}

int64_t Engine::now_ms() const { return clock_ ? clock_->now_ms() : wall_clock_ms(); }
bool Engine::clock_frozen() const { return clock_ && clock_->frozen(); }

void Engine::clock_changed() {
  poke_due();
  notifier_.notify_all();
  if (on_effects_) on_effects_();  // retries wait on the clock too
}

Result<std::unique_ptr<Engine>> Engine::open(EngineOptions options, std::vector<std::unique_ptr<Service>> services) {
  auto store = EventStore::open(options.store);
  if (!store) return store.status();
  return open(std::move(options), std::move(services), std::move(*store));
}

Result<std::unique_ptr<Engine>> Engine::open(EngineOptions options, std::vector<std::unique_ptr<Service>> services,
                                             std::unique_ptr<EventStore> store) {
  std::unique_ptr<Engine> e(new Engine(std::move(options), std::move(services)));
  e->store_ = std::move(store);
  e->blobs_ = std::make_unique<EventStoreBlobs>(*e->store_);
  for (auto& s : e->services_) s->attach_blobs(*e->blobs_);
  if (e->options_.skip_replay) {
    if (!e->options_.store.read_only) return Status::invalid_argument("skip_replay needs a read-only store");
    return e;
  }
  auto t0 = std::chrono::steady_clock::now();
  if (Status st = e->load(); !st) return st;
  if (!e->options_.store.read_only)
    for (auto& s : e->services_) s->recover();
  e->startup_.replay_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  if (!e->options_.store.read_only) {
    e->writer_ = std::make_unique<LogWriter>(*e->store_);
    e->maint_ = std::thread([raw = e.get()] { raw->maintenance_loop(); });
  }
  return e;
}

Engine::~Engine() { close().ignore_error(); }

Result<std::string> Engine::drop_event(const StoreOptions& options, uint64_t seq, const std::string& reason) {
  if (options.read_only || options.in_memory) return Status::invalid_argument("log repair needs the persistent store, writable");
  auto store = EventStore::open(options);
  if (!store) return store.status();
  std::string old;
  bool found = false;
  Status scan = (*store)->scan_events(seq, [&](uint64_t s, std::string_view bytes) {
    found = s == seq;
    if (found) old.assign(bytes);
    return false;
  });
  if (!scan) return scan;
  if (!found) return Status::not_found("the log holds no event " + std::to_string(seq));
  proto::Event orig;
  bool parsed = orig.ParseFromString(old);
  proto::EventDropped body;
  body.set_original(old);
  body.set_reason(reason);
  body.set_repaired_ms(wall_clock_ms());
  if (parsed && orig.service() == kEngineService && orig.operation() == "EventDropped")
    return Status::invalid_argument("event " + std::to_string(seq) + " is already a dropped event");
  proto::Event tomb;
  tomb.set_sequence(seq);
  tomb.set_time_ms(body.repaired_ms());
  tomb.set_service(kEngineService);
  tomb.set_operation("EventDropped");
  std::string what = "event " + std::to_string(seq) + " (unreadable, " + std::to_string(old.size()) + " bytes)";
  if (parsed) {
    // Fields that do not parse as UTF-8 never reach a proto3 string again.
    auto clean = [](const std::string& s) { return protocol::valid_utf8(s) ? s : std::string(); };
    body.set_original_service(clean(orig.service()));
    body.set_original_operation(clean(orig.operation()));
    tomb.set_account(clean(orig.account()));
    tomb.set_region(clean(orig.region()));
    tomb.set_request_id(clean(orig.request_id()));
    what = "event " + std::to_string(seq) + " (" + body.original_service() + "." + body.original_operation() + ", request " +
           tomb.request_id() + ")";
  }
  tomb.set_payload(body.SerializeAsString());
  if (auto why = unreplayable(tomb, nullptr)) return Status::corruption("the repair record would not replay: " + *why);
  if (Status st = (*store)->rewrite_event(seq, tomb.SerializeAsString()); !st) return st;
  return what;
}


Service* Engine::service(std::string_view name) const { return find_service(services_, name); }

void Engine::lock_all_exclusive() {
  for (auto& s : services_) s->mutex().lock();
}
void Engine::unlock_all_exclusive() {
  for (auto it = services_.rbegin(); it != services_.rend(); ++it) (*it)->mutex().unlock();
}

Status Engine::restore_checkpoint(Services& svcs, uint64_t at_most, uint64_t* restored_seq, uint64_t* skipped,
                                  int64_t* time_ms, std::optional<uint64_t>* seed) const {
  *restored_seq = 0;
  return store_->scan_checkpoints_desc([&](uint64_t seq, std::string_view bytes) {
    if (seq > at_most) return true;
    auto fail = [&](const std::string& why) {
      spdlog::warn("checkpoint at sequence {} is unusable ({}); falling back to an older one or a full replay", seq, why);
      if (skipped) ++*skipped;
      for (auto& s : svcs) s->clear();
      if (seed) seed->reset();
      return true;  // keep looking
    };
    if (seq > store_->last_sequence()) return fail("it is newer than the log");
    auto raw = zstd_decompress(bytes);
    if (!raw) return fail(raw.status().to_string());
    proto::StateSnapshot snap;
    if (!snap.ParseFromString(*raw)) return fail("snapshot does not parse");
    if (snap.format() > kSnapshotFormat) return fail("snapshot format " + std::to_string(snap.format()) + " is newer than this podstack");
    for (const auto& ss : snap.services()) {
      if (ss.service() == kEngineService) {  // the engine's own: the newest SeedSet
        proto::SeedSet s;
        if (!s.ParseFromString(ss.state())) return fail("the engine's state does not parse");
        if (seed) *seed = s.seed();
        continue;
      }
      Service* svc = find_service(svcs, ss.service());
      if (!svc) return fail("it holds state of unknown service '" + ss.service() + "'");
      if (Status st = svc->restore(ss.state()); !st) return fail(ss.service() + ": " + st.to_string());
    }
    *restored_seq = seq;
    if (time_ms) *time_ms = snap.time_ms();
    return false;
  });
}

Status Engine::load() {
  for (auto& s : services_) s->clear();
  startup_ = StartupStats{};
  seed_.reset();
  if (!options_.ignore_checkpoints) {
    Status scan = restore_checkpoint(services_, UINT64_MAX, &startup_.checkpoint_sequence, &startup_.skipped_checkpoints,
                                     &startup_.checkpoint_time_ms, &seed_);
    if (!scan) return scan;
  }
  checkpoint_seq_ = startup_.checkpoint_sequence;
  checkpoint_time_ms_ = startup_.checkpoint_time_ms;
  Status st = replay_into(services_, startup_.checkpoint_sequence + 1, UINT64_MAX, &startup_.replayed, &seed_);
  if (!st) return st;
  std::lock_guard lk(seq_mu_);
  last_seq_ = std::max(store_->last_sequence(), startup_.checkpoint_sequence);
  applied_seq_ = last_seq_;
  return Status::ok();
}

Status Engine::replay_into(Services& svcs, uint64_t from, uint64_t to, uint64_t* replayed,
                           std::optional<uint64_t>* seed) const {
  Status inner;
  proto::Event e;
  uint64_t expected = from;
  Status scan = store_->scan_events(from, [&](uint64_t seq, std::string_view bytes) {
    if (seq > to) return false;
    if (!e.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())) || e.sequence() != seq) {
      inner = with_repair_hint(seq, Status::corruption("event " + std::to_string(seq) + " in the log does not parse"));
      return false;
    }
    if (seq != expected && expected != 1) {
      inner = Status::corruption("the log has a gap: expected event " + std::to_string(expected) + ", found " + std::to_string(seq));
      return false;
    }
    expected = seq + 1;
    inner = apply_one(e, svcs, nullptr, nullptr, seed);
    if (!inner) {
      if (inner.code() == Status::Code::kCorruption) inner = with_repair_hint(seq, inner);
      return false;
    }
    if (replayed) ++*replayed;
    return true;
  });
  return scan ? inner : scan;
}

Status Engine::apply_one(const proto::Event& e, Services& svcs, const proto::StateSnapshot* preloaded,
                         google::protobuf::MessageLite* decoded, std::optional<uint64_t>* seed) const {
  if (e.service() == kEngineService) {
    try {
      apply_engine_event(e, svcs, preloaded, seed);
    } catch (const std::exception& ex) {
      return Status::corruption("event " + std::to_string(e.sequence()) + " (" + e.operation() + ") cannot be applied: " + ex.what());
    }
    return Status::ok();
  }
  Service* svc = find_service(svcs, e.service());
  if (!svc)
    return Status::unsupported_version("event " + std::to_string(e.sequence()) + " belongs to service '" + e.service() +
                                       "', which this podstack does not have");
  try {
    if (decoded) svc->apply_decoded(e, *decoded);
    else svc->apply(e);
  } catch (const std::exception& ex) {
    return Status::corruption("event " + std::to_string(e.sequence()) + " (" + e.service() + "." + e.operation() +
                              ") cannot be applied: " + ex.what());
  }
  return Status::ok();
}

void Engine::apply_engine_event(const proto::Event& e, Services& svcs, const proto::StateSnapshot* preloaded,
                                std::optional<uint64_t>* seed) const {
  if (e.operation() == "EventDropped") return;  // a repair: the event it replaced applies nothing
  if (e.operation() == "SeedSet") {
    // No service state: the seed only picks the ids of later requests.
    proto::SeedSet s;
    if (!s.ParseFromString(e.payload())) throw std::runtime_error("SeedSet event does not parse");
    if (seed) *seed = s.seed();
    return;
  }
  if (e.operation() == "ResetState") {
    proto::StateReset r;
    r.ParseFromString(e.payload());
    for (auto& s : svcs)
      if (r.service().empty() || s->name() == r.service()) s->clear();
  } else if (e.operation() == "PodLoaded") {
    proto::PodLoaded meta;
    if (!meta.ParseFromString(e.payload())) throw std::runtime_error("PodLoaded event does not parse");
    if (preloaded) {
      apply_pod(meta, *preloaded, svcs);
      return;
    }
    auto blob = store_->get_blob(meta.blob());
    if (!blob) throw std::runtime_error("the state of pod " + meta.name() + " is missing from the blob store");
    auto raw = zstd_decompress(*blob);
    proto::StateSnapshot snap;
    if (!raw || !snap.ParseFromString(*raw)) throw std::runtime_error("the stored state of pod " + meta.name() + " is corrupt");
    apply_pod(meta, snap, svcs);
  }
}

void Engine::apply_pod(const proto::PodLoaded& meta, const proto::StateSnapshot& snap, Services& svcs) {
  auto wanted = [&](std::string_view name) {
    return meta.services().empty() || std::find(meta.services().begin(), meta.services().end(), name) != meta.services().end();
  };
  for (auto& s : svcs) {
    if (!wanted(s->name())) continue;
    const proto::ServiceState* in_pod = nullptr;
    for (auto& ss : snap.services())
      if (ss.service() == s->name()) in_pod = &ss;
    if (meta.strategy() == "overwrite") {
      if (in_pod) {
        s->restore(in_pod->state()).ignore_error();  // validated before the event was written
      } else {
        s->clear();
      }
    } else if (in_pod && meta.strategy() == "service-merge") {
      s->restore(in_pod->state()).ignore_error();
    } else if (in_pod && meta.strategy() == "account-region-merge") {
      s->restore(merge_partitions(s->snapshot(), in_pod->state())).ignore_error();
    }
  }
}

StateExport Engine::export_services(const Services& svcs, uint64_t seq, const std::vector<std::string>& only) {
  StateExport out;
  out.snapshot.set_format(kSnapshotFormat);
  out.snapshot.set_sequence(seq);
  out.snapshot.set_time_ms(wall_clock_ms());
  out.info.last_sequence = seq;
  std::string combined;
  for (auto& s : svcs) {
    if (!only.empty() && std::find(only.begin(), only.end(), std::string(s->name())) == only.end()) continue;
    std::string bytes = s->snapshot();
    std::string h = sha256_hex(bytes);
    if (!bytes.empty()) {
      combined += std::string(s->name()) + "=" + h + "\n";
      out.resources.emplace_back(std::string(s->name()), s->resource_count());
      auto* ss = out.snapshot.add_services();
      ss->set_service(std::string(s->name()));
      ss->set_state(std::move(bytes));
    }
    out.info.services.emplace_back(std::string(s->name()), std::move(h));
  }
  out.info.hash = sha256_hex(combined);
  return out;
}

StateExport Engine::export_state(const std::vector<std::string>& only) const {
  std::vector<std::shared_lock<ServiceMutex>> locks;
  for (auto& s : services_) locks.emplace_back(s->mutex());
  return export_services(services_, applied_seq_.load(), only);
}

Result<StateExport> Engine::export_at(uint64_t seq, const std::vector<std::string>& only) const {
  if (!options_.factory) return Status::invalid_argument("this engine cannot build past states (no service factory)");
  if (seq > applied_seq_.load())
    return Status::invalid_argument("sequence " + std::to_string(seq) + " is in the future (the log ends at " +
                                    std::to_string(applied_seq_.load()) + ")");
  Services fresh = options_.factory();
  add_engine_services(fresh);
  uint64_t from = 0;
  if (Status st = restore_checkpoint(fresh, seq, &from, nullptr); !st) return st;
  if (Status st = replay_into(fresh, from + 1, seq, nullptr); !st) return st;
  return export_services(fresh, seq, only);
}

Result<uint64_t> Engine::sequence_at_time(int64_t ms) const {
  uint64_t found = 0;
  proto::Event e;
  Status st = store_->scan_events(1, [&](uint64_t seq, std::string_view bytes) {
    if (!e.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) return true;
    if (e.time_ms() > ms) return false;
    found = seq;
    return true;
  });
  if (!st) return st;
  return found;
}

ExecResult Engine::rollback(uint64_t seq, const CallContext& ctx) {
  auto ex = export_at(seq);
  if (!ex) {
    ExecResult r;
    r.error = ApiError::bad_request("InvalidParameter", ex.status().message());
    return r;
  }
  PodLoad load;
  load.name = "@rollback";
  load.version = seq;
  load.strategy = "overwrite";
  load.state = zstd_compress(deterministic_bytes(ex->snapshot));
  load.state_hash = ex->info.hash;
  return load_pod(load, ctx);
}

std::optional<ApiError> Engine::check_pod(const PodLoad& pod, proto::StateSnapshot* snap_out) const {
  if (pod.strategy != "overwrite" && pod.strategy != "service-merge" && pod.strategy != "account-region-merge")
    return ApiError::bad_request("InvalidParameter", "unknown strategy '" + pod.strategy +
                                                         "': use overwrite, service-merge or account-region-merge");
  // Everything is checked before live state is touched: the frame, the
  // snapshot, and every service's state restored into a fresh instance.
  auto raw = zstd_decompress(pod.state);
  proto::StateSnapshot local;
  proto::StateSnapshot& snap = snap_out ? *snap_out : local;
  if (!raw || !snap.ParseFromString(*raw)) return ApiError::bad_request("InvalidPod", "the pod's state is corrupt");
  if (snap.format() > kSnapshotFormat)
    return ApiError::bad_request("InvalidPod", "the pod's snapshot format is newer than this podstack");
  for (auto& ss : snap.services()) {
    Service* live = service(ss.service());
    if (!live)
      return ApiError::bad_request("InvalidPod", "the pod holds state of service '" + ss.service() +
                                                     "', which this podstack does not have");
    if (Status st = live->check_snapshot(ss.state()); !st)
      return ApiError::bad_request("InvalidPod", "the pod's " + ss.service() + " state is corrupt: " + st.to_string());
  }
  for (auto& name : pod.services)
    if (!service(name)) return ApiError::bad_request("InvalidParameter", "unknown service '" + name + "'");
  return std::nullopt;
}

ExecResult Engine::load_pod(const PodLoad& pod, const CallContext& ctx) {
  ExecResult r;
  if (!writer_) {
    r.error = ApiError::unavailable("podstack is read-only here");
    return r;
  }
  proto::StateSnapshot snap;
  if ((r.error = check_pod(pod, &snap))) return r;
  return load_pod(pod, std::move(snap), ctx);
}

ExecResult Engine::load_pod(const PodLoad& pod, proto::StateSnapshot snap, const CallContext& ctx) {
  if (!writer_) {
    ExecResult r;
    r.error = ApiError::unavailable("podstack is read-only here");
    return r;
  }
  test_hook("pod-load-checked");
  proto::PodLoaded meta;
  meta.set_name(pod.name);
  meta.set_version(pod.version);
  meta.set_strategy(pod.strategy);
  for (auto& s : pod.services) meta.add_services(s);
  meta.set_blob("pod/" + sha256_hex(pod.state));
  meta.set_state_hash(pod.state_hash);

  std::string blob_key = meta.blob();
  return commit_engine_event(envelope(ctx, kEngineService, "PodLoaded", meta.SerializeAsString()), &snap,
                             {{blob_key, pod.state}});
}

ExecResult Engine::commit_engine_event(proto::Event e, const proto::StateSnapshot* preloaded,
                                       std::vector<std::pair<std::string, std::string>> blobs) {
  ExecResult r;
  auto ticket = std::make_shared<CommitTicket>();
  lock_all_exclusive();
  if (failed_) {
    unlock_all_exclusive();
    r.error = refused_write();
    return r;
  }
  if (Status space = store_->admit_write(e.ByteSizeLong()); !space) {
    unlock_all_exclusive();
    r.error = ApiError::unavailable(space.message());
    return r;
  }
  if (auto why = unreplayable(e, nullptr)) {
    unlock_all_exclusive();
    events_refused_.fetch_add(1, std::memory_order_relaxed);
    spdlog::error("refused to log {}: {}; nothing was recorded", e.operation(), *why);
    r.error = ApiError::internal("podstack could not record this " + e.operation() + ": " + *why);
    return r;
  }
  {
    std::lock_guard seq(seq_mu_);
    e.set_sequence(++last_seq_);
    writer_->submit({{e.sequence(), e.SerializeAsString()}},
                    [this, ticket](const Status& st) {
                      if (!st) on_log_failure(st);
                      if (st) notifier_.notify(kLogKey);
                      // A loaded pod or a rollback may hold pending effects.
                      if (st && on_effects_) on_effects_();
                      ticket->complete(st);
                    },
                    std::move(blobs));
  }
  if (e.operation() == "PodLoaded") test_hook("pod-load-submitted");
  if (Status st = apply_one(e, services_, preloaded, nullptr, &seed_); !st) {
    spdlog::error("apply failed after commit: {}", st.to_string());
    on_log_failure(st);
  }
  mark_applied(e.sequence());
  unlock_all_exclusive();
  poke_due();  // a reset, pod or rollback replaces whatever was due
  r.output = json::object{{"sequence", e.sequence()}};
  r.commit = std::move(ticket);
  return r;
}

namespace {
// Runs a service hook that has no error result (deliver, effect_attempted):
// whatever it throws becomes an error value here, with a log line, and
// never reaches the thread's top (which would end the process).
std::optional<ApiError> guarded(const Service& svc, const char* what, const std::function<void()>& fn) {
  try {
    fn();
    return std::nullopt;
  } catch (const ApiError& e) {
    spdlog::error("{}.{} threw {} ({}); nothing was recorded", svc.name(), what, e.code, e.message);
  } catch (const std::exception& e) {
    spdlog::error("{}.{} threw: {}; nothing was recorded", svc.name(), what, e.what());
  }
  return ApiError::internal(std::string("podstack could not complete this request (") + std::string(svc.name()) + " " + what +
                            " failed); nothing was changed");
}
}  // namespace

ExecResult Engine::execute(Service& svc, std::string_view op, const json::object& input, const CallContext& ctx,
                           const json::object* body) {
  if (!svc.mutating(op)) {
    ExecResult r;
    Decision d;
    {
      // A stateless service has no lock of its own (Service::has_state).
      std::shared_lock<ServiceMutex> lk;
      if (svc.has_state()) lk = std::shared_lock<ServiceMutex>(svc.mutex());
      r.error = svc.decide(op, input, body, ctx, d);
    }
    if (r.error) return r;
    if (d.has_events() || !d.deliveries.empty() || !d.blobs.empty()) {
      // Its table marks it a read: nothing it decided may be lost silently.
      spdlog::error("{}.{} is a read but decided {} event(s); nothing was recorded (a podstack bug)", svc.name(), op,
                    d.event_count());
      r.error = ApiError::internal("podstack could not answer this request: a read operation tried to change state");
      return r;
    }
    r.output = std::move(d.output);
    r.stream = std::move(d.stream);
    r.status = d.status;
    r.raw_xml = std::move(d.raw_xml);
    return r;
  }
  return commit_decision(svc, op, ctx, [&](Decision& d) { return svc.decide(op, input, body, ctx, d); });
}

ExecResult Engine::record_effect(Service& svc, const EffectAttempt& attempt, const CallContext& ctx) {
  return commit_decision(svc, "EffectAttempted", ctx, [&](Decision& d) -> std::optional<ApiError> {
    return guarded(svc, "effect_attempted", [&] { svc.effect_attempted(attempt, ctx, d); });
  });
}

namespace {
size_t service_index(const std::vector<std::unique_ptr<Service>>& svcs, std::string_view name) {
  for (size_t i = 0; i < svcs.size(); ++i)
    if (svcs[i]->name() == name) return i;
  return svcs.size();
}
}  // namespace

ExecResult Engine::commit_decision(Service& svc, std::string_view op, const CallContext& ctx,
                                   const std::function<std::optional<ApiError>(Decision&)>& decide) {
  ExecResult r;
  Decision d;
  if (!writer_) {
    r.error = ApiError::unavailable("podstack is read-only here");
    return r;
  }
  // Locks in services_ order (by name): the cause's first, then each
  // delivery target, always later in that order (see Delivery).
  const size_t self = service_index(services_, svc.name());
  std::vector<std::unique_lock<ServiceMutex>> locks;
  locks.emplace_back(svc.mutex());
  // Whose due work may have moved; inline, no allocation per write.
  boost::container::small_vector<const Service*, 8> touched{&svc};
  if (failed_) {
    r.error = refused_write();
    return r;
  }
  if (Status space = store_->admit_write(0); !space) {
    r.error = ApiError::unavailable(space.message());
    return r;
  }
  r.error = decide(d);
  if (r.error) return r;
  r.output = std::move(d.output);
  r.stream = std::move(d.stream);
  r.status = d.status;
  r.raw_xml = std::move(d.raw_xml);
  if (d.wait && d.events_.empty()) {
    // Under the service lock, so a write that notifies after this is seen.
    d.wait->seen = notifier_.count(d.wait->key);
    r.wait = std::move(d.wait);
  }

  std::vector<proto::Event> events;
  events.reserve(d.events_.size());
  for (auto& payload : d.events_) events.push_back(envelope(ctx, svc.name(), op, std::move(payload)));
  std::vector<std::unique_ptr<google::protobuf::MessageLite>> decoded = std::move(d.decoded_);  // events' prefix
  bool effects = d.effects;

  // Deliveries, target by target in lock order; a target may deliver further
  // (S3 -> SNS -> SQS), only to later services.
  if (!d.deliveries.empty()) {
    std::map<size_t, std::vector<Delivery>> pending;
    auto enqueue = [&](std::vector<Delivery>& ds, size_t from, std::string_view from_name) {
      for (auto& dl : ds) {
        size_t to = service_index(services_, dl.service);
        if (to >= services_.size() || from >= services_.size() || to <= from) {
          spdlog::error("{} may not deliver to {} (unknown, or not after it in lock order); dropped", from_name,
                        dl.service);
          continue;
        }
        pending[to].push_back(std::move(dl));
      }
    };
    enqueue(d.deliveries, self, svc.name());
    while (!pending.empty()) {
      auto node = pending.extract(pending.begin());
      Service& target = *services_[node.key()];
      locks.emplace_back(target.mutex());
      touched.push_back(&target);
      // One deliver() call per target partition, in arrival order.
      std::vector<Delivery>& all = node.mapped();
      std::vector<bool> done(all.size(), false);
      for (size_t i = 0; i < all.size(); ++i) {
        if (done[i]) continue;
        CallContext tctx = ctx;
        if (!all[i].account.empty()) tctx.account = all[i].account;
        if (!all[i].region.empty()) tctx.region = all[i].region;
        std::vector<Delivery> group;
        for (size_t j = i; j < all.size(); ++j) {
          if (done[j]) continue;
          const std::string& a = all[j].account.empty() ? ctx.account : all[j].account;
          const std::string& g = all[j].region.empty() ? ctx.region : all[j].region;
          if (a != tctx.account || g != tctx.region) continue;
          done[j] = true;
          group.push_back(std::move(all[j]));
        }
        Decision td;
        if (auto err = guarded(target, "deliver", [&] { target.deliver(group, tctx, td); })) {
          // The cause fails whole: nothing of it, nor of any delivery, is logged.
          r = ExecResult{};
          r.error = std::move(err);
          return r;
        }
        for (auto& payload : td.events_)
          events.push_back(envelope(tctx, target.name(), "Deliver", std::move(payload)));
        for (auto& b : td.blobs) d.blobs.push_back(std::move(b));
        for (auto& k : td.notify) d.notify.push_back(std::move(k));
        effects = effects || td.effects;
        enqueue(td.deliveries, node.key(), target.name());
      }
    }
  }
  if (events.empty()) return r;
  for (const proto::Event& e : events) {
    if (auto why = unreplayable(e, find_service(services_, e.service()))) {
      // The edge (protocol layer, decide()) should have answered AWS's
      // error before this: reaching here is a podstack bug, reported as one.
      events_refused_.fetch_add(1, std::memory_order_relaxed);
      spdlog::error("refused to log {}.{} (request {}): {}; nothing was recorded", e.service(), e.operation(),
                    ctx.request_id, *why);
      ExecResult refused;
      refused.error = ApiError::internal("podstack could not record this request: its event would not replay (" +
                                         *why + "); nothing was changed");
      return refused;
    }
  }

  // With an fsync per group the writer thread writes (see below), never a waiter.
  auto ticket = std::make_shared<CommitTicket>(options_.store.sync ? nullptr : writer_.get());
  {
    std::vector<std::pair<uint64_t, std::string>> bytes;
    bytes.reserve(events.size());
    std::lock_guard seq(seq_mu_);
    for (auto& e : events) {
      e.set_sequence(++last_seq_);
      bytes.emplace_back(e.sequence(), e.SerializeAsString());
    }
    writer_->submit(
        std::move(bytes),
        [this, ticket, effects](const Status& st) {
          if (!st) on_log_failure(st);
          // Written, so a log reader sees the events: wake /_podstack/log
          // long polls (a count bump under an idle mutex when none waits).
          if (st) notifier_.notify(kLogKey);
          // Effects are attempted only once their cause is durable.
          if (st && effects && on_effects_) on_effects_();
          ticket->complete(st);
        },
        std::move(d.blobs), /*drain_inline=*/!options_.store.sync);
  }
  for (size_t i = 0; i < events.size(); ++i) {
    const proto::Event& e = events[i];
    if (Status st = apply_one(e, services_, nullptr, i < decoded.size() ? decoded[i].get() : nullptr); !st) {
      spdlog::error("apply failed after commit: {}", st.to_string());
      on_log_failure(st);
    }
  }
  mark_applied(events.back().sequence());
  for (auto& k : d.notify) notifier_.notify(k);
  // Due work earlier than what the due-work thread waits for (a new TTL
  // item, a deletion scheduled): wake it. One virtual call per service
  // touched; services without due work answer kNeverDue, never earlier.
  if (due_running_.load(std::memory_order_relaxed)) {
    const int64_t armed = armed_due_.load(std::memory_order_acquire);
    for (const Service* t : touched)
      if (t->next_due().at_ms < armed) {
        poke_due();
        break;
      }
  }
  while (!locks.empty()) locks.pop_back();  // release in reverse order
  r.commit = std::move(ticket);
  // Once per checkpoint, not once per write while the maintenance thread
  // spaces checkpoints out (that woke it on every commit).
  if (applied_seq_ - checkpoint_seq_ >= options_.checkpoint_every && !checkpoint_requested_.exchange(true)) {
    std::lock_guard ml(maint_mu_);
    want_checkpoint_ = true;
    maint_cv_.notify_one();
  }
  // Write the group on this thread when no write is in progress (see
  // LogWriter): usually the ticket is complete when execute() returns. Not
  // with an fsync per group (PERSISTENCE_SYNC=1): that would hold this I/O
  // thread for milliseconds, and the writer thread batches better there.
  // Not under DeferLogWrites either: the caller writes, after other commits.
  if (!options_.store.sync && !DeferLogWrites::active()) writer_->drain();
  return r;
}

ExecResult Engine::reset(const std::string& service_name, const CallContext& ctx) {
  ExecResult r;
  if (!writer_) {
    r.error = ApiError::unavailable("podstack is read-only here");
    return r;
  }
  proto::StateReset body;
  body.set_service(service_name);
  return commit_engine_event(envelope(ctx, kEngineService, "ResetState", body.SerializeAsString()), nullptr, {});
}

std::optional<uint64_t> Engine::seed() const {
  std::vector<std::shared_lock<ServiceMutex>> locks;
  for (auto& s : services_) locks.emplace_back(s->mutex());
  return seed_;
}

ExecResult Engine::record_seed(uint64_t seed, const CallContext& ctx) {
  if (!writer_) {
    ExecResult r;
    r.error = ApiError::unavailable("podstack is read-only here");
    return r;
  }
  proto::SeedSet body;
  body.set_seed(seed);
  return commit_engine_event(envelope(ctx, kEngineService, "SeedSet", body.SerializeAsString()), nullptr, {});
}

void Engine::on_log_failure(const Status& s) {
  std::lock_guard ml(maint_mu_);
  if (failed_.exchange(true)) return;
  spdlog::error("log write failed ({}); refusing writes and rebuilding state from the log", s.to_string());
  failure_ = s;
  want_rebuild_ = true;
  maint_cv_.notify_one();
}

ApiError Engine::refused_write() const {
  std::lock_guard ml(maint_mu_);
  if (failure_.code() == Status::Code::kNoSpace)
    return ApiError::unavailable(failure_.message());
  return ApiError::unavailable("podstack is recovering from a failed log write (" + failure_.to_string() +
                               "); retry shortly");
}

std::string Engine::write_refusal() const {
  if (failed_) {
    std::lock_guard ml(maint_mu_);
    return "writes are refused while the store recovers from a failed write: " + failure_.to_string();
  }
  StoreDiskState d = store_->disk_state();
  if (d.low)
    return "the data dir " + store_->path() + " is below its free-space reserve (" + std::to_string(d.free_bytes >> 20) +
           " MiB free, " + std::to_string(d.reserve_bytes >> 20) + " MiB reserved): writes are refused, reads go on";
  if (!d.background_error.empty()) return "the store reports a background error: " + d.background_error;
  return {};
}

std::vector<std::string> Engine::problems() const {
  std::vector<std::string> out;
  if (std::string w = write_refusal(); !w.empty()) out.push_back(std::move(w));
  for (auto& p : store_->problems()) out.push_back(p);
  return out;
}

bool Engine::wait_store_writable() {
  // After a failed write RocksDB refuses every write until DB::Resume(); a
  // full disk must first get its reserve back. Retried every second, so
  // writes come back by themselves once space is freed.
  for (bool logged = false;;) {
    Status st = store_->try_resume();
    if (st) return true;
    if (!logged) {
      spdlog::warn("the store does not take writes yet ({}); trying again every second", st.to_string());
      logged = true;
    }
    std::unique_lock lk(maint_mu_);
    if (failure_.code() != Status::Code::kNoSpace && st.code() == Status::Code::kNoSpace) failure_ = st;
    if (maint_cv_.wait_for(lk, std::chrono::seconds(1), [this] { return stop_; })) return false;
  }
}

void Engine::wait_writable() {
  std::unique_lock lk(maint_mu_);
  writable_cv_.wait(lk, [this] { return !failed_ || stop_; });
}

// Writers of different services commit concurrently, so they finish their
// apply in any order: a plain store could move applied_seq_ back (seq 10
// applied after seq 11), and a checkpoint, which reads it under every
// service's lock when all assigned events are applied, was then labelled
// with a sequence older than its state and replayed the difference twice
// after a restart (tests/crash/test_crash.py caught a DynamoDB counter
// incremented twice). The maximum is the state's sequence.
void Engine::mark_applied(uint64_t seq) {
  uint64_t cur = applied_seq_.load();
  while (cur < seq && !applied_seq_.compare_exchange_weak(cur, seq)) {
  }
}

uint64_t Engine::log_writes() const { return writer_ ? writer_->batches_written() : 0; }
void Engine::wait_log_idle() {
  if (writer_) writer_->wait_idle();
}

uint64_t Engine::last_sequence() const { return applied_seq_.load(); }

StateInfo Engine::state_info() const {
  StateInfo info;
  std::vector<std::shared_lock<ServiceMutex>> locks;
  for (auto& s : services_) locks.emplace_back(s->mutex());
  info.last_sequence = applied_seq_.load();
  std::string combined;
  for (auto& s : services_) {
    std::string snap = s->snapshot();
    std::string h = sha256_hex(snap);
    // Services without state do not enter the combined hash, so adding a
    // service to podstack never changes the hash of an existing state.
    if (!snap.empty()) combined += std::string(s->name()) + "=" + h + "\n";
    info.services.emplace_back(std::string(s->name()), std::move(h));
  }
  info.hash = sha256_hex(combined);
  return info;
}

CheckpointInfo Engine::last_checkpoint() const {
  CheckpointInfo c;
  c.sequence = checkpoint_seq_.load();
  c.time_ms = checkpoint_time_ms_.load();
  c.written = checkpoints_written_.load();
  c.forked = checkpoints_forked_.load();
  c.last_pause_ms = checkpoint_pause_ms_.load();
  c.last_duration_ms = checkpoint_duration_ms_.load();
  return c;
}

Status Engine::checkpoint() { return checkpoint(options_.fork_checkpoints && fork_ok_.load()); }

Status Engine::checkpoint(bool forked) {
  if (!writer_) return Status::invalid_argument("read-only engine");
  std::lock_guard one_at_a_time(checkpoint_mu_);
  uint64_t seq;
  int64_t time_ms;
  auto t0 = std::chrono::steady_clock::now();
  // Every service's state as of `seq`, serialized: in a forked child (the
  // locks are held only for the fork) or here, under the locks throughout.
  auto serialize = [&] {
    proto::StateSnapshot snap;
    snap.set_format(kSnapshotFormat);
    snap.set_sequence(seq);
    snap.set_time_ms(time_ms);
    // The engine's own state, as service "podstack" (checkpoints only, not
    // pods): the newest seed, so a restart need not read the log before it.
    std::string engine_state;
    if (seed_) {
      proto::SeedSet s;
      s.set_seed(*seed_);
      engine_state = s.SerializeAsString();
    }
    for (auto& s : services_) {
      if (!engine_state.empty() && s->name() > kEngineService) {
        auto* ss = snap.add_services();
        ss->set_service(kEngineService);
        ss->set_state(std::exchange(engine_state, std::string()));
      }
      std::string bytes = s->snapshot();
      if (bytes.empty()) continue;
      auto* ss = snap.add_services();
      ss->set_service(std::string(s->name()));
      ss->set_state(std::move(bytes));
    }
    if (!engine_state.empty()) {
      auto* ss = snap.add_services();
      ss->set_service(kEngineService);
      ss->set_state(std::move(engine_state));
    }
    return zstd_compress(deterministic_bytes(snap));
  };
  std::string bytes;
  std::chrono::steady_clock::duration paused{};
  bool was_forked = false;
  for (bool fork_now = forked;; fork_now = false) {
    std::optional<ForkedProducer> child;
    {
      std::vector<std::shared_lock<ServiceMutex>> locks;
      for (auto& s : services_) locks.emplace_back(s->mutex());
      auto locked = std::chrono::steady_clock::now();
      seq = applied_seq_.load();
      if (seq == 0 || seq == checkpoint_seq_) return Status::ok();
      time_ms = wall_clock_ms();
      if (fork_now) child = ForkedProducer::start(serialize);
      if (!child) bytes = serialize();
      paused = std::chrono::steady_clock::now() - locked;
    }
    if (!child) break;
    auto r = child->finish();
    if (r) {
      bytes = std::move(*r);
      was_forked = true;
      break;
    }
    // A child that failed (killed, out of memory) changes nothing durable:
    // take this checkpoint in-process, and the next ones too.
    spdlog::warn("forked checkpoint at sequence {} failed ({}); checkpoints are taken in-process from now on", seq,
                 r.status().to_string());
    fork_ok_ = false;
  }
  {
    std::lock_guard lk(maint_mu_);
    last_checkpoint_at_ = std::chrono::steady_clock::now();
    last_checkpoint_cost_ = last_checkpoint_at_ - t0;
  }
  const double pause_ms = std::chrono::duration<double, std::milli>(paused).count();
  const double cost_ms = std::chrono::duration<double, std::milli>(last_checkpoint_cost_).count();
  spdlog::debug("checkpoint at sequence {} ({}): {} bytes in {:.1f} ms, writers paused {:.2f} ms", seq,
                was_forked ? "forked" : "in-process", bytes.size(), cost_ms, pause_ms);
  // A checkpoint is an optimisation: with the disk at its reserve it waits
  // (the log alone still rebuilds the state).
  if (Status space = store_->admit_write(bytes.size()); !space) return space;
  auto ticket = std::make_shared<CommitTicket>();
  writer_->submit_checkpoint(seq, std::move(bytes), [ticket](const Status& st) { ticket->complete(st); });
  Status st = ticket->wait();
  if (!st) return st;
  checkpoint_seq_ = seq;
  checkpoint_time_ms_ = time_ms;
  checkpoint_pause_ms_ = pause_ms;
  checkpoint_duration_ms_ = cost_ms;
  ++checkpoints_written_;
  if (was_forked) ++checkpoints_forked_;
  return store_->prune_checkpoints(2);
}

void Engine::maintenance_loop() {
  for (;;) {
    bool ckpt = false, rebuild = false;
    {
      std::unique_lock lk(maint_mu_);
      maint_cv_.wait(lk, [this] { return stop_ || want_checkpoint_ || want_rebuild_; });
      if (stop_) return;
      std::swap(ckpt, want_checkpoint_);
      std::swap(rebuild, want_rebuild_);
    }
    if (rebuild) {
      writer_->flush().ignore_error();  // let in-flight batches fail or finish first
      if (!wait_store_writable()) return;
      lock_all_exclusive();
      Status st = load();
      if (st) {
        writer_->clear_failure();
        {
          std::lock_guard lk(maint_mu_);
          failed_ = false;
          failure_ = Status::ok();
        }
        writable_cv_.notify_all();
        spdlog::info("state rebuilt from the log at sequence {}; writes accepted again", applied_seq_.load());
      } else {
        spdlog::error("rebuilding state from the log failed: {}; writes stay refused", st.to_string());
      }
      unlock_all_exclusive();
    }
    if (ckpt) {
      if (!failed_) {
        std::unique_lock lk(maint_mu_);
        auto not_before = last_checkpoint_at_ + 50 * last_checkpoint_cost_;
        if (maint_cv_.wait_until(lk, not_before, [this] { return stop_; })) return;
        lk.unlock();
        if (Status st = checkpoint(); !st) spdlog::warn("checkpoint failed: {}", st.to_string());
      }
      checkpoint_requested_ = false;  // the next write past the threshold asks again
    }
  }
}

// ---- work that comes due on the clock ----

void Engine::start_due_work() {
  if (!writer_ || due_.joinable()) return;
  due_running_.store(true);
  due_ = std::thread([this] { due_loop(); });
}

void Engine::poke_due() {
  {
    std::lock_guard lk(due_mu_);
    due_dirty_ = true;
  }
  due_cv_.notify_one();
}

// Sleeps until the earliest due time on the clock, or until a write, a
// clock change or a pod/rollback pokes it; then commits what is due.
// While it runs, armed_due_ is kArmedAll so that any write with due work
// pokes it again (it may have read that service's next_due() before).
void Engine::due_loop() {
  constexpr int64_t kArmedAll = INT64_MIN;
  std::unique_lock lk(due_mu_);
  while (!due_stop_) {
    due_dirty_ = false;
    armed_due_.store(kArmedAll, std::memory_order_release);
    lk.unlock();
    int64_t next = run_due();
    lk.lock();
    if (due_dirty_ || due_stop_) continue;
    armed_due_.store(next, std::memory_order_release);
    auto woken = [this] { return due_dirty_ || due_stop_; };
    if (next == kNeverDue || clock_frozen()) {
      due_cv_.wait(lk, woken);  // a frozen clock moves only by a change, which pokes
    } else {
      int64_t wait = std::clamp<int64_t>(next - now_ms(), 1, 3600 * 1000);
      due_cv_.wait_for(lk, std::chrono::milliseconds(wait), woken);
    }
  }
}

int64_t Engine::run_due() {
  int64_t next = kNeverDue;
  for (auto& s : services_) {
    if (!s->has_state()) continue;
    // Bounded: each round commits one partition's due work.
    for (int round = 0; round < 10000 && !due_stop_requested(); ++round) {
      DueWork w;
      {
        std::shared_lock l(s->mutex());
        w = s->next_due();
      }
      if (w.at_ms == kNeverDue) break;
      const int64_t now = now_ms();
      if (w.at_ms > now) {
        next = std::min(next, w.at_ms);
        break;
      }
      CallContext ctx;
      ctx.account = w.account;
      ctx.region = w.region;
      ctx.now_ms = now;
      ctx.request_id = random_uuid();
      ExecResult r = commit_decision(*s, "DueWork", ctx, [&](Decision& d) {
        return guarded(*s, "decide_due", [&] { s->decide_due(ctx, d); });
      });
      Status st = r.commit ? r.commit->wait() : Status::ok();
      if (r.error || !st) {
        // Writes refused (a full disk, a failed write being recovered):
        // try again in a second.
        spdlog::warn("{}: due work at {} not committed ({}); retrying", s->name(), w.at_ms,
                     r.error ? r.error->message : st.to_string());
        next = std::min(next, now + 1000);
        break;
      }
      if (!r.commit) {
        // Nothing to do can be right: next_due() may have named work that
        // decide_due() found no longer applies (a TTL value too old to
        // expire), provided it now names a later time.
        {
          std::shared_lock l(s->mutex());
          if (s->next_due().at_ms > now) continue;
        }
        // Still due, yet nothing decided: a service bug. Ask again in a
        // minute rather than spin.
        spdlog::error("{}: next_due() says work is due at {} in {}/{} but decide_due() decided nothing", s->name(),
                      w.at_ms, w.account, w.region);
        next = std::min(next, now + 60 * 1000);
        break;
      }
    }
  }
  return next;
}

bool Engine::due_stop_requested() {
  std::lock_guard lk(due_mu_);
  return due_stop_;
}

Status Engine::close() {
  notifier_.shutdown();
  if (due_.joinable()) {
    {
      std::lock_guard lk(due_mu_);
      due_stop_ = true;
    }
    due_cv_.notify_one();
    due_.join();
  }
  if (maint_.joinable()) {
    {
      std::lock_guard lk(maint_mu_);
      stop_ = true;
    }
    maint_cv_.notify_one();
    maint_.join();
  }
  Status st;
  if (writer_) {
    st = writer_->flush();
    if (st && !failed_) st = checkpoint(/*forked=*/false);  // no writers left to pause
    writer_.reset();
  }
  return st;
}

std::string Engine::summarize(const proto::Event& e) const {
  if (e.service() == kEngineService) {
    if (e.operation() == "PodLoaded") {
      proto::PodLoaded p;
      p.ParseFromString(e.payload());
      if (p.name() == "@rollback") return "rollback to sequence " + std::to_string(p.version());
      return "pod=" + p.name() + ":" + std::to_string(p.version()) + " strategy=" + p.strategy();
    }
    if (e.operation() == "SeedSet") {
      proto::SeedSet d;
      d.ParseFromString(e.payload());
      return "seed=" + std::to_string(d.seed());
    }
    if (e.operation() == "EventDropped") {
      proto::EventDropped d;
      d.ParseFromString(e.payload());
      return "dropped " + (d.original_service().empty() ? std::string("an unreadable event") : d.original_service() + "." + d.original_operation()) +
             " (" + std::to_string(d.original().size()) + " bytes kept): " + d.reason();
    }
    proto::StateReset r;
    r.ParseFromString(e.payload());
    return r.service().empty() ? "all services" : "service=" + r.service();
  }
  Service* s = service(e.service());
  return s ? s->summarize(e) : std::string();
}

}  // namespace podstack
