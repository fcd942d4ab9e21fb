// Wake-ups for long polls (SQS ReceiveMessage with WaitTimeSeconds).
//
// Each key ("sqs/<account>/<region>/<queue>") has a notification count. A
// write whose Decision names the key bumps the count under the service's
// lock; a long poll records the count its decide() saw under the same lock
// and waits only while the count is unchanged, so a send that lands between
// the empty receive and the wait is never missed. Wake callbacks run on the
// notifying thread and must only post work (the HTTP server cancels a timer).
#pragma once
#include "server/not_for_services.h"
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace podstack {

class Notifier {
 public:
  using Wake = std::function<void()>;

  uint64_t count(const std::string& key) const;
  void notify(const std::string& key);
  // Calls `wake` once: when key's count differs from `seen` (maybe at once,
  // on this thread) or at shutdown. Returns an id for cancel().
  uint64_t wait(const std::string& key, uint64_t seen, Wake wake);
  void cancel(uint64_t id);
  // Wakes every waiter now (each key's count moves on); later waits wait
  // as usual. The clock changed: every long poll's deadline moved.
  void notify_all();
  // Wakes every waiter; later waits wake at once.
  void shutdown();
  // Waiters now (for /_podstack/info and tests).
  size_t waiting() const;

 private:
  struct Waiter {
    uint64_t id;
    Wake wake;
  };
  mutable std::mutex mu_;
  std::unordered_map<std::string, uint64_t> counts_;
  std::unordered_map<std::string, std::vector<Waiter>> waiters_;
  std::unordered_map<uint64_t, std::string> keys_;  // waiter id -> key
  uint64_t next_id_ = 1;
  bool shut_ = false;
};

}  // namespace podstack
