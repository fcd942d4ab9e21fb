// Pods against a live engine: save (export -> pod file in the registry),
// load (verify the file, then Engine::load_pod), verify (live hashes against
// the pod's). Used by the gateway (/_podstack/pods/...), by `podstack pod`
// offline, and by AUTO_LOAD_POD at startup.
#pragma once
#include "server/not_for_services.h"
#include <string>
#include <vector>

#include "pods/registry.h"
#include "server/engine.h"
#include "server/pod_diff.h"

namespace podstack {

struct SaveOptions {
  std::string name, message, producer_version;
  std::vector<std::string> services;
  pods::Progress* progress = nullptr;  // bytes of the pod file written (CLI on a TTY)
};

Result<proto::PodHeader> save_pod(Engine& engine, pods::Registry& registry, const SaveOptions& o);

struct LoadOptions {
  pods::PodRef ref;
  std::string strategy = "overwrite";
  std::vector<std::string> services;
  pods::Progress* progress = nullptr;  // bytes of the pod file read (CLI on a TTY)
};

// Reads and verifies the pod, loads it, waits for the commit, checkpoints.
Result<proto::PodHeader> load_pod_from_registry(Engine& engine, const pods::Registry& registry, const LoadOptions& o,
                                                const CallContext& ctx);
// The same for a pod already read and verified (init-pods directory, remotes);
// o.ref is not used: the PodLoaded event names the pod by its header.
Result<proto::PodHeader> load_pod_content(Engine& engine, pods::PodContent pod, const LoadOptions& o, const CallContext& ctx);
// Would load_pod_content accept this pod? Checks everything the load checks
// without touching live state (startup validates every pod before loading one).
Status check_pod_content(const Engine& engine, const pods::PodContent& pod, const LoadOptions& o);

// "name:version"
std::string pod_label(const proto::PodHeader& h);
// The StateSnapshot a pod holds (decompressed and parsed).
Result<proto::StateSnapshot> pod_snapshot(const pods::PodContent& pod);
// Resources added / removed / changed from one pod to another; services come
// from a factory or an engine, only their list_resources() is used.
Result<StateDiff> diff_pods(const std::vector<std::unique_ptr<Service>>& services, const pods::PodContent& from,
                            const pods::PodContent& to);
// From a pod to the live state (only the pod's services if it is partial).
Result<StateDiff> diff_live(const Engine& engine, const pods::PodContent& from);

struct VerifyResult {
  bool ok = false;
  proto::PodHeader header;
  StateInfo live;
  std::vector<std::string> differing;  // services whose hash differs
  StateDiff diff;                      // pod -> live, when not ok
};
Result<VerifyResult> verify_pod(const Engine& engine, const pods::Registry& registry, const pods::PodRef& ref);

json::object header_json(const proto::PodHeader& h);
json::object verify_json(const VerifyResult& v);
std::vector<std::string> split_csv(const std::string& s);
// A Status as the HTTP status + message the pods API answers with.
int http_status_of(const Status& s);

}  // namespace podstack
