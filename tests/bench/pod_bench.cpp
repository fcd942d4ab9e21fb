// Pod save and load of a state with N SSM parameters (default 100,000):
// time to export + compress + write the pod, and to read + verify + load +
// checkpoint it. Usage: pod_bench DIR [N]
#include <chrono>
#include <cstdio>
#include <filesystem>

#include "server/pods_api.h"
#include "server/services/registry.h"

using namespace podstack;

int main(int argc, char** argv) {
  if (argc < 2) return std::fprintf(stderr, "usage: pod_bench DIR [N]\n"), 2;
  std::string dir = argv[1];
  uint64_t n = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 100000;
  std::filesystem::remove_all(dir);
  EngineOptions o;
  o.store.path = dir + "/log";
  o.checkpoint_every = n * 10;
  o.factory = [] { return make_services(); };
  auto e = Engine::open(o, make_services());
  if (!e) return std::fprintf(stderr, "%s\n", e.status().to_string().c_str()), 1;
  CallContext ctx;
  ctx.now_ms = 1700000000000;
  std::shared_ptr<CommitTicket> last;
  for (uint64_t i = 0; i < n; ++i) {
    json::object in{{"Name", "/bench/app" + std::to_string(i % 100) + "/param" + std::to_string(i)},
                    {"Value", "value-" + std::to_string(i) + "-" + std::string(32, 'x')},
                    {"Type", "String"}};
    ExecResult r = (*e)->execute(*(*e)->service("ssm"), "PutParameter", in, ctx);
    if (r.error) return std::fprintf(stderr, "%s\n", r.error->message.c_str()), 1;
    last = r.commit;
  }
  (void)last->wait();
  pods::Registry registry(dir + "/pods");
  auto t0 = std::chrono::steady_clock::now();
  auto h = save_pod(**e, registry, SaveOptions{"bench", "", "bench", {}});
  double save_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (!h) return std::fprintf(stderr, "%s\n", h.status().to_string().c_str()), 1;
  std::string hash = (*e)->state_info().hash;
  CallContext c2 = ctx;
  ExecResult reset = (*e)->reset("", c2);
  (void)reset.commit->wait();
  t0 = std::chrono::steady_clock::now();
  auto l = load_pod_from_registry(**e, registry, LoadOptions{pods::PodRef{"bench", std::nullopt}, "overwrite", {}}, ctx);
  double load_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (!l) return std::fprintf(stderr, "%s\n", l.status().to_string().c_str()), 1;
  bool same = (*e)->state_info().hash == hash;
  // pod diff --live of the same state: list and compare every resource on both sides.
  auto pod = pods::read_pod(*registry.resolve(pods::PodRef{"bench", std::nullopt}));
  if (!pod) return std::fprintf(stderr, "%s\n", pod.status().to_string().c_str()), 1;
  t0 = std::chrono::steady_clock::now();
  auto d = diff_live(**e, *pod);
  double diff_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (!d) return std::fprintf(stderr, "%s\n", d.status().to_string().c_str()), 1;
  std::printf("RESULT resources=%llu state_bytes=%llu pod_bytes=%llu save_seconds=%.3f load_seconds=%.3f diff_seconds=%.3f same_hash=%s\n",
              static_cast<unsigned long long>(n), static_cast<unsigned long long>(h->state_bytes()),
              static_cast<unsigned long long>(h->compressed_bytes()), save_s, load_s, diff_s, same && d->empty() ? "yes" : "no");
  return same && d->empty() ? 0 : 1;
}
