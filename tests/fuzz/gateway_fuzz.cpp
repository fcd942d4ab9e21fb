// Fuzzes the whole request path below the socket (gateway routing, every
// protocol codec, S3's streamed bodies, the services' decide/apply) on an
// in-memory engine, and checks podstack's core invariant after every input:
// the events a request logged apply again from their logged bytes. A shadow
// set of services replays each new event from the store; its snapshots must
// equal the live ones byte for byte, and every live snapshot must restore.
//
// Input: one HTTP request, in the format of tests/fuzz/gateway_request.h.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "proto/event.pb.h"
#include "server/gateway.h"
#include "server/services/registry.h"
#include "tests/fuzz/fuzz_input.h"
#include "tests/fuzz/gateway_request.h"

using namespace podstack;

namespace {

using Services = std::vector<std::unique_ptr<Service>>;

Service* find(const Services& svcs, std::string_view name) {
  for (auto& s : svcs)
    if (s->name() == name) return s.get();
  return nullptr;
}

// The live engine and its replica. Rebuilt every kInputsPerWorld inputs so
// state (and the time per input) stays small.
struct World {
  std::unique_ptr<Engine> engine;
  std::unique_ptr<Gateway> gateway;
  Services shadow;   // every event applied from its logged bytes
  Services scratch;  // restore() target for the live snapshots
  uint64_t seen = 0;  // last sequence applied to the shadow
  std::map<std::string, std::string, std::less<>> checked;  // service -> last snapshot that passed
  World() {
    EngineOptions o;
    o.store.in_memory = true;
    o.factory = [] { return make_services(); };
    o.fork_checkpoints = false;  // no fork() under the fuzzer
    o.checkpoint_every = UINT64_MAX;
    auto e = Engine::open(o, make_services());
    if (!e) fuzz::violated("the in-memory engine does not open: " + e.status().to_string());
    engine = std::move(*e);
    gateway = std::make_unique<Gateway>(*engine, GatewayOptions{});
    shadow = make_services();
    scratch = make_services();
    add_engine_services(shadow);
    add_engine_services(scratch);
    seen = engine->last_sequence();
  }
};
constexpr int kInputsPerWorld = 500;

void resync_shadow(World& w) {
  for (auto& s : w.engine->services())
    if (Status st = find(w.shadow, s->name())->restore(s->snapshot()); !st)
      fuzz::violated(std::string(s->name()) + ": its snapshot does not restore: " + st.to_string());
}

// The invariant: replay of the new events reproduces the live state.
void check_replay(World& w, std::string_view label) {
  // The engine refuses an event that would not replay (so the log stays
  // replayable whatever decide() built); each refusal is an input the edge
  // (codecs, decide()) should have answered with AWS's error: a bug too.
  if (w.engine->events_refused() != 0)
    fuzz::violated(std::string(label) + " decided an event that would not replay (the engine refused it)");
  std::vector<std::pair<uint64_t, std::string>> fresh;
  Status scan = w.engine->store().scan_events(w.seen + 1, [&](uint64_t seq, std::string_view bytes) {
    fresh.emplace_back(seq, std::string(bytes));
    return true;
  });
  if (!scan) fuzz::violated("the log does not scan: " + scan.to_string());
  bool resync = false;
  for (auto& [seq, bytes] : fresh) {
    proto::Event e;
    if (!e.ParseFromString(bytes) || e.sequence() != seq)
      fuzz::violated("event " + std::to_string(seq) + " logged by " + std::string(label) + " does not parse");
    if (e.service() == "podstack") {
      // Engine events: a reset is replayed here; pod loads and rollbacks
      // carry whole snapshots, which the restore checks below cover.
      proto::StateReset r;
      if (e.operation() == "ResetState" && r.ParseFromString(e.payload())) {
        for (auto& s : w.shadow)
          if (r.service().empty() || s->name() == r.service()) s->clear();
      } else {
        resync = true;
      }
      continue;
    }
    Service* s = find(w.shadow, e.service());
    if (!s) fuzz::violated("event " + std::to_string(seq) + " names unknown service '" + e.service() + "'");
    try {
      s->apply(e);
    } catch (const std::exception& ex) {
      fuzz::violated("event " + std::to_string(seq) + " (" + e.service() + "." + e.operation() + ", logged by " +
                     std::string(label) + ") does not apply from its logged bytes: " + ex.what());
    }
    w.seen = seq;
  }
  if (!fresh.empty()) w.seen = fresh.back().first;
  if (resync) resync_shadow(w);
  for (auto& live : w.engine->services()) {
    std::string name(live->name());
    std::string snap = live->snapshot();
    if (find(w.shadow, name)->snapshot() != snap)
      fuzz::violated(name + ": the state replayed from the log differs from the live state after " + std::string(label));
    auto it = w.checked.find(name);
    if (it != w.checked.end() && it->second == snap) continue;
    if (Status st = live->check_snapshot(snap); !st)
      fuzz::violated(name + ": check_snapshot refuses the live snapshot after " + std::string(label) + ": " + st.to_string());
    Service* scratch = find(w.scratch, name);
    if (Status st = scratch->restore(snap); !st)
      fuzz::violated(name + ": the live snapshot does not restore after " + std::string(label) + ": " + st.to_string());
    if (scratch->snapshot() != snap)
      fuzz::violated(name + ": snapshot -> restore -> snapshot changes the bytes after " + std::string(label));
    w.checked[name] = std::move(snap);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::quiet_logs();
  // Never destroyed at exit: the engine's threads and locks would outlive
  // the statics they use (an abort in static destruction, "pthread lock").
  static World* world = nullptr;
  static int inputs = 0;
  if (!world || ++inputs % kInputsPerWorld == 0) {
    delete world;  // the old engine closes before the new one opens
    world = new World();
  }
  World& w = *world;
  HttpRequest req{http::verb::post, "/", 11};
  if (!fuzz::build_request(fuzz::as_view(data, size), req)) return 0;

  Reply r = fuzz::handle_request(*w.gateway, req);
  // Every answer is a real HTTP status with an AWS-shaped body.
  if (r.response.result_int() < 200 || r.response.result_int() > 599)
    fuzz::violated("HTTP status " + std::to_string(r.response.result_int()));
  check_replay(w, r.label.empty() ? "an internal request" : r.label);
  return 0;
}
