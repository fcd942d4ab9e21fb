// `pod diff` and the drift summary of `pod verify`: resources added, removed
// and changed per service between two states (two pods, or a pod and the
// live state). Each service lists its resources with Service::list_resources
// (stable id + content digest), so a new service diffs with no code here.
#pragma once
#include "server/not_for_services.h"
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "proto/event.pb.h"
#include "server/service.h"

namespace podstack {

struct ServiceDiff {
  std::string service;
  std::vector<std::string> added, removed, changed;  // resource ids, sorted
};

struct StateDiff {
  std::string from, to;              // labels: "name:version" or "live"
  std::vector<ServiceDiff> services;  // only services with differences, by name
  bool empty() const { return services.empty(); }
};

// Service name -> the service's snapshot bytes.
using ServiceStates = std::map<std::string, std::string>;
ServiceStates service_states(const proto::StateSnapshot& snap);

// Compares `from` and `to`, restricted to `only` when it is not empty.
// `services` supplies list_resources(); a service podstack does not know is
// read with the common shape (list_partition_items).
Result<StateDiff> diff_states(const std::vector<std::unique_ptr<Service>>& services, const ServiceStates& from,
                              const ServiceStates& to, const std::vector<std::string>& only);

// {"from", "to", "same", "added", "removed", "changed" (totals),
//  "services": {name: {"added": [ids], "removed": [...], "changed": [...]}}}
json::object diff_json(const StateDiff& d);

}  // namespace podstack
