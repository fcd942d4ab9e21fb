// A small stable hash (FNV-1a, 32 bits): Scan segments, stream shard ids and
// stream record event ids (DynamoDB Streams) are derived with it.
#pragma once
#include <cstdint>
#include <string_view>

namespace podstack::dynamodb {

inline uint32_t fnv1a(std::string_view s) {
  uint32_t h = 2166136261u;
  for (unsigned char c : s) h = (h ^ c) * 16777619u;
  return h;
}

}  // namespace podstack::dynamodb
