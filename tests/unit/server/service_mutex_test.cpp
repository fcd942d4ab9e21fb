// ServiceMutex (server/service_mutex.h): a shared_mutex that spins before it
// sleeps. What matters is that it still excludes: writers from each other
// and from readers, under contention on every path (spin, then block).
#include <doctest/doctest.h>

#include <atomic>
#include <mutex>
#include <shared_mutex>
#include <thread>
#include <vector>

#include "server/service_mutex.h"

namespace podstack {

TEST_CASE("ServiceMutex: writers exclude each other and readers never see a half-done write") {
  ServiceMutex mu;
  // Two counters a writer moves together; a reader must always see them equal.
  uint64_t a = 0, b = 0;
  std::atomic<bool> torn{false};
  std::atomic<int> inside{0};
  constexpr int kWriters = 3, kIterations = 20000;
  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; ++w)
    threads.emplace_back([&] {
      for (int i = 0; i < kIterations; ++i) {
        std::unique_lock lk(mu);
        if (inside.fetch_add(1) != 0) torn = true;  // another writer is inside
        ++a;
        // A long critical section now and then, so waiters also take the
        // blocking path after their spins run out.
        if (i % 1000 == 0) std::this_thread::sleep_for(std::chrono::microseconds(200));
        ++b;
        inside.fetch_sub(1);
      }
    });
  std::atomic<bool> done{false};
  std::thread reader([&] {
    while (!done) {
      std::shared_lock lk(mu);
      if (a != b || inside.load() != 0) torn = true;
    }
  });
  for (auto& t : threads) t.join();
  done = true;
  reader.join();
  CHECK_FALSE(torn.load());
  CHECK(a == uint64_t{kWriters} * kIterations);
  CHECK(b == a);
}

TEST_CASE("ServiceMutex: try_lock fails while held, shared holders coexist") {
  ServiceMutex mu;
  mu.lock_shared();
  CHECK(mu.try_lock_shared());
  CHECK_FALSE(mu.try_lock());
  mu.unlock_shared();
  mu.unlock_shared();
  CHECK(mu.try_lock());
  std::thread other([&] { CHECK_FALSE(mu.try_lock_shared()); });
  other.join();
  mu.unlock();
}

}  // namespace podstack
