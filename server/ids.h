// Where generated ids come from (request ids, message ids, receipt handles,
// version ids, ARN suffixes, keys): random by default, or, with
// PODSTACK_SEED, a seeded generator that makes them reproducible.
//
// Seeded, every draw comes from a *stream*: stream n of a purpose is
// splitmix64 started at a key mixed from (seed, epoch, purpose, n). The
// HTTP server gives each request its own stream, numbered by an atomic
// counter only requests advance; the outbox worker draws from another
// purpose, so background work never shifts the ids handed to requests. A
// stream is a value: the session keeps the one of its request, and a long
// poll that runs its request again restarts from the same point, so it
// answers with the same ids however often it woke. Nothing is locked: a
// draw is an add and a mix on thread-local data.
//
// `epoch` is the log's last sequence when the server started (see
// docs/decisions.md, "Deterministic ids"): the same history gives the same
// ids after a restart, and a restart after new events never repeats the
// streams of an earlier run.
#pragma once
#include "server/not_for_services.h"
#include <cstddef>
#include <cstdint>
#include <optional>

namespace podstack::ids {

enum class Purpose : uint64_t {
  kRequest = 1,     // one stream per HTTP request
  kBackground = 2,  // one per outbox attempt
  kOther = 3,       // draws made outside any stream (one per draw)
};

// Seeded (a value) or random (nullopt), from now on. Called at startup
// before requests are served; restarts every purpose's counter at 0.
void configure(std::optional<uint64_t> seed, uint64_t epoch);
std::optional<uint64_t> seed();

// The state of one stream. Random mode: unused (an empty Stream).
struct Stream {
  uint64_t state = 0;
  // The next stream of `p` (seeded), or an empty Stream (random: no atomic).
  static Stream next(Purpose p);
};

// While alive, this thread's draws advance `stream` (which must outlive the
// scope). Never keep one across a co_await: other coroutines of the thread
// would draw from it. Scopes nest; the destructor restores the previous one.
class Scope {
 public:
  explicit Scope(Stream& stream);
  ~Scope();
  Scope(const Scope&) = delete;
  Scope& operator=(const Scope&) = delete;

 private:
  Stream* prev_;
};

// The next 64 bits: from this thread's stream when seeded (a draw outside
// any stream takes a kOther stream of its own), else from a thread-local
// std::mt19937_64 seeded by std::random_device (as before seeding existed).
uint64_t draw();
// n draws into out: one check of the mode and one thread-local lookup for
// all of them (the hot path: a receipt handle is 24 draws).
void fill(uint64_t* out, size_t n);

// The stream key and the splitmix64 step, exposed for the unit tests.
uint64_t stream_key(uint64_t seed, uint64_t epoch, Purpose p, uint64_t n);
uint64_t step(Stream& s);

}  // namespace podstack::ids
