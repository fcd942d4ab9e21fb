// Request metrics for /_podstack/metrics (Prometheus text format 0.0.4).
//
// The hot path is one observe() per answered request: a lookup of the
// request's "service.Operation" slot under a shared lock (slots are created
// once and never removed) and a few relaxed atomic increments. Gauges that
// are cheap to read on demand (sequence, store sizes, checkpoint age) are not
// kept here: the gateway reads them from the engine at scrape time.
#pragma once
#include "server/not_for_services.h"
#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace podstack {

class Metrics {
 public:
  // Upper bounds (seconds) of the latency histogram buckets; +Inf is implied.
  static constexpr std::array<double, 14> kBuckets = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
                                                      0.025,  0.05,    0.1,    0.25,  0.5,    1,     5};

  Metrics();
  ~Metrics();
  // label: "ssm.GetParameter" for AWS calls, the path for internal endpoints.
  void observe(std::string_view label, int status, double seconds);
  // Appends the request families (# HELP/# TYPE + samples) to out.
  void render(std::string& out) const;

  std::atomic<uint64_t> pod_saves{0}, pod_save_errors{0}, pod_loads{0}, pod_load_errors{0};

 private:
  struct Slot;
  Slot& slot(std::string_view label);

  mutable std::shared_mutex mu_;
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, std::unique_ptr<Slot>, Hash, std::equal_to<>> slots_;
};

// Prometheus label value escaping (backslash, double quote, newline).
std::string prom_escape(std::string_view v);

}  // namespace podstack
