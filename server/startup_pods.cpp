#include "server/startup_pods.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>

#include "server/config.h"
#include "server/pods_api.h"

namespace podstack {
namespace fs = std::filesystem;

StartupPodsOptions startup_pods_from_config(const Config& c) {
  StartupPodsOptions o;
  o.data_dir = c.data_dir;
  o.auto_load = c.auto_load_pod;
  if (!c.init_pods_dir.empty()) {
    o.init_dir = c.init_pods_dir;
    o.init_dir_set = true;
  }
  o.every_start = c.auto_load_every_start;
  return o;
}

namespace {
struct Pending {
  std::string source;  // what the log and errors call it
  pods::PodContent pod;
};
}  // namespace

Status load_startup_pods(Engine& engine, const StartupPodsOptions& o) {
  std::string init_dir = o.init_dir_set ? o.init_dir : std::string(kDefaultInitPodsDir);
  std::error_code ec;
  std::vector<std::string> files;
  if (fs::is_directory(init_dir, ec)) {
    for (auto& f : fs::directory_iterator(init_dir, ec))
      if (f.path().extension() == ".pod" && !f.is_directory()) files.push_back(f.path().string());
    if (ec) return Status::io_error("INIT_PODS_DIR: cannot list " + init_dir + ": " + ec.message());
    std::sort(files.begin(), files.end());
  } else if (o.init_dir_set) {
    return Status::not_found("INIT_PODS_DIR: " + init_dir + " is not a directory");
  }
  if (files.empty() && o.auto_load.empty()) return Status::ok();

  std::string what = files.empty() ? "AUTO_LOAD_POD=" + o.auto_load
                                   : o.auto_load.empty() ? "init pods in " + init_dir
                                                         : "init pods in " + init_dir + " and AUTO_LOAD_POD=" + o.auto_load;
  if (engine.last_sequence() > 0 && !o.every_start) {
    spdlog::info("{} not loaded: the store already holds state (sequence {}); set AUTO_LOAD_POD_EVERY_START=1 to load it on every start",
                 what, engine.last_sequence());
    return Status::ok();
  }

  // Read and check everything first: a failure here leaves live state untouched.
  LoadOptions lo;
  lo.strategy = "service-merge";
  std::vector<Pending> pending;
  for (auto& f : files) {
    auto pod = pods::read_pod(f);
    if (!pod) return pod.status().with_prefix("init pod " + f + ": ");
    pending.push_back({f, std::move(*pod)});
  }
  pods::Registry registry(o.data_dir + "/pods");
  for (auto& text : split_csv(o.auto_load)) {
    auto ref = pods::parse_pod_ref(text);
    if (!ref) return ref.status().with_prefix("AUTO_LOAD_POD: ");
    uint64_t version = 0;
    auto path = registry.resolve(*ref, &version);
    auto pod = path ? pods::read_pod(*path) : Result<pods::PodContent>(path.status());
    if (!pod) return pod.status().with_prefix("AUTO_LOAD_POD: cannot load pod '" + text + "': ");
    pod->header.set_name(ref->name);
    pod->header.set_version(version);
    pending.push_back({"AUTO_LOAD_POD " + text, std::move(*pod)});
  }
  for (auto& p : pending)
    if (Status st = check_pod_content(engine, p.pod, lo); !st)
      return st.with_prefix(p.source + ": cannot load pod '" + pod_label(p.pod.header) + "': ");

  for (auto& p : pending) {
    CallContext ctx;
    ctx.request_id = "auto-load-pod";
    ctx.now_ms = engine.now_ms();
    std::string label = pod_label(p.pod.header);
    auto h = load_pod_content(engine, std::move(p.pod), lo, ctx);
    if (!h) return h.status().with_prefix(p.source + ": cannot load pod '" + label + "': ");
    spdlog::info("loaded pod {} from {} (hash {}, {} services)", label, p.source, h->state_hash().substr(0, 16), h->services_size());
  }
  spdlog::info("startup pods loaded: {} pod(s); live state hash {}", pending.size(), engine.state_info().hash.substr(0, 16));
  return Status::ok();
}

}  // namespace podstack
