// The id generator behind random_chars() and random_uuid() (server/ids.h).
#include "server/ids.h"

#include <atomic>
#include <random>

#include "server/random.h"

namespace podstack {
namespace ids {
namespace {

constexpr uint64_t kGolden = 0x9e3779b97f4a7c15ULL;

// splitmix64's output function (Steele, Lea, Flood 2014).
uint64_t mix(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// Written by configure() before the server serves (and by unit tests);
// atomics so that a reader never sees a torn value.
std::atomic<bool> g_seeded{false};
std::atomic<uint64_t> g_seed{0}, g_epoch{0};
std::atomic<uint64_t> g_counters[4];

thread_local Stream* t_stream = nullptr;

std::mt19937_64& random_engine() {
  thread_local std::mt19937_64 r{std::random_device{}()};
  return r;
}

uint64_t next_counter(Purpose p) { return g_counters[static_cast<uint64_t>(p)].fetch_add(1, std::memory_order_relaxed); }

}  // namespace

uint64_t stream_key(uint64_t seed, uint64_t epoch, Purpose p, uint64_t n) {
  uint64_t h = mix(seed + kGolden);
  h = mix(h ^ (epoch + 2 * kGolden));
  h = mix(h ^ (static_cast<uint64_t>(p) + 3 * kGolden));
  return mix(h ^ (n + 4 * kGolden));
}

uint64_t step(Stream& s) { return mix(s.state += kGolden); }

void configure(std::optional<uint64_t> seed, uint64_t epoch) {
  for (auto& c : g_counters) c.store(0, std::memory_order_relaxed);
  g_seed.store(seed.value_or(0), std::memory_order_relaxed);
  g_epoch.store(epoch, std::memory_order_relaxed);
  g_seeded.store(seed.has_value(), std::memory_order_release);
}

std::optional<uint64_t> seed() {
  if (!g_seeded.load(std::memory_order_acquire)) return std::nullopt;
  return g_seed.load(std::memory_order_relaxed);
}

Stream Stream::next(Purpose p) {
  if (!g_seeded.load(std::memory_order_relaxed)) return {};
  return Stream{stream_key(g_seed.load(std::memory_order_relaxed), g_epoch.load(std::memory_order_relaxed), p, next_counter(p))};
}

Scope::Scope(Stream& stream) : prev_(t_stream) { t_stream = &stream; }
Scope::~Scope() { t_stream = prev_; }

// One 64-bit draw: the thread's stream when seeded (a draw outside any
// stream takes one of its own, kOther), else the thread's random engine.
uint64_t draw() {
  if (!g_seeded.load(std::memory_order_relaxed)) return random_engine()();
  if (t_stream) return step(*t_stream);
  Stream one = Stream::next(Purpose::kOther);
  return step(one);
}

void fill(uint64_t* out, size_t n) {
  if (!g_seeded.load(std::memory_order_relaxed)) {
    auto& r = random_engine();
    for (size_t i = 0; i < n; ++i) out[i] = r();
    return;
  }
  for (size_t i = 0; i < n; ++i) out[i] = draw();
}

}  // namespace ids

bool deterministic_ids() { return ids::g_seeded.load(std::memory_order_relaxed); }

}  // namespace podstack
