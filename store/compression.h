// zstd helpers shared by checkpoints and pods.
#pragma once
#include "store/not_for_services.h"
#include <string>
#include <string_view>

#include "base/status.h"

namespace podstack {
std::string zstd_compress(std::string_view in, int level = 3);
Result<std::string> zstd_decompress(std::string_view in);
}  // namespace podstack
