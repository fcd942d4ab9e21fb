// Fuzzes the XML reader used for rest-xml and query request bodies.
#include <cstddef>
#include <cstdint>
#include <string>

#include "server/protocol/xml.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string err;
  auto doc = podstack::protocol::parse_xml(std::string_view(reinterpret_cast<const char*>(data), size), &err);
  if (!doc && err.empty()) __builtin_trap();  // a failure always says why
  return 0;
}
