#include "server/pod_diff.h"

#include <algorithm>

namespace podstack {

ServiceStates service_states(const proto::StateSnapshot& snap) {
  ServiceStates out;
  for (auto& ss : snap.services()) out[ss.service()] = ss.state();
  return out;
}

namespace {
Status resources_of(const Service* svc, const std::string& name, const ServiceStates& states, std::vector<Resource>& out) {
  auto it = states.find(name);
  if (it == states.end() || it->second.empty()) return Status::ok();
  Status st = svc ? svc->list_resources(it->second, out) : list_partition_items(it->second, out);
  if (!st) return Status::corruption("the " + name + " state cannot be listed: " + st.message());
  std::sort(out.begin(), out.end(), [](const Resource& a, const Resource& b) { return a.id < b.id; });
  return Status::ok();
}
}  // namespace

Result<StateDiff> diff_states(const std::vector<std::unique_ptr<Service>>& services, const ServiceStates& from,
                              const ServiceStates& to, const std::vector<std::string>& only) {
  std::vector<std::string> names;
  for (auto* m : {&from, &to})
    for (auto& [n, _] : *m)
      if (only.empty() || std::find(only.begin(), only.end(), n) != only.end()) names.push_back(n);
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  StateDiff d;
  for (auto& name : names) {
    const Service* svc = nullptr;
    for (auto& s : services)
      if (s->name() == name) svc = s.get();
    std::vector<Resource> a, b;
    if (Status st = resources_of(svc, name, from, a); !st) return st;
    if (Status st = resources_of(svc, name, to, b); !st) return st;
    ServiceDiff sd{name, {}, {}, {}};
    size_t i = 0, j = 0;
    while (i < a.size() || j < b.size()) {
      if (j == b.size() || (i < a.size() && a[i].id < b[j].id)) {
        sd.removed.push_back(a[i++].id);
      } else if (i == a.size() || b[j].id < a[i].id) {
        sd.added.push_back(b[j++].id);
      } else {
        if (a[i].digest != b[j].digest) sd.changed.push_back(a[i].id);
        ++i, ++j;
      }
    }
    if (!sd.added.empty() || !sd.removed.empty() || !sd.changed.empty()) d.services.push_back(std::move(sd));
  }
  return d;
}

json::object diff_json(const StateDiff& d) {
  auto ids = [](const std::vector<std::string>& v) {
    json::array a;
    for (auto& s : v) a.push_back(json::string(s));
    return a;
  };
  json::object svcs;
  size_t added = 0, removed = 0, changed = 0;
  for (auto& s : d.services) {
    svcs[s.service] = json::object{{"added", ids(s.added)}, {"removed", ids(s.removed)}, {"changed", ids(s.changed)}};
    added += s.added.size(), removed += s.removed.size(), changed += s.changed.size();
  }
  return json::object{{"from", d.from},   {"to", d.to},           {"same", d.empty()}, {"added", added},
                      {"removed", removed}, {"changed", changed}, {"services", std::move(svcs)}};
}

}  // namespace podstack
