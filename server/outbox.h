// The outbox worker: performs the effects services hold pending (SNS -> HTTP
// subscribers, SES/SNS -> SMTP relay) after their cause is durable, and
// reports each attempt back through the commit path as the owning service's
// event (Engine::record_effect). The service decides retries and gives up;
// this worker only moves bytes.
//
//   commit with Decision::effects ──► wake() ──► scan pending_effects() of
//   every service (shared lock) ──► attempt the due ones, one at a time
//   ──► record_effect() and wait for its commit ──► scan again
//
// At start it scans once, which re-arms whatever replay left pending. An
// effect is repeated only if podstack dies between the attempt and the
// commit of its record (at-least-once, like SNS itself).
#pragma once
#include "server/not_for_services.h"
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

#include "server/engine.h"

namespace podstack {

struct OutboxOptions {
  std::chrono::milliseconds connect_timeout{2000};
  std::chrono::milliseconds io_timeout{5000};
};

class Outbox {
 public:
  Outbox(Engine& engine, OutboxOptions o = {});
  ~Outbox();
  void start();
  void stop();
  void wake();
  uint64_t attempts() const { return attempts_; }
  uint64_t scans() const { return scans_; }  // completed passes over every service

 private:
  void run();
  EffectAttempt perform(const Effect& e) const;

  Engine& engine_;
  OutboxOptions o_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool woken_ = false, stop_ = false;
  std::thread thread_;
  std::atomic<uint64_t> attempts_{0};
  std::atomic<uint64_t> scans_{0};
};

// One HTTP(S) POST (or any method) with a timeout; status 0 and `detail` on a
// transport failure. TLS certificates are not verified: endpoints in local
// stacks are self-signed as often as not.
EffectAttempt http_effect(const Effect& e, const OutboxOptions& o);
// One SMTP transaction (EHLO, MAIL FROM, RCPT TO..., DATA) to e.target.
EffectAttempt smtp_effect(const Effect& e, const OutboxOptions& o);

}  // namespace podstack
