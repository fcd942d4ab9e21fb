#include "store/test_hook.h"

#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace podstack {

namespace {
std::string& hook_spec() {
  static std::string spec;
  return spec;
}
}  // namespace

void set_test_hook(std::string spec) { hook_spec() = std::move(spec); }

void test_hook(const char* point) {
  const std::string& spec = hook_spec();
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
