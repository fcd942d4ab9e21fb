// Fuzzes the event decoder: the log replay an engine does when it opens.
// Fuzzer bytes become events (and checkpoints) in a store, an Engine opens
// over it, and whatever the log holds it must answer with an error Status
// or a state, never crash, abort or trip a sanitizer. A state it does load
// must snapshot and restore.
//
// The log is an in-memory store; the engine opens over it as a read-only
// server would (Engine::open with a store: load() without the log writer
// and maintenance threads).
//
// Input: records of events and checkpoints, see tests/fuzz/event_records.h.
#include "proto/event.pb.h"
#include "server/engine.h"
#include "server/services/registry.h"
#include "store/compression.h"
#include "tests/fuzz/event_records.h"
#include "tests/fuzz/fuzz_input.h"

using namespace podstack;

namespace {

WriteBatchData to_batch(std::string_view in) {
  WriteBatchData batch;
  uint64_t seq = 0;
  while (in.size() >= 3) {
    uint8_t tag = static_cast<uint8_t>(in[0]);
    size_t n = static_cast<uint8_t>(in[1]) | (static_cast<size_t>(static_cast<uint8_t>(in[2])) << 8);
    in.remove_prefix(3);
    std::string_view bytes = in.substr(0, n);
    in.remove_prefix(bytes.size());
    if (tag == fuzz::kCheckpointZstd || tag == fuzz::kCheckpointRaw) {
      batch.checkpoint.emplace(seq, tag == fuzz::kCheckpointZstd ? zstd_compress(bytes) : std::string(bytes));
      continue;
    }
    ++seq;
    if (tag >= fuzz::kRawEvent) {
      batch.events.emplace_back(seq, std::string(bytes));
      continue;
    }
    proto::Event e;
    e.set_sequence(seq);
    e.set_time_ms(1767225600000 + static_cast<int64_t>(seq));  // 2026-01-01
    e.set_account(tag & 0x40 ? "111111111111" : "000000000000");
    e.set_region("us-east-1");
    e.set_service(fuzz::kEventServices[(tag & 0x3f) % fuzz::kEventServiceCount]);
    e.set_request_id("fuzz");
    size_t op = bytes.empty() ? 0 : std::min<size_t>(static_cast<uint8_t>(bytes[0]), bytes.size() - 1);
    if (!bytes.empty()) {
      e.set_operation(std::string(bytes.substr(1, op)));
      e.set_payload(std::string(bytes.substr(1 + op)));
    }
    batch.events.emplace_back(seq, e.SerializeAsString());
  }
  return batch;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::quiet_logs();
  StoreOptions so;
  so.in_memory = true;
  auto store = EventStore::open(so);
  if (!store) fuzz::violated("the in-memory store does not open: " + store.status().to_string());
  if (Status st = (*store)->write(to_batch(fuzz::as_view(data, size))); !st)
    fuzz::violated("the in-memory store refuses a write: " + st.to_string());
  EngineOptions eo;
  eo.store = so;
  eo.store.read_only = true;
  auto engine = Engine::open(eo, make_services(), std::move(*store));
  if (!engine) return 0;  // refused with a reason: what the log holds cannot be loaded

  static std::vector<std::unique_ptr<Service>> scratch = [] {
    auto s = make_services();
    add_engine_services(s);
    return s;
  }();
  for (auto& s : (*engine)->services()) {
    std::string snap = s->snapshot();
    Service* other = nullptr;
    for (auto& o : scratch)
      if (o->name() == s->name()) other = o.get();
    if (Status st = s->check_snapshot(snap); !st)
      fuzz::violated(std::string(s->name()) + ": a state loaded from the log fails check_snapshot: " + st.to_string());
    if (Status st = other->restore(snap); !st)
      fuzz::violated(std::string(s->name()) + ": a state loaded from the log does not restore: " + st.to_string());
    if (other->snapshot() != snap)
      fuzz::violated(std::string(s->name()) + ": a state loaded from the log changes through snapshot -> restore");
  }
  return 0;
}
