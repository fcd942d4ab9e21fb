// Replay throughput: writes N PutParameter events through the real commit
// path, then times a cold Engine::open that replays all of them (checkpoints
// ignored). Usage: replay_bench DIR [N]
#include <chrono>
#include <cstdio>
#include <filesystem>

#include "server/engine.h"
#include "server/services/registry.h"

using namespace podstack;

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: replay_bench DIR [EVENTS]\n");
    return 2;
  }
  std::string dir = argv[1];
  uint64_t n = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 1000000;
  std::filesystem::remove_all(dir);
  EngineOptions o;
  o.store.path = dir;
  o.checkpoint_every = n * 2;
  {
    auto e = Engine::open(o, make_services());
    if (!e) return std::fprintf(stderr, "%s\n", e.status().to_string().c_str()), 1;
    Service& ssm = *(*e)->service("ssm");
    CallContext ctx;
    std::shared_ptr<CommitTicket> last;
    for (uint64_t i = 0; i < n; ++i) {
      ctx.now_ms = 1700000000000 + static_cast<int64_t>(i);
      json::object in{{"Name", "/bench/p" + std::to_string(i % 10000)}, {"Value", "value-" + std::to_string(i)},
                      {"Type", "String"}, {"Overwrite", true}};
      ExecResult r = (*e)->execute(ssm, "PutParameter", in, ctx);
      if (r.error) return std::fprintf(stderr, "%s\n", r.error->message.c_str()), 1;
      last = r.commit;
    }
    if (last) (void)last->wait();
    e->reset();  // no shutdown checkpoint: replay must read every event
  }
  o.ignore_checkpoints = true;
  auto t0 = std::chrono::steady_clock::now();
  auto e = Engine::open(o, make_services());
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (!e) return std::fprintf(stderr, "%s\n", e.status().to_string().c_str()), 1;
  std::printf("RESULT replayed=%llu seconds=%.3f events_per_second=%.0f\n",
              static_cast<unsigned long long>((*e)->startup().replayed), secs, (*e)->startup().replayed / secs);
  return 0;
}
