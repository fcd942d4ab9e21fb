#include "server/pods_api.h"

#include <algorithm>
#include <functional>
#include <set>
#include <sstream>

#include "server/protocol/encoding.h"
#include "store/compression.h"
#include "store/test_hook.h"

namespace podstack {

std::vector<std::string> split_csv(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ','))
    if (!item.empty()) out.push_back(item);
  return out;
}

int http_status_of(const Status& s) {
  switch (s.code()) {
    case Status::Code::kNotFound: return 404;
    case Status::Code::kInvalidArgument: return 400;
    case Status::Code::kCorruption:
    case Status::Code::kChecksumMismatch:
    case Status::Code::kUnsupportedVersion: return 422;
    case Status::Code::kBusy: return 409;
    default: return 500;
  }
}

namespace {

// The blob store entries a snapshot references (S3 bodies), in key order,
// handed to `visit` one by one straight from the store: a pod's blobs are
// never all in memory.
Status collect_blobs(Engine& engine, const proto::StateSnapshot& snap,
                     const std::function<Status(std::string_view, std::string_view)>& visit) {
  std::vector<std::string> prefixes;
  for (auto& ss : snap.services())
    if (Service* svc = engine.service(ss.service()))
      svc->blob_prefixes(ss.state(), [&](const std::string& p) { prefixes.push_back(p); });
  std::sort(prefixes.begin(), prefixes.end());
  prefixes.erase(std::unique(prefixes.begin(), prefixes.end()), prefixes.end());
  Status inner;
  Status st = engine.store().scan_blobs(prefixes, [&](std::string_view k, std::string_view v) {
    inner = visit(k, v);
    return inner.is_ok();
  });
  if (!st) return st;
  return inner;
}

// Writes a pod's blob entries into the store before its state is swapped in
// (entries are immutable and keyed by unique ids, so rewriting is harmless)
// as one bulk load (EventStore::BlobLoader): none is in the store until
// sync(), which makes them all durable at once; the PodLoaded event that
// references them is submitted only after that, so a crash anywhere before
// leaves the old state and no trace of the load.
class BlobRestore {
 public:
  explicit BlobRestore(EventStore& store) : store_(store) {}
  Status operator()(const pods::BlobBatch& batch) {
    if (!loader_) {
      auto l = store_.load_blobs();
      if (!l) return l.status();
      loader_ = std::move(*l);
    }
    for (auto& [k, v] : batch)
      if (Status st = loader_->add(k, v); !st) return st;
    if (!written_) test_hook("pod-load-blobs");
    written_ = true;
    return Status::ok();
  }
  Status sync() { return loader_ ? loader_->commit() : Status::ok(); }

 private:
  EventStore& store_;
  std::unique_ptr<EventStore::BlobLoader> loader_;
  bool written_ = false;
};

}  // namespace

Result<proto::PodHeader> save_pod(Engine& engine, pods::Registry& registry, const SaveOptions& o) {
  if (Status st = pods::validate_pod_name(o.name); !st) return st;
  for (auto& s : o.services)
    if (!engine.service(s)) return Status::invalid_argument("unknown service '" + s + "'");
  StateExport ex = engine.export_state(o.services);
  std::string raw = deterministic_bytes(ex.snapshot);
  proto::PodHeader h;
  h.set_name(o.name);
  h.set_message(o.message);
  h.set_created_ms(wall_clock_ms());
  h.set_podstack_version(o.producer_version);
  h.set_source_sequence(ex.info.last_sequence);
  h.set_state_hash(ex.info.hash);
  h.set_partial(!o.services.empty());
  for (auto& ss : ex.snapshot.services()) {
    auto* sum = h.add_services();
    sum->set_service(ss.service());
    sum->set_bytes(ss.state().size());
    for (auto& [n, hash] : ex.info.services)
      if (n == ss.service()) sum->set_hash(hash);
    for (auto& [n, count] : ex.resources)
      if (n == ss.service()) sum->set_resources(count);
  }
  std::string state = zstd_compress(raw, 3);
  h.set_state_bytes(raw.size());
  raw = std::string();
  engine.wait_for_writes();  // bodies committed with the exported events are in the store
  auto writer = registry.begin(h, state, o.progress);
  if (!writer) return writer.status();
  pods::PodWriter& w = **writer;
  if (Status st = collect_blobs(engine, ex.snapshot, [&](std::string_view k, std::string_view v) { return w.add_blob(k, v); });
      !st)
    return st;
  auto v = registry.publish(w);
  if (!v) return v.status();
  return w.header();
}

namespace {
PodLoad pod_load_of(const proto::PodHeader& h, const std::string& state, const LoadOptions& o) {
  PodLoad load;
  load.name = h.name();
  load.version = h.version();
  load.strategy = o.strategy;
  load.services = o.services;
  load.state = state;
  load.state_hash = h.state_hash();
  return load;
}

// The PodLoaded event for a pod whose state was checked and whose blobs are
// durable; then a checkpoint, so the next start does not replay it.
Result<proto::PodHeader> commit_pod_load(Engine& engine, const PodLoad& load, proto::StateSnapshot snap,
                                         const proto::PodHeader& header, const CallContext& ctx) {
  ExecResult r = engine.load_pod(load, std::move(snap), ctx);
  if (r.error) return Status::invalid_argument(r.error->message);
  if (Status st = r.commit->wait(); !st) return st;
  test_hook("pod-load-committed");
  if (Status st = engine.checkpoint(); !st) return st;
  return header;
}
}  // namespace

Result<proto::PodHeader> load_pod_from_registry(Engine& engine, const pods::Registry& registry, const LoadOptions& o,
                                                const CallContext& ctx) {
  uint64_t version = 0;
  auto path = registry.resolve(o.ref, &version);
  if (!path) return path.status();
  auto reader = pods::PodReader::open(*path, o.progress);
  if (!reader) return reader.status();
  pods::PodReader& r = **reader;
  r.header().set_name(o.ref.name);  // the registry's name and version win over what the file says
  r.header().set_version(version);
  PodLoad load = pod_load_of(r.header(), r.state(), o);
  // The state and the services first: a pod that cannot load writes nothing.
  proto::StateSnapshot snap;
  if (auto err = engine.check_pod(load, &snap)) return Status::invalid_argument(err->message);
  // Bodies next (S3), streamed from the file; the file's checksum is checked
  // at the end of the stream, before anything references them.
  BlobRestore restore(engine.store());
  if (Status st = r.read_blobs(std::ref(restore)); !st) return st;
  if (Status st = restore.sync(); !st) return st;
  return commit_pod_load(engine, load, std::move(snap), r.header(), ctx);
}

Result<proto::PodHeader> load_pod_content(Engine& engine, pods::PodContent pod, const LoadOptions& o, const CallContext& ctx) {
  PodLoad load = pod_load_of(pod.header, pod.state, o);
  proto::StateSnapshot snap;
  if (auto err = engine.check_pod(load, &snap)) return Status::invalid_argument(err->message);
  BlobRestore restore(engine.store());
  if (Status st = pods::for_each_blob(pod, std::ref(restore)); !st) return st;
  if (Status st = restore.sync(); !st) return st;
  return commit_pod_load(engine, load, std::move(snap), pod.header, ctx);
}

Status check_pod_content(const Engine& engine, const pods::PodContent& pod, const LoadOptions& o) {
  if (auto err = engine.check_pod(pod_load_of(pod.header, pod.state, o))) return Status::invalid_argument(err->message);
  return Status::ok();
}

std::string pod_label(const proto::PodHeader& h) { return h.name() + ":" + std::to_string(h.version()); }

Result<proto::StateSnapshot> pod_snapshot(const pods::PodContent& pod) {
  auto raw = zstd_decompress(pod.state);
  proto::StateSnapshot snap;
  if (!raw || !snap.ParseFromString(*raw))
    return Status::corruption("the state in pod " + pod_label(pod.header) + " is corrupt");
  return snap;
}

namespace {
std::vector<std::string> coverage(const proto::PodHeader& h) {
  std::vector<std::string> only;
  if (h.partial())
    for (auto& s : h.services()) only.push_back(s.service());
  return only;
}
}  // namespace

Result<StateDiff> diff_pods(const std::vector<std::unique_ptr<Service>>& services, const pods::PodContent& from,
                            const pods::PodContent& to) {
  auto a = pod_snapshot(from);
  if (!a) return a.status();
  auto b = pod_snapshot(to);
  if (!b) return b.status();
  // A partial pod says nothing about the services it left out.
  std::vector<std::string> only = coverage(from.header), ob = coverage(to.header);
  if (only.empty()) only = ob;
  else if (!ob.empty())
    std::erase_if(only, [&](const std::string& s) { return std::find(ob.begin(), ob.end(), s) == ob.end(); });
  if (only.empty() && (from.header.partial() || to.header.partial())) only.push_back("");  // disjoint: nothing to compare
  auto d = diff_states(services, service_states(*a), service_states(*b), only);
  if (!d) return d;
  d->from = pod_label(from.header);
  d->to = pod_label(to.header);
  return d;
}

Result<StateDiff> diff_live(const Engine& engine, const pods::PodContent& from) {
  auto a = pod_snapshot(from);
  if (!a) return a.status();
  std::vector<std::string> only = coverage(from.header);
  StateExport live = engine.export_state(only);
  auto d = diff_states(engine.services(), service_states(*a), service_states(live.snapshot), only);
  if (!d) return d;
  d->from = pod_label(from.header);
  d->to = "live";
  return d;
}

Result<VerifyResult> verify_pod(const Engine& engine, const pods::Registry& registry, const pods::PodRef& ref) {
  auto path = registry.resolve(ref);
  if (!path) return path.status();
  auto pod = pods::read_pod(*path);
  if (!pod) return pod.status();
  VerifyResult v;
  v.header = pod->header;
  v.live = engine.export_state(coverage(pod->header)).info;
  for (auto& [name, live_hash] : v.live.services) {
    std::string pod_hash = sha256_hex("");
    for (auto& s : pod->header.services())
      if (s.service() == name) pod_hash = s.hash();
    if (pod_hash != live_hash) v.differing.push_back(name);
  }
  v.ok = v.differing.empty() && (pod->header.partial() || v.live.hash == pod->header.state_hash());
  if (!v.ok) {
    auto d = diff_live(engine, *pod);
    if (!d) return d.status();
    v.diff = std::move(*d);
  }
  return v;
}

json::object header_json(const proto::PodHeader& h) {
  json::object o;
  o["name"] = h.name();
  o["version"] = h.version();
  o["message"] = h.message();
  o["created"] = protocol::iso8601(static_cast<double>(h.created_ms()) / 1000);
  o["podstack_version"] = h.podstack_version();
  o["source_sequence"] = h.source_sequence();
  o["state_hash"] = h.state_hash();
  o["state_bytes"] = h.state_bytes();
  o["compressed_bytes"] = h.compressed_bytes();
  o["partial"] = h.partial();
  o["blob_bytes"] = h.blob_bytes();
  o["blob_count"] = h.blob_count();
  json::object svcs;
  for (auto& s : h.services())
    svcs[s.service()] = json::object{{"hash", s.hash()}, {"resources", s.resources()}, {"bytes", s.bytes()}};
  o["services"] = std::move(svcs);
  return o;
}

json::object verify_json(const VerifyResult& v) {
  json::array diff;
  for (auto& d : v.differing) diff.push_back(json::string(d));
  return json::object{{"ok", v.ok},
                      {"pod", pod_label(v.header)},
                      {"pod_hash", v.header.state_hash()},
                      {"live_hash", v.live.hash},
                      {"live_sequence", v.live.last_sequence},
                      {"differing_services", std::move(diff)},
                      {"diff", diff_json(v.diff)}};
}

}  // namespace podstack
