// Test tool: damages one event of a stopped server's log the way a bug in an
// older podstack or a hostile request once could, so the integration tests
// can show the startup refusal and `podstack log repair` end to end.
//
//   forge_event STORE_DIR SEQ FROM TO_HEX
//
// Replaces the first FROM inside event SEQ's bytes with the bytes TO_HEX
// spells (same length: every length prefix stays right), and deletes every
// checkpoint, so startup replays the event.
#include <cstdio>
#include <string>

#include "store/event_store.h"

using namespace podstack;

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: forge_event STORE_DIR SEQ FROM TO_HEX\n");
    return 2;
  }
  const uint64_t seq = std::stoull(argv[2]);
  const std::string from = argv[3];
  std::string to;
  for (const char* h = argv[4]; h[0] && h[1]; h += 2) to.push_back(static_cast<char>(std::stoi(std::string(h, 2), nullptr, 16)));
  if (to.size() != from.size()) {
    std::fprintf(stderr, "FROM and TO_HEX differ in length\n");
    return 2;
  }
  StoreOptions so;
  so.path = argv[1];
  auto store = EventStore::open(so);
  if (!store) {
    std::fprintf(stderr, "%s\n", store.status().to_string().c_str());
    return 1;
  }
  std::string bytes;
  Status st = (*store)->scan_events(seq, [&](uint64_t s, std::string_view b) {
    if (s == seq) bytes.assign(b);
    return false;
  });
  size_t at = bytes.find(from);
  if (!st || at == std::string::npos) {
    std::fprintf(stderr, "event %llu does not hold '%s'\n", static_cast<unsigned long long>(seq), from.c_str());
    return 1;
  }
  bytes.replace(at, from.size(), to);
  WriteBatchData b;
  b.events.emplace_back(seq, bytes);
  if (Status w = (*store)->write(b); !w || !(st = (*store)->prune_checkpoints(0))) {
    std::fprintf(stderr, "cannot write the store\n");
    return 1;
  }
  return 0;
}
