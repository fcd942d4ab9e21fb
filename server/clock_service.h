// podstack's one clock, kept as state: every time a service decides with
// (CallContext::now_ms) is the wall clock plus an offset, or a frozen instant.
// Tests advance, set or freeze it through POST /_podstack/clock; each change
// is a "ClockSet" event of this service, so replay, checkpoints, pods,
// rollback and the state hash carry the clock like any other state. The
// default clock (no offset, running) has an empty snapshot, so it does not
// enter the state hash.
//
// It is a Service only so that the engine's machinery (events, snapshots,
// pods, building past states aside) covers it; no AWS client reaches it.
// It lives in server/, not server/services/: it is the one piece of state
// that reads the wall clock, and it does so only in decide(), recording
// the result in its event.
#pragma once
#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "proto/clock.pb.h"
#include "server/service.h"

namespace podstack {

// "90s", "15m", "1h", "7d", "2w", "500ms", "1h30m" -> milliseconds; nullopt
// when malformed, zero or longer than 100 years.
std::optional<int64_t> parse_duration_ms(std::string_view text);

class ClockService final : public ServiceBase<ClockService> {
 public:
  static constexpr std::string_view kName = "clock";
  static const Table& operations();

  // The clock's time now (ms since the epoch). Any thread, lock-free when
  // the clock is the default one.
  int64_t now_ms() const;
  bool frozen() const;
  clock::ClockState state() const;
  // Called after every change of the clock (apply, restore, clear), on the
  // thread that made it, under this service's lock: keep it short and take
  // no service lock (the engine wakes its due-work thread and long polls).
  void set_on_change(std::function<void()> fn) { on_change_ = std::move(fn); }

  std::string_view name() const override { return kName; }
  const protocol::ServiceModel& model() const override;
  const google::protobuf::MessageLite* event_prototype() const override { return &clock::Event::default_instance(); }
  void apply(const proto::Event& event) override;
  std::string snapshot() const override;
  Status restore(std::string_view bytes) override;
  Status check_snapshot(std::string_view bytes) const override;
  void clear() override;
  std::string summarize(const proto::Event& event) const override;
  Status list_resources(std::string_view snapshot, std::vector<Resource>& out) const override;

  // Handlers: "__GetClock" (read), "__SetClock" (write; input {"advance":
  // "90s"} | {"set": "2027-01-01T00:00:00Z"} | {"freeze": true|false}, freeze
  // combinable with one of the others, applied first).
  void get_clock(const Request& req, Decision& out) const;
  void set_clock(const Request& req, Decision& out) const;

 private:
  void set_state(const clock::ClockState& s);
  json::object describe(const clock::ClockState& s, int64_t now) const;

  mutable std::mutex mu_;  // guards state_ (the default-clock flag is read without it)
  clock::ClockState state_;
  std::atomic<bool> is_default_{true};
  std::function<void()> on_change_;
};

std::unique_ptr<ClockService> make_clock_service();

}  // namespace podstack
