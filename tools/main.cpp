// podstack: the server and its command line.
//
//   podstack serve                      run the server (configured by env vars)
//   podstack log [--since N] ...        list events, from a running server or DATA_DIR
//   podstack state hash [--from-scratch]  print the deterministic state hash
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <iostream>

#include "server/config.h"
#include "server/engine.h"
#include "server/gateway.h"
#include "server/http_server.h"
#include "server/services/registry.h"
#include "tools/cli_client.h"

using namespace podstack;
namespace json = boost::json;

namespace {

constexpr const char* kVersion = "0.1.0";

std::string store_path(const std::string& data_dir) { return data_dir + "/log"; }

int serve() {
  auto t0 = std::chrono::steady_clock::now();
  Config cfg;
  auto logger = spdlog::stderr_color_mt("podstack");
  spdlog::set_default_logger(logger);
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  if (std::string err = Config::from_env(cfg); !err.empty()) {
    spdlog::error("{}", err);
    return 2;
  }
  spdlog::set_level(spdlog::level::from_str(cfg.log_level));

  EngineOptions eo;
  eo.store.path = cfg.persistence ? store_path(cfg.data_dir) : std::string();
  eo.store.in_memory = !cfg.persistence;
  eo.store.sync = cfg.persistence_sync;
  eo.checkpoint_every = cfg.checkpoint_every;
  auto engine = Engine::open(eo, make_services());
  if (!engine) {
    spdlog::error("cannot open the event store: {}", engine.status().to_string());
    return 1;
  }
  GatewayOptions go;
  go.version = kVersion;
  go.data_dir = cfg.data_dir;
  go.persistence = cfg.persistence;
  go.enabled = cfg.services;
  Gateway gateway(**engine, go);
  HttpServerOptions ho;
  ho.host = cfg.listen_host;
  ho.port = cfg.listen_port;
  ho.threads = cfg.threads;
  ho.body_limit = cfg.max_request_bytes;
  ho.read_timeout = std::chrono::seconds(cfg.read_timeout_seconds);
  HttpServer server(gateway, ho);
  auto ep = server.listen();
  if (!ep) {
    spdlog::error("{}", ep.status().to_string());
    return 1;
  }
  const auto& st = (*engine)->startup();
  double ready_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  if (cfg.persistence)
    spdlog::info("state is persistent in {} (sync={}); replayed {} events after checkpoint {} in {:.1f} ms, last sequence {}",
                 cfg.data_dir, cfg.persistence_sync ? "fsync" : "wal", st.replayed, st.checkpoint_sequence, st.replay_ms,
                 (*engine)->last_sequence());
  else
    spdlog::info("state is in memory, lost at exit (set PERSISTENCE=1 to keep it in {})", cfg.data_dir);
  spdlog::info("podstack {} ready in {:.1f} ms: listening on {}:{}", kVersion, ready_ms, ep->address().to_string(), ep->port());
  server.run();
  Status closed = (*engine)->close();
  if (!closed) {
    spdlog::error("shutdown checkpoint failed: {}", closed.to_string());
    return 1;
  }
  spdlog::info("stopped cleanly at sequence {}", (*engine)->last_sequence());
  return 0;
}

struct Target {
  std::string endpoint, data_dir;
  bool offline = false;
};

void add_target_options(CLI::App* cmd, Target& t) {
  cmd->add_option("--endpoint", t.endpoint, "server URL (default: from GATEWAY_LISTEN, else http://127.0.0.1:4566)");
  cmd->add_option("--data-dir", t.data_dir, "read DATA_DIR offline instead of asking a server");
  cmd->add_flag("--offline", t.offline, "never ask a server; read DATA_DIR");
}

std::string endpoint_of(const Target& t) {
  if (!t.endpoint.empty()) return t.endpoint;
  const char* gl = std::getenv("GATEWAY_LISTEN");
  std::string host = "127.0.0.1";
  uint16_t port = 4566;
  if (gl && *gl) parse_listen(gl, host, port);
  if (host == "0.0.0.0") host = "127.0.0.1";
  return "http://" + host + ":" + std::to_string(port);
}

std::string data_dir_of(const Target& t) {
  if (!t.data_dir.empty()) return t.data_dir;
  const char* d = std::getenv("DATA_DIR");
  return d && *d ? d : "./.podstack";
}

bool use_server(const Target& t) { return !t.offline && t.data_dir.empty(); }

Result<std::unique_ptr<Engine>> open_offline(const Target& t, bool from_scratch) {
  EngineOptions eo;
  eo.store.path = store_path(data_dir_of(t));
  eo.store.read_only = true;
  eo.ignore_checkpoints = from_scratch;
  spdlog::set_level(spdlog::level::err);
  return Engine::open(eo, make_services());
}

int fail(const std::string& msg) {
  std::fprintf(stderr, "podstack: %s\n", msg.c_str());
  return 1;
}

void print_event_line(const json::object& e) {
  std::printf("%8llu  %s  %s/%s  %-15s %-28s %s  %s\n",
              static_cast<unsigned long long>(e.at("sequence").to_number<uint64_t>()), e.at("time").as_string().c_str(),
              e.at("account").as_string().c_str(), e.at("region").as_string().c_str(), e.at("service").as_string().c_str(),
              e.at("operation").as_string().c_str(), e.at("request_id").as_string().c_str(),
              e.at("summary").as_string().c_str());
}

int cmd_log(const Target& t, uint64_t since, const std::string& service, uint64_t limit, bool as_json) {
  json::array events;
  bool done = false;
  if (use_server(t)) {
    std::string q = "/_podstack/log?since=" + std::to_string(since) + "&limit=" + std::to_string(limit);
    if (!service.empty()) q += "&service=" + service;
    if (auto r = cli::http_call(endpoint_of(t), "GET", q)) {
      if (r->status != 200) return fail("server answered " + std::to_string(r->status) + ": " + r->body);
      events = json::parse(r->body).at("events").as_array();
      done = true;
    }
  }
  if (!done) {
    auto engine = open_offline(t, false);
    if (!engine) return fail("cannot read " + data_dir_of(t) + ": " + engine.status().to_string());
    proto::Event e;
    Status st = (*engine)->store().scan_events(since, [&](uint64_t, std::string_view b) {
      if (!e.ParseFromArray(b.data(), static_cast<int>(b.size()))) return true;
      if (!service.empty() && e.service() != service) return true;
      events.push_back(event_json(**engine, e));
      return events.size() < limit;
    });
    if (!st) return fail(st.to_string());
  }
  if (as_json) {
    std::cout << json::serialize(events) << "\n";
  } else {
    for (auto& e : events) print_event_line(e.as_object());
  }
  return 0;
}

int cmd_state_hash(const Target& t, bool from_scratch, bool as_json) {
  json::object out;
  if (use_server(t) && !from_scratch) {
    if (auto r = cli::http_call(endpoint_of(t), "GET", "/_podstack/state")) {
      if (r->status != 200) return fail("server answered " + std::to_string(r->status));
      out = json::parse(r->body).as_object();
    }
  }
  if (out.empty()) {
    auto engine = open_offline(t, from_scratch);
    if (!engine) return fail("cannot read " + data_dir_of(t) + ": " + engine.status().to_string());
    StateInfo info = (*engine)->state_info();
    out["last_sequence"] = info.last_sequence;
    out["hash"] = info.hash;
    json::object svcs;
    for (auto& [n, h] : info.services) svcs[n] = h;
    out["services"] = std::move(svcs);
  }
  if (as_json)
    std::cout << json::serialize(out) << "\n";
  else
    std::cout << out.at("hash").as_string().c_str() << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"podstack: a local AWS emulator whose state is an event log"};
  app.require_subcommand(1);
  app.set_version_flag("--version", kVersion);

  auto* serve_cmd = app.add_subcommand("serve", "run the server (configured by environment variables, see README)");

  Target log_target;
  uint64_t since = 1, limit = 1000;
  std::string service;
  bool log_json = false;
  auto* log_cmd = app.add_subcommand("log", "list events: sequence, time, account/region, service, operation, request id");
  log_cmd->add_option("--since", since, "first sequence to show");
  log_cmd->add_option("--service", service, "only this service");
  log_cmd->add_option("--limit", limit, "at most this many events");
  log_cmd->add_flag("--json", log_json, "JSON output");
  add_target_options(log_cmd, log_target);

  auto* state_cmd = app.add_subcommand("state", "inspect state");
  state_cmd->require_subcommand(1);
  Target hash_target;
  bool from_scratch = false, hash_json = false;
  auto* hash_cmd = state_cmd->add_subcommand("hash", "print the deterministic state hash");
  hash_cmd->add_flag("--from-scratch", from_scratch, "replay the whole log, ignoring checkpoints (offline)");
  hash_cmd->add_flag("--json", hash_json, "per-service hashes and last sequence as JSON");
  add_target_options(hash_cmd, hash_target);

  CLI11_PARSE(app, argc, argv);
  if (*serve_cmd) return serve();
  if (*log_cmd) return cmd_log(log_target, since, service, limit, log_json);
  if (*hash_cmd) return cmd_state_hash(hash_target, from_scratch, hash_json);
  return 1;
}
