#include "server/clock_service.h"

#include <cctype>
#include <climits>

#include "server/protocol/encoding.h"

namespace podstack {
namespace {

constexpr int64_t kMaxDurationMs = 100LL * 366 * 24 * 3600 * 1000;

int64_t now_of(const clock::ClockState& s, int64_t wall) { return s.frozen() ? s.frozen_at_ms() : wall + s.offset_ms(); }

std::string iso_ms(int64_t ms) { return protocol::iso8601(static_cast<double>(ms) / 1000.0); }

ApiError bad_clock(std::string message) { return ApiError::bad_request("InvalidParameterValue", std::move(message)); }

}  // namespace

std::optional<int64_t> parse_duration_ms(std::string_view text) {
  int64_t total = 0;
  size_t i = 0;
  if (text.empty()) return std::nullopt;
  while (i < text.size()) {
    size_t start = i;
    int64_t n = 0;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
      if (n > kMaxDurationMs) return std::nullopt;
      n = n * 10 + (text[i++] - '0');
    }
    if (i == start) return std::nullopt;
    size_t unit_start = i;
    while (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i]))) ++i;
    std::string_view unit = text.substr(unit_start, i - unit_start);
    int64_t scale = 0;
    if (unit == "ms") scale = 1;
    else if (unit == "s") scale = 1000;
    else if (unit == "m") scale = 60 * 1000;
    else if (unit == "h") scale = 3600 * 1000;
    else if (unit == "d") scale = 24 * 3600 * 1000;
    else if (unit == "w") scale = 7LL * 24 * 3600 * 1000;
    else return std::nullopt;
    if (n > kMaxDurationMs / scale) return std::nullopt;
    total += n * scale;
    if (total > kMaxDurationMs) return std::nullopt;
  }
  if (total <= 0) return std::nullopt;
  return total;
}

const ClockService::Table& ClockService::operations() {
  static const Table t = {
      {"__GetClock", read(&ClockService::get_clock)},
      {"__SetClock", write(&ClockService::set_clock)},
  };
  return t;
}

const protocol::ServiceModel& ClockService::model() const {
  // No AWS operations: the internal ones are reached only through the
  // gateway's /_podstack/clock.
  static const auto m = protocol::ServiceModel::parse(
      R"({"metadata":{"protocol":"json","jsonVersion":"1.1","endpointPrefix":"podstack-clock","signingName":"podstack-clock",)"
      R"("targetPrefix":"PodstackClock","serviceId":"podstack clock","apiVersion":"2026-12-07"},"operations":{},"shapes":{}})");
  return *m;
}

int64_t ClockService::now_ms() const {
  int64_t wall = wall_clock_ms();
  if (is_default_.load(std::memory_order_acquire)) return wall;
  std::lock_guard lk(mu_);
  return now_of(state_, wall);
}

bool ClockService::frozen() const {
  if (is_default_.load(std::memory_order_acquire)) return false;
  std::lock_guard lk(mu_);
  return state_.frozen();
}

clock::ClockState ClockService::state() const {
  std::lock_guard lk(mu_);
  return state_;
}

void ClockService::set_state(const clock::ClockState& s) {
  {
    std::lock_guard lk(mu_);
    state_ = s;
    is_default_.store(!s.frozen() && s.offset_ms() == 0, std::memory_order_release);
  }
  if (on_change_) on_change_();
}

json::object ClockService::describe(const clock::ClockState& s, int64_t now) const {
  return json::object{{"now", iso_ms(now)},
                      {"now_ms", now},
                      {"frozen", s.frozen()},
                      {"offset_ms", s.frozen() ? now - wall_clock_ms() : s.offset_ms()},
                      {"wall", iso_ms(wall_clock_ms())}};
}

void ClockService::get_clock(const Request&, Decision& out) const {
  clock::ClockState s = state();
  out.output = describe(s, now_of(s, wall_clock_ms()));
}

void ClockService::set_clock(const Request& req, Decision& out) const {
  const json::object& in = req.in.raw();
  for (auto& kv : in)
    if (kv.key() != "advance" && kv.key() != "set" && kv.key() != "freeze")
      throw bad_clock("unknown clock field '" + std::string(kv.key()) + "' (expected advance, set or freeze)");
  if (in.contains("advance") && in.contains("set")) throw bad_clock("give either advance or set, not both");
  if (in.empty()) throw bad_clock("expected one of: {\"advance\": \"90s\"}, {\"set\": \"2027-01-01T00:00:00Z\"}, {\"freeze\": true}");

  const int64_t wall = wall_clock_ms();
  const clock::ClockState before = state();
  clock::ClockState s = before;
  const int64_t before_ms = now_of(before, wall);
  std::string change;
  if (auto* f = in.if_contains("freeze")) {
    if (!f->is_bool()) throw bad_clock("freeze takes true or false");
    if (f->as_bool() && !s.frozen()) {
      s.set_frozen_at_ms(before_ms);
      s.set_frozen(true);
      s.set_offset_ms(0);
      change = "freeze";
    } else if (!f->as_bool() && s.frozen()) {
      // Time runs on from where it stood.
      s.set_offset_ms(s.frozen_at_ms() - wall);
      s.set_frozen(false);
      s.set_frozen_at_ms(0);
      change = "unfreeze";
    }
  }
  auto move_to = [&](int64_t target) {
    if (s.frozen()) s.set_frozen_at_ms(target);
    else s.set_offset_ms(s.offset_ms() + (target - now_of(s, wall)));
  };
  if (auto* a = in.if_contains("advance")) {
    std::optional<int64_t> d;
    if (a->is_string()) d = parse_duration_ms(a->as_string());
    else if (a->is_int64() && a->as_int64() > 0 && a->as_int64() <= kMaxDurationMs / 1000) d = a->as_int64() * 1000;
    if (!d) throw bad_clock("advance takes a positive duration such as \"90s\", \"15m\", \"1h\", \"7d\" (or seconds as a number), at most 100 years");
    move_to(now_of(s, wall) + *d);
    change += (change.empty() ? "" : ", ") + std::string("advance ") + (a->is_string() ? std::string(a->as_string()) : std::to_string(a->as_int64()) + "s");
  } else if (auto* t = in.if_contains("set")) {
    std::optional<double> secs = t->is_string() ? protocol::parse_iso8601(t->as_string()) : std::nullopt;
    if (!secs) throw bad_clock("set takes an ISO 8601 time such as \"2027-01-01T00:00:00Z\"");
    int64_t target = static_cast<int64_t>(*secs * 1000.0 + (*secs >= 0 ? 0.5 : -0.5));
    int64_t cur = now_of(s, wall);
    // History is kept, and events must stay in time order: the way back is
    // a rollback to an earlier log point, which restores the clock with it.
    if (target < cur)
      throw bad_clock("the clock only moves forward: it is " + iso_ms(cur) + ", " + std::string(t->as_string()) +
                      " is earlier (roll back to an earlier log point to go back)");
    move_to(target);
    change += (change.empty() ? "" : ", ") + std::string("set ") + std::string(t->as_string());
  }
  const int64_t after_ms = now_of(s, wall);
  if (!change.empty()) {
    clock::Event ev;
    *ev.mutable_state() = s;
    ev.set_change(change);
    ev.set_before_ms(before_ms);
    ev.set_after_ms(after_ms);
    out.add(std::move(ev));
  }
  out.output = describe(s, after_ms);
}

void ClockService::apply(const proto::Event& e) {
  clock::Event ev;
  if (!ev.ParseFromString(e.payload())) throw std::runtime_error("clock event does not parse");
  set_state(ev.state());
}

std::string ClockService::snapshot() const {
  std::lock_guard lk(mu_);
  if (!state_.frozen() && state_.offset_ms() == 0) return {};
  return deterministic_bytes(state_);
}

Status ClockService::check_snapshot(std::string_view bytes) const {
  clock::ClockState s;
  return parse_snapshot(bytes, s, kName);
}

Status ClockService::restore(std::string_view bytes) {
  clock::ClockState s;
  if (auto st = parse_snapshot(bytes, s, kName); !st) return st;
  set_state(s);
  return Status::ok();
}

void ClockService::clear() { set_state(clock::ClockState()); }

std::string ClockService::summarize(const proto::Event& e) const {
  clock::Event ev;
  if (!ev.ParseFromString(e.payload())) return "(unreadable)";
  return ev.change() + ": " + iso_ms(ev.before_ms()) + " -> " + iso_ms(ev.after_ms()) + (ev.state().frozen() ? " (frozen)" : "");
}

Status ClockService::list_resources(std::string_view snapshot, std::vector<Resource>& out) const {
  if (!snapshot.empty()) out.push_back(Resource{"clock", resource_digest(snapshot)});
  return Status::ok();
}

std::unique_ptr<ClockService> make_clock_service() { return std::make_unique<ClockService>(); }

}  // namespace podstack
