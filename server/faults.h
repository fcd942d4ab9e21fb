// Fault injection in LocalStack's chaos API shape (/_localstack/chaos/faults
// and /_localstack/chaos/effects): rules that make matching AWS requests fail
// with a chosen error, and a latency added to every AWS request.
//
// Faults are configuration, not state: they live in memory only, are never
// logged as events, pods or part of the state hash, and are gone at restart.
// A faulted request fails in the gateway before the engine sees it, so it
// records nothing.
#pragma once
#include "server/not_for_services.h"
#include <boost/json.hpp>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace podstack {

namespace json = boost::json;

// One rule, as LocalStack's FaultRule schema has it: every field optional; an
// absent service, region or operation matches everything.
struct FaultRule {
  std::optional<std::string> service, region, operation;
  std::optional<double> probability;  // absent: 1
  std::optional<int64_t> status_code;  // error.statusCode; absent: 503
  std::optional<std::string> code;    // error.code; absent: ServiceUnavailable
  bool has_error = false;             // the rule had an "error" object (echoed back as given)
  std::optional<std::string> description;  // no effect, echoed back

  bool operator==(const FaultRule&) const = default;
  // Does the rule name this request (probability aside)?
  bool matches(std::string_view service, std::string_view region, std::string_view operation) const;
  int status() const { return static_cast<int>(status_code.value_or(503)); }
  std::string error_code() const { return code.value_or("ServiceUnavailable"); }
  // The rule as given: only the fields it had.
  json::object to_json() const;
};

// A JSON array of rules -> rules, or an error sentence (a rule that is not an
// object, an unknown field, a value outside LocalStack's schema).
std::variant<std::vector<FaultRule>, std::string> parse_fault_rules(const json::value& v);

// The fault a request gets: the HTTP status, the error code and the message.
struct InjectedFault {
  int status = 503;
  std::string code;
  std::string message;
};

// The rule set and the latency, shared by every I/O thread. Which requests a
// rule with a probability below 1 fails is drawn from this object's own
// generator: seeded at construction (reproducible runs), else from
// std::random_device.
class FaultRules {
 public:
  FaultRules();
  explicit FaultRules(uint64_t seed);

  // POST: replace the rule set; PATCH: add the rules not already there;
  // DELETE: remove the rules equal to those given (absent ones are ignored).
  // Each returns the resulting list, as LocalStack answers.
  std::vector<FaultRule> set(std::vector<FaultRule> rules);
  std::vector<FaultRule> add(const std::vector<FaultRule>& rules);
  std::vector<FaultRule> remove(const std::vector<FaultRule>& rules);
  std::vector<FaultRule> list() const;

  // The first rule (in order) that names the request and whose probability
  // draw hits; nullopt: serve the request. Counts each injected fault.
  std::optional<InjectedFault> draw(std::string_view service, std::string_view region, std::string_view operation);

  // /_localstack/chaos/effects: milliseconds added to every AWS request.
  int64_t latency_ms() const { return latency_ms_.load(std::memory_order_relaxed); }
  void set_latency_ms(int64_t ms) { latency_ms_.store(ms, std::memory_order_relaxed); }

  // Faults injected since the start, by (service, operation).
  std::map<std::pair<std::string, std::string>, uint64_t> injected() const;

 private:
  mutable std::mutex mu_;
  std::vector<FaultRule> rules_;
  std::atomic<bool> any_{false};  // the hot path without rules takes no lock
  std::mt19937_64 rng_;
  std::atomic<int64_t> latency_ms_{0};
  std::map<std::pair<std::string, std::string>, uint64_t> injected_;
};

}  // namespace podstack
