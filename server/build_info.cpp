#include "server/build_info.h"

#include "build_info.inc"
#include "pods/pod_file.h"
#include "store/event_store.h"

namespace podstack {

const BuildInfo& build_info() {
  static const BuildInfo info{PODSTACK_VERSION, PODSTACK_COMMIT, PODSTACK_BUILD_DATE, kStoreFormat, pods::kPodFormat};
  return info;
}

boost::json::object build_info_json() {
  const auto& b = build_info();
  return {{"version", b.version},         {"commit", b.commit},          {"build_date", b.build_date},
          {"store_format", b.store_format}, {"pod_format", b.pod_format}};
}

std::string build_info_line() {
  const auto& b = build_info();
  return std::string("podstack ") + b.version + " (commit " + b.commit + ", built " + b.build_date + "; store format " +
         std::to_string(b.store_format) + ", pod format " + std::to_string(b.pod_format) + ")";
}

}  // namespace podstack
