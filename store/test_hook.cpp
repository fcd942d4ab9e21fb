#include "store/test_hook.h"

#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace podstack {

void test_hook(const char* point) {
  static const std::string spec = [] {
    const char* v = std::getenv("PODSTACK_TEST_HOOK");
    return std::string(v ? v : "");
  }();
  if (spec.empty()) return;
  auto colon = spec.rfind(':');
  if (spec.substr(0, colon) != point) return;
  std::string action = colon == std::string::npos ? "kill" : spec.substr(colon + 1);
  if (action == "pause") {
    std::fprintf(stderr, "podstack: paused at %s\n", point);
    std::fflush(stderr);
    for (;;) ::pause();
  }
  ::raise(SIGKILL);
}

}  // namespace podstack
