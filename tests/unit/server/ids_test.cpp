// The id generator (server/ids.h): random by default; seeded, every stream is
// a pure function of (seed, epoch, purpose, number), streams never share
// state, and a draw outside any stream does not shift the streams.
#include "server/ids.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "server/random.h"
#include "server/service.h"

using namespace podstack;

namespace {

// Seeds for the test's body, back to random ids after it.
struct Seeded {
  Seeded(std::optional<uint64_t> seed, uint64_t epoch = 0) { ids::configure(seed, epoch); }
  ~Seeded() { ids::configure(std::nullopt, 0); }
};

// What a request on stream `s` gets: a request id, then a receipt handle.
std::vector<std::string> request_ids(ids::Stream s) {
  ids::Scope scope(s);
  return {random_uuid(), random_chars(24, "abcdefghijklmnopqrstuvwxyz")};
}

}  // namespace

TEST_CASE("unseeded: ids are random, and streams are empty") {
  Seeded random(std::nullopt);
  CHECK_FALSE(ids::seed());
  CHECK_FALSE(deterministic_ids());
  CHECK(random_uuid() != random_uuid());
  ids::Stream s = ids::Stream::next(ids::Purpose::kRequest);
  CHECK(s.state == 0);
  CHECK(request_ids(s) != request_ids(s));  // a scope changes nothing without a seed
}

TEST_CASE("seeded: the n-th request stream gives the same ids in every run") {
  std::vector<std::vector<std::string>> first, second;
  for (auto* run : {&first, &second}) {
    Seeded seeded(42);
    for (int i = 0; i < 3; ++i) run->push_back(request_ids(ids::Stream::next(ids::Purpose::kRequest)));
  }
  CHECK(first == second);
  CHECK(first[0] != first[1]);
  CHECK(first[1] != first[2]);
  // A version 4 UUID, variant 1, as AWS's request ids are.
  const std::string& id = first[0][0];
  REQUIRE(id.size() == 36);
  CHECK(id[14] == '4');
  CHECK(std::string("89ab").find(id[19]) != std::string::npos);
}

TEST_CASE("seeded: another seed or another epoch gives other ids") {
  std::vector<std::string> a, b, c;
  {
    Seeded s(42, 7);
    a = request_ids(ids::Stream::next(ids::Purpose::kRequest));
  }
  {
    Seeded s(43, 7);
    b = request_ids(ids::Stream::next(ids::Purpose::kRequest));
  }
  {
    Seeded s(42, 8);
    c = request_ids(ids::Stream::next(ids::Purpose::kRequest));
  }
  CHECK(a != b);
  CHECK(a != c);
  CHECK(ids::stream_key(42, 7, ids::Purpose::kRequest, 0) != ids::stream_key(42, 7, ids::Purpose::kBackground, 0));
  CHECK(ids::stream_key(0, 0, ids::Purpose::kRequest, 0) != 0);
}

TEST_CASE("seeded: background streams and stray draws do not shift request streams") {
  std::vector<std::string> quiet, busy;
  {
    Seeded s(42);
    request_ids(ids::Stream::next(ids::Purpose::kRequest));
    quiet = request_ids(ids::Stream::next(ids::Purpose::kRequest));
  }
  {
    Seeded s(42);
    request_ids(ids::Stream::next(ids::Purpose::kRequest));
    for (int i = 0; i < 5; ++i) request_ids(ids::Stream::next(ids::Purpose::kBackground));  // the outbox
    random_uuid();                                                                            // outside any stream
    busy = request_ids(ids::Stream::next(ids::Purpose::kRequest));
  }
  CHECK(quiet == busy);
}

TEST_CASE("seeded: a stream copied before a request replays the same ids (a long poll run again)") {
  Seeded s(42);
  ids::Stream at_start = ids::Stream::next(ids::Purpose::kRequest);
  ids::Stream copy = at_start;
  CHECK(request_ids(at_start) == request_ids(copy));
  // Scopes nest: the inner stream's draws leave the outer one where it was.
  ids::Stream outer = ids::Stream::next(ids::Purpose::kRequest), inner = ids::Stream::next(ids::Purpose::kRequest);
  ids::Stream outer_copy = outer;
  std::string first, after;
  {
    ids::Scope o(outer);
    first = random_uuid();
    {
      ids::Scope i(inner);
      random_uuid();
    }
    after = random_uuid();
  }
  ids::Scope o(outer_copy);
  CHECK(random_uuid() == first);
  CHECK(random_uuid() == after);
}

TEST_CASE("seeded: threads taking streams at once get distinct numbers, the same set as one thread") {
  constexpr int kThreads = 4, kEach = 2000;
  std::set<uint64_t> serial;
  {
    Seeded s(42);
    for (int i = 0; i < kThreads * kEach; ++i) serial.insert(ids::Stream::next(ids::Purpose::kRequest).state);
  }
  REQUIRE(serial.size() == kThreads * kEach);
  std::vector<std::vector<uint64_t>> got(kThreads);
  {
    Seeded s(42);
    std::vector<std::thread> ts;
    for (int t = 0; t < kThreads; ++t)
      ts.emplace_back([&, t] {
        for (int i = 0; i < kEach; ++i) {
          ids::Stream st = ids::Stream::next(ids::Purpose::kRequest);
          got[t].push_back(st.state);
          ids::Scope scope(st);
          random_uuid();  // draws on the thread's own stream
        }
      });
    for (auto& t : ts) t.join();
  }
  std::set<uint64_t> parallel;
  for (auto& v : got) parallel.insert(v.begin(), v.end());
  CHECK(parallel == serial);
}
