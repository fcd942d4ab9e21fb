// Pods against a live engine: save (export -> pod file in the registry),
// load (verify the file, then Engine::load_pod), verify (live hashes against
// the pod's). Used by the gateway (/_podstack/pods/...), by `podstack pod`
// offline, and by AUTO_LOAD_POD at startup.
#pragma once
#include <string>
#include <vector>

#include "pods/registry.h"
#include "server/engine.h"

namespace podstack {

struct SaveOptions {
  std::string name, message, producer_version;
  std::vector<std::string> services;
};

Result<proto::PodHeader> save_pod(Engine& engine, pods::Registry& registry, const SaveOptions& o);

struct LoadOptions {
  pods::PodRef ref;
  std::string strategy = "overwrite";
  std::vector<std::string> services;
};

// Reads and verifies the pod, loads it, waits for the commit, checkpoints.
Result<proto::PodHeader> load_pod_from_registry(Engine& engine, const pods::Registry& registry, const LoadOptions& o,
                                                const CallContext& ctx);

struct VerifyResult {
  bool ok = false;
  proto::PodHeader header;
  StateInfo live;
  std::vector<std::string> differing;  // services whose hash differs
};
Result<VerifyResult> verify_pod(const Engine& engine, const pods::Registry& registry, const pods::PodRef& ref);

json::object header_json(const proto::PodHeader& h);
json::object verify_json(const VerifyResult& v);
std::vector<std::string> split_csv(const std::string& s);
// A Status as the HTTP status + message the pods API answers with.
int http_status_of(const Status& s);

}  // namespace podstack
