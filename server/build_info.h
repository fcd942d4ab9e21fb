// What this binary is: version, commit, build date and the on-disk formats it
// reads and writes. Reported by `podstack --version`, /_podstack/version,
// /_localstack/info and the podstack_build_info metric; the Docker image
// carries the same values as labels.
#pragma once
#include "server/not_for_services.h"
#include <boost/json.hpp>
#include <string>

namespace podstack {

struct BuildInfo {
  const char* version;     // the CMake project version
  const char* commit;      // git HEAD (+ "-dirty"), or what the image build passed
  const char* build_date;  // ISO 8601
  unsigned store_format;   // newest event store format this binary reads (it writes this one)
  unsigned pod_format;     // newest pod file format this binary reads (it writes this one)
};

const BuildInfo& build_info();
boost::json::object build_info_json();
// "podstack 0.1.0 (commit abc123…, built …; store format 1, pod format 1)"
std::string build_info_line();

}  // namespace podstack
