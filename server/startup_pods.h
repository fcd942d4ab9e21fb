// Pods loaded at startup, before the server listens (healthy means loaded):
//
//   1. the init-pods directory: every `*.pod` file in INIT_PODS_DIR (default
//      /etc/podstack/init/pods when it exists), in file name order;
//   2. then AUTO_LOAD_POD=name[:version],... from the registry in DATA_DIR/pods.
//
// With a store that already holds state (PERSISTENCE=1 restart) nothing is
// loaded unless every_start (AUTO_LOAD_POD_EVERY_START=1): a restart must not
// wipe local work. Every pod is read, checksummed and checked against the
// services before the first one is loaded, so a missing or damaged pod stops
// startup with live state untouched instead of leaving it half-loaded.
#pragma once
#include "server/not_for_services.h"
#include <string>

#include "server/config.h"
#include "server/engine.h"

namespace podstack {

struct StartupPodsOptions {
  std::string data_dir;
  std::string auto_load;     // AUTO_LOAD_POD
  std::string init_dir;      // INIT_PODS_DIR; empty: the default, if it exists
  bool init_dir_set = false;  // INIT_PODS_DIR was given: a missing directory is an error
  bool every_start = false;  // AUTO_LOAD_POD_EVERY_START
};

inline constexpr const char* kDefaultInitPodsDir = "/etc/podstack/init/pods";

StartupPodsOptions startup_pods_from_config(const Config& config);

// Logs what it loads (pod, version, hash) or skips; an error is one sentence
// for the startup log, after which the server must not start.
Status load_startup_pods(Engine& engine, const StartupPodsOptions& o);

}  // namespace podstack
