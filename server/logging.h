// Server logging: human lines on stderr (default), or one JSON object per
// line with LOG_FORMAT=json for log pipelines:
//   {"time":"2026-11-25T18:00:00.123Z","level":"info","msg":"podstack 0.1.0 ready …"}
#pragma once
#include "server/not_for_services.h"
#include <string>

namespace podstack {

// format: "text" | "json"; level: spdlog level name. Returns an error sentence for a bad value.
std::string setup_logging(const std::string& level, const std::string& format);

}  // namespace podstack
