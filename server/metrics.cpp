#include "server/metrics.h"

#include <cmath>
#include <mutex>
#include <vector>

namespace podstack {

namespace {
// Past this many distinct labels (service names come from clients' SigV4
// scopes) new ones are counted under one "other" slot: bounded memory and
// bounded scrape size whatever clients send.
constexpr size_t kMaxSlots = 2000;
constexpr size_t kStatuses = 8;  // distinct HTTP statuses kept per slot; more go to the last one
}  // namespace

struct Metrics::Slot {
  std::string service, operation;
  std::array<std::atomic<int>, kStatuses> status_code{};
  std::array<std::atomic<uint64_t>, kStatuses> status_count{};
  std::array<std::atomic<uint64_t>, kBuckets.size() + 1> buckets{};
  std::atomic<uint64_t> sum_ns{0};
};

std::string prom_escape(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

Metrics::Metrics() = default;
Metrics::~Metrics() = default;

Metrics::Slot& Metrics::slot(std::string_view label) {
  if (!label.empty() && label[0] == '/') {
    // Internal endpoints: the first two path segments ("/_podstack/pods"), so
    // pod names and services in paths do not become labels.
    size_t second = label.find('/', 1);
    if (second != std::string_view::npos) label = label.substr(0, label.find('/', second + 1));
  }
  {
    std::shared_lock lk(mu_);
    if (auto it = slots_.find(label); it != slots_.end()) return *it->second;
  }
  std::unique_lock lk(mu_);
  if (auto it = slots_.find(label); it != slots_.end()) return *it->second;
  std::string key(label);
  if (slots_.size() >= kMaxSlots) key = "other.other";
  if (auto it = slots_.find(key); it != slots_.end()) return *it->second;
  auto s = std::make_unique<Slot>();
  if (!key.empty() && key[0] == '/') {
    s->service = "internal";
    s->operation = key;
  } else {
    size_t dot = key.find('.');
    s->service = key.substr(0, dot);
    s->operation = dot == std::string::npos ? "" : key.substr(dot + 1);
  }
  auto& ref = *s;
  slots_.emplace(std::move(key), std::move(s));
  return ref;
}

void Metrics::observe(std::string_view label, int status, double seconds) {
  Slot& s = slot(label);
  size_t i = 0;
  for (; i < kStatuses - 1; ++i) {
    int code = s.status_code[i].load(std::memory_order_relaxed);
    if (code == status) break;
    if (code == 0) {
      int expected = 0;
      if (s.status_code[i].compare_exchange_strong(expected, status, std::memory_order_relaxed) || expected == status) break;
    }
  }
  if (i == kStatuses - 1) {
    int expected = 0;
    s.status_code[i].compare_exchange_strong(expected, status, std::memory_order_relaxed);
  }
  s.status_count[i].fetch_add(1, std::memory_order_relaxed);
  size_t b = 0;
  while (b < kBuckets.size() && seconds > kBuckets[b]) ++b;
  s.buckets[b].fetch_add(1, std::memory_order_relaxed);
  s.sum_ns.fetch_add(static_cast<uint64_t>(seconds * 1e9), std::memory_order_relaxed);
}

void Metrics::render(std::string& out) const {
  std::vector<const Slot*> slots;
  {
    std::shared_lock lk(mu_);
    for (auto& [k, s] : slots_) slots.push_back(s.get());
  }
  auto labels = [](const Slot& s) {
    return "service=\"" + prom_escape(s.service) + "\",operation=\"" + prom_escape(s.operation) + "\"";
  };
  out += "# HELP podstack_requests_total Requests answered, by service, operation and HTTP status.\n";
  out += "# TYPE podstack_requests_total counter\n";
  for (const Slot* s : slots)
    for (size_t i = 0; i < kStatuses; ++i) {
      uint64_t n = s->status_count[i].load(std::memory_order_relaxed);
      if (n == 0) continue;
      out += "podstack_requests_total{" + labels(*s) + ",status=\"" + std::to_string(s->status_code[i].load()) + "\"} " +
             std::to_string(n) + "\n";
    }
  out += "# HELP podstack_request_duration_seconds Time from a parsed request to its response being ready (including the group commit).\n";
  out += "# TYPE podstack_request_duration_seconds histogram\n";
  char le[32];
  for (const Slot* s : slots) {
    std::string l = labels(*s);
    uint64_t cumulative = 0;
    for (size_t b = 0; b <= kBuckets.size(); ++b) {
      cumulative += s->buckets[b].load(std::memory_order_relaxed);
      if (b < kBuckets.size()) snprintf(le, sizeof le, "%g", kBuckets[b]);
      else snprintf(le, sizeof le, "+Inf");
      out += "podstack_request_duration_seconds_bucket{" + l + ",le=\"" + le + "\"} " + std::to_string(cumulative) + "\n";
    }
    char sum[48];
    snprintf(sum, sizeof sum, "%.9f", static_cast<double>(s->sum_ns.load(std::memory_order_relaxed)) / 1e9);
    out += "podstack_request_duration_seconds_sum{" + l + "} " + sum + "\n";
    out += "podstack_request_duration_seconds_count{" + l + "} " + std::to_string(cumulative) + "\n";
  }
  auto counter = [&out](const char* name, const char* help, uint64_t v, const char* labels = "") {
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " counter\n" + name + labels + " " +
           std::to_string(v) + "\n";
  };
  counter("podstack_pod_saves_total", "Pods saved (API, CLI through the server).", pod_saves.load());
  counter("podstack_pod_save_errors_total", "Pod saves that failed.", pod_save_errors.load());
  counter("podstack_pod_loads_total", "Pods loaded (API, CLI through the server, AUTO_LOAD_POD).", pod_loads.load());
  counter("podstack_pod_load_errors_total", "Pod loads that failed.", pod_load_errors.load());
}

}  // namespace podstack
