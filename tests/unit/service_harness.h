// An engine on a temporary log with every service, for unit tests that call
// one service's operations at chosen times and reopen (replay) the log.
#pragma once
#include <doctest/doctest.h>

#include <memory>
#include <string>

#include "server/engine.h"
#include "server/services/registry.h"
#include "temp_dir.h"

namespace podstack::testing {

struct ServiceHarness {
  TempDir dir;
  std::string service;
  std::unique_ptr<Engine> engine;
  explicit ServiceHarness(std::string svc, bool ignore_checkpoints = false) : service(std::move(svc)) {
    reopen(ignore_checkpoints);
  }
  void reopen(bool ignore_checkpoints = false) {
    engine.reset();
    EngineOptions o;
    o.store.path = dir / "log";
    o.ignore_checkpoints = ignore_checkpoints;
    auto e = Engine::open(o, make_services());
    REQUIRE(e.is_ok());
    engine = std::move(*e);
  }
  ExecResult call(const char* op, json::object in, int64_t now_ms) {
    CallContext c;
    c.now_ms = now_ms;
    c.request_id = "r";
    ExecResult r = engine->execute(*engine->service(service), op, in, c);
    if (r.commit) REQUIRE(r.commit->wait().is_ok());
    return r;
  }
};

}  // namespace podstack::testing
