// Helpers every service uses to make ids (server/service.h).
#include <doctest/doctest.h>

#include <set>

#include "server/service.h"

namespace podstack {

TEST_CASE("random_uuid is a version 4, variant 1 UUID in lowercase 8-4-4-4-12 form, different every call") {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    std::string u = random_uuid();
    REQUIRE(u.size() == 36);
    for (size_t k = 0; k < u.size(); ++k) {
      if (k == 8 || k == 13 || k == 18 || k == 23) CHECK(u[k] == '-');
      else CHECK(((u[k] >= '0' && u[k] <= '9') || (u[k] >= 'a' && u[k] <= 'f')));
    }
    CHECK(u[14] == '4');                                       // version
    CHECK(std::string_view("89ab").find(u[19]) != std::string_view::npos);  // variant 10xx
    seen.insert(u);
  }
  CHECK(seen.size() == 1000);
}

}  // namespace podstack
