// Init hooks as LocalStack users know them: executable scripts in
// boot.d/, start.d/, ready.d/ and shutdown.d/ under an init directory
// (/etc/podstack/init, and LocalStack's /etc/localstack/init, or INIT_DIR),
// run at those stages in alphanumeric order (files of a directory before its
// subdirectories, depth first), each line of their output logged. A failing
// script is logged and marked ERROR; the next one still runs (as LocalStack).
//
//   BOOT      `podstack serve` starts, before the event store opens
//   START     state replayed and AUTO_LOAD_POD loaded, before listening
//   READY     the server accepts requests (healthy only after these finish)
//   SHUTDOWN  SIGTERM/SIGINT, while the server still answers, before it stops
//
// /_localstack/init reports them in LocalStack's shape:
//   {"completed": {"BOOT": true, "START": true, "READY": false, "SHUTDOWN": false},
//    "scripts": [{"stage": "READY", "name": "01-create.sh", "state": "RUNNING"}]}
// with script states UNKNOWN, RUNNING, SUCCESSFUL, ERROR.
// https://docs.localstack.cloud/references/init-hooks/
#pragma once
#include "server/not_for_services.h"
#include <boost/json.hpp>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <vector>

namespace podstack {

enum class InitStage { kBoot, kStart, kReady, kShutdown };
inline constexpr InitStage kInitStages[] = {InitStage::kBoot, InitStage::kStart, InitStage::kReady, InitStage::kShutdown};
std::string_view stage_name(InitStage s);  // "BOOT"
std::optional<InitStage> parse_stage(std::string_view s);  // "ready" / "READY"

class InitHooks {
 public:
  // Each root may hold boot.d/ start.d/ ready.d/ shutdown.d/; missing ones are fine.
  explicit InitHooks(std::vector<std::string> roots);
  // INIT_DIR (a colon-separated list) when set, else /etc/podstack/init and /etc/localstack/init.

  // Runs the stage's scripts one after another with `env` added to the
  // environment; returns how many failed. Marks the stage completed.
  int run(InitStage stage, const std::map<std::string, std::string>& env);
  bool completed(InitStage stage) const;
  size_t script_count(InitStage stage) const;
  // Stops a running script (SIGTERM to its process group), e.g. a ready.d
  // script still running when the server is asked to stop.
  void cancel();

  boost::json::object to_json() const;
  boost::json::object stage_json(InitStage stage) const;

 private:
  struct Script {
    InitStage stage;
    std::string path, name, state = "UNKNOWN";
  };
  void discover(const std::string& dir, InitStage stage);
  int run_one(size_t index, const std::vector<std::string>& envp);

  mutable std::mutex mu_;  // guards scripts_' states, completed_, running_
  std::mutex run_mu_;      // one script at a time (and orphan reaping as PID 1)
  std::vector<Script> scripts_;
  std::map<InitStage, bool> completed_;
  pid_t running_ = 0;
  bool cancelled_ = false;
};

}  // namespace podstack
