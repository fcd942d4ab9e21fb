#include "server/pods_api.h"

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

// The blob stream of a pod: the blob store entries its state references,
//   repeated { u32 LE key length, key, u64 LE value length, value }
// sorted by key, zstd-compressed.
void put_le(std::string& out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i, v >>= 8) out += static_cast<char>(v & 0xff);
}
uint64_t get_le(std::string_view in, int bytes) {
  uint64_t v = 0;
  for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(in[i]);
  return v;
}

Result<std::string> collect_blobs(Engine& engine, const proto::StateSnapshot& snap, uint64_t* count) {
  std::set<std::string> prefixes;
  for (auto& ss : snap.services())
    if (Service* svc = engine.service(ss.service()))
      svc->blob_prefixes(ss.state(), [&](const std::string& p) { prefixes.insert(p); });
  std::string out;
  *count = 0;
  std::vector<std::string> sorted(prefixes.begin(), prefixes.end());
  Status st = engine.store().scan_blobs(sorted, [&](std::string_view k, std::string_view v) {
    put_le(out, k.size(), 4);
    out += k;
    put_le(out, v.size(), 8);
    out += v;
    ++*count;
  });
  if (!st) return st;
  return out;
}

// Writes a pod's blob entries into the store (before its state is swapped
// in; entries are immutable and keyed by unique ids, so rewriting is harmless).
Status restore_blobs(Engine& engine, std::string_view stream) {
  std::vector<std::pair<std::string_view, std::string_view>> batch;
  uint64_t batch_bytes = 0;
  while (!stream.empty()) {
    if (stream.size() < 4) return Status::corruption("the pod's blob stream is truncated");
    uint64_t kl = get_le(stream, 4);
    stream.remove_prefix(4);
    if (stream.size() < kl + 8) return Status::corruption("the pod's blob stream is truncated");
    std::string_view key = stream.substr(0, kl);
    stream.remove_prefix(kl);
    uint64_t vl = get_le(stream, 8);
    stream.remove_prefix(8);
    if (stream.size() < vl) return Status::corruption("the pod's blob stream is truncated");
    batch.emplace_back(key, stream.substr(0, vl));
    batch_bytes += kl + vl;
    stream.remove_prefix(vl);
    if (batch_bytes >= (4u << 20)) {  // bounded write batches
      if (Status st = engine.store().put_blobs(batch); !st) return st;
      batch.clear();
      batch_bytes = 0;
    }
  }
  if (!batch.empty()) return engine.store().put_blobs(batch);
  return Status::ok();
}

}  // namespace

Result<proto::PodHeader> save_pod(Engine& engine, pods::Registry& registry, const SaveOptions& o) {
  if (Status st = pods::validate_pod_name(o.name); !st) return st;
  for (auto& s : o.services)
    if (!engine.service(s)) return Status::invalid_argument("unknown service '" + s + "'");
  StateExport ex = engine.export_state(o.services);
  std::string raw = deterministic_bytes(ex.snapshot);
  pods::PodContent pod;
  proto::PodHeader& h = pod.header;
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
  pod.state = zstd_compress(raw, 3);
  h.set_state_bytes(raw.size());
  uint64_t blob_count = 0;
  engine.wait_for_writes();  // bodies committed with the exported events are in the store
  auto blobs = collect_blobs(engine, ex.snapshot, &blob_count);
  if (!blobs) return blobs.status();
  if (!blobs->empty()) {
    h.set_blob_bytes(blobs->size());
    h.set_blob_count(blob_count);
    pod.blobs = zstd_compress(*blobs, 1);
  }
  h.set_compressed_bytes(pod.state.size() + pod.blobs.size());
  auto v = registry.add(pod, o.progress);
  if (!v) return v.status();
  return pod.header;
}

Result<proto::PodHeader> load_pod_from_registry(Engine& engine, const pods::Registry& registry, const LoadOptions& o,
                                                const CallContext& ctx) {
  uint64_t version = 0;
  auto path = registry.resolve(o.ref, &version);
  if (!path) return path.status();
  auto pod = pods::read_pod(*path, o.progress);
  if (!pod) return pod.status();
  pod->header.set_name(o.ref.name);  // the registry's name and version win over what the file says
  pod->header.set_version(version);
  return load_pod_content(engine, std::move(*pod), o, ctx);
}

namespace {
PodLoad pod_load_of(const pods::PodContent& pod, const LoadOptions& o) {
  PodLoad load;
  load.name = pod.header.name();
  load.version = pod.header.version();
  load.strategy = o.strategy;
  load.services = o.services;
  load.state = pod.state;
  load.state_hash = pod.header.state_hash();
  return load;
}
}  // namespace

Status check_pod_content(const Engine& engine, const pods::PodContent& pod, const LoadOptions& o) {
  if (auto err = engine.check_pod(pod_load_of(pod, o))) return Status::invalid_argument(err->message);
  return Status::ok();
}

Result<proto::PodHeader> load_pod_content(Engine& engine, pods::PodContent pod, const LoadOptions& o, const CallContext& ctx) {
  PodLoad load = pod_load_of(pod, o);
  // Bodies first (S3): unreferenced until the state that names them is swapped in.
  if (!pod.blobs.empty()) {
    auto raw = zstd_decompress(pod.blobs);
    if (!raw) return raw.status();
    if (Status st = restore_blobs(engine, *raw); !st) return st;
  }
  ExecResult r = engine.load_pod(load, ctx);
  if (r.error) return Status::invalid_argument(r.error->message);
  if (Status st = r.commit->wait(); !st) return st;
  test_hook("pod-load-committed");
  // A checkpoint right after the load: the next start does not replay it.
  if (Status st = engine.checkpoint(); !st) return st;
  return pod.header;
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
