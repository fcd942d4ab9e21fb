#pragma once
// A service's reader-writer lock: std::shared_mutex that spins briefly
// before it sleeps.
//
// A write holds its service's lock through decide, sequencing and apply, a
// few microseconds. With two I/O threads writing to one service, the
// second usually finds the lock held for less time than a futex wait and
// wake-up cost it: under a PutObject load the sleeps and wake-ups were 4%
// of the server's CPU plus their context switches. So a contended lock is
// retried for a bounded time (64 rounds of 8 PAUSEs, about 25 us here)
// before blocking, as glibc's PTHREAD_MUTEX_ADAPTIVE_NP mutex does; a
// holder that stays longer (a checkpoint, a long decide) still puts its
// waiters to sleep. On a single CPU spinning cannot help and is skipped.

#include <shared_mutex>
#include <thread>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace podstack {

class ServiceMutex {
 public:
  void lock() {
    if (!acquire([this] { return mu_.try_lock(); })) mu_.lock();
  }
  bool try_lock() { return mu_.try_lock(); }
  void unlock() { mu_.unlock(); }

  void lock_shared() {
    if (!acquire([this] { return mu_.try_lock_shared(); })) mu_.lock_shared();
  }
  bool try_lock_shared() { return mu_.try_lock_shared(); }
  void unlock_shared() { mu_.unlock_shared(); }

 private:
  // One try, then up to spins() more with a pause before each; false: block.
  template <class TryLock>
  static bool acquire(TryLock try_lock) {
    if (try_lock()) return true;
    for (int i = 0; i < spins(); ++i) {
      relax();
      if (try_lock()) return true;
    }
    return false;
  }
  static void relax() {
#if defined(__x86_64__) || defined(__i386__)
    for (int i = 0; i < 8; ++i) _mm_pause();
#else
    std::this_thread::yield();
#endif
  }
  static int spins() {
    static const int n = std::thread::hardware_concurrency() > 1 ? kSpins : 0;
    return n;
  }
  static constexpr int kSpins = 64;  // about 25 us of PAUSE on this class of CPU

  std::shared_mutex mu_;
};

}  // namespace podstack
