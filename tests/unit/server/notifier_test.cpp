// The long-poll notifier: no wake-up is lost between an empty receive and the wait.
#include <doctest/doctest.h>

#include "server/notifier.h"

using namespace podstack;

TEST_CASE("a waiter wakes once on notify; a notify before the wait wakes it at once") {
  Notifier n;
  int woke = 0;
  uint64_t seen = n.count("k");
  n.wait("k", seen, [&] { ++woke; });
  CHECK(n.waiting() == 1);
  n.notify("other");
  CHECK(woke == 0);
  n.notify("k");
  CHECK(woke == 1);
  n.notify("k");
  CHECK(woke == 1);
  CHECK(n.waiting() == 0);
  // The count moved after `seen` was read (a send between decide and wait): immediate wake.
  n.wait("k", seen, [&] { ++woke; });
  CHECK(woke == 2);
}

TEST_CASE("cancel removes a waiter; shutdown wakes all and every later wait") {
  Notifier n;
  int woke = 0;
  uint64_t id = n.wait("a", 0, [&] { ++woke; });
  n.cancel(id);
  n.notify("a");
  CHECK(woke == 0);
  n.wait("b", n.count("b"), [&] { ++woke; });
  n.wait("c", n.count("c"), [&] { ++woke; });
  n.shutdown();
  CHECK(woke == 2);
  n.wait("d", n.count("d"), [&] { ++woke; });
  CHECK(woke == 3);
}
