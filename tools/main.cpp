// podstack: the server and its command line.
//
//   podstack serve                      run the server (configured by env vars)
//   podstack log [--since N] [--follow] ...  list events, from a running server or DATA_DIR
//   podstack state hash [--from-scratch]  print the deterministic state hash
//   podstack state reset [--service S]    empty the state (as an event)
//   podstack state rollback --to-seq N | --to-time T
//   podstack pod save|load|list|versions|inspect|diff|verify|delete|export|import|push|pull  [--remote URL]
//   podstack store verify [--json]      check every table file's checksums, offline (read-only)
//   podstack health                     exit 0 when the server is ready (the image's HEALTHCHECK)
//   podstack version [--json]           version, commit, build date, store and pod formats
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <iostream>
#include <algorithm>
#include <map>
#include <thread>
#include <optional>

#include "server/build_info.h"
#include "server/config.h"
#include "store/test_hook.h"
#include "server/clock_service.h"
#include "server/engine.h"
#include "server/outbox.h"
#include "server/gateway.h"
#include "server/http_server.h"
#include "server/ids.h"
#include "server/init_hooks.h"
#include "server/logging.h"
#include "server/metrics.h"
#include "server/pods_api.h"
#include "server/protocol/encoding.h"
#include "server/services/registry.h"
#include "server/startup_pods.h"
#include "pods/remote.h"
#include "tools/cli_client.h"

using namespace podstack;
namespace json = boost::json;

namespace {

const char* const kVersion = build_info().version;

std::string store_path(const std::string& data_dir) { return data_dir + "/log"; }

// What init hook scripts find in their environment: where the server is, and
// credentials/region for AWS clients unless the container already sets them.
std::map<std::string, std::string> hook_env(const Config& cfg, const std::string& host, uint16_t port) {
  std::string h = host == "0.0.0.0" || host == "::" || host.empty() ? "127.0.0.1" : host;
  if (h.find(':') != std::string::npos) h = "[" + h + "]";
  std::string hp = h + ":" + std::to_string(port);
  std::map<std::string, std::string> env{{"AWS_ENDPOINT_URL", "http://" + hp}, {"GATEWAY_LISTEN", hp}};
  for (auto [k, v] : {std::pair{"AWS_ACCESS_KEY_ID", "test"}, {"AWS_SECRET_ACCESS_KEY", "test"}, {"AWS_DEFAULT_REGION", "us-east-1"}})
    if (std::find(cfg.aws_env_set.begin(), cfg.aws_env_set.end(), k) == cfg.aws_env_set.end()) env[k] = v;
  return env;
}

// Seeds generated ids (server/ids.h) with PODSTACK_SEED, recorded in the
// log when it is new there, or with the seed the log recorded; random when
// neither. The epoch is the log's last sequence: the same history gives the
// same ids after a restart (docs/decisions.md, "Deterministic ids").
bool start_ids(Engine& engine, std::optional<uint64_t> env_seed) {
  std::optional<uint64_t> logged = engine.seed();
  if (env_seed && env_seed != logged) {
    CallContext ctx;
    ctx.request_id = "podstack-seed";
    ctx.now_ms = wall_clock_ms();
    ExecResult r = engine.record_seed(*env_seed, ctx);
    Status st = r.error ? Status::io_error(r.error->message) : r.commit ? r.commit->wait() : Status::ok();
    if (!st) {
      spdlog::error("cannot record PODSTACK_SEED in the log: {}; not starting", st.to_string());
      return false;
    }
    if (logged) spdlog::info("PODSTACK_SEED={} replaces the seed {} the log recorded", *env_seed, *logged);
  }
  std::optional<uint64_t> seed = env_seed ? env_seed : logged;
  ids::configure(seed, engine.last_sequence());
  if (seed)
    spdlog::info("generated ids are deterministic: seed {}{}, from log sequence {}", *seed,
                 env_seed ? "" : " (recorded in the log; PODSTACK_SEED is not set)", engine.last_sequence());
  return true;
}

int serve() {
  auto t0 = std::chrono::steady_clock::now();
  Config cfg;
  std::string cfg_err = Config::from_env(cfg);
  if (std::string err = setup_logging(cfg.log_level, cfg.log_format); !err.empty() && cfg_err.empty()) cfg_err = err;
  if (!cfg_err.empty()) {
    spdlog::error("{}", cfg_err);
    return 2;
  }
  spdlog::info("{}", build_info_line());
  for (auto& w : cfg.startup_warnings) spdlog::warn("{}", w);
  for (auto& n : cfg.startup_notes) spdlog::info("{}", n);
  InitHooks hooks(cfg.init_dirs);
  hooks.run(InitStage::kBoot, hook_env(cfg, cfg.listen_host, cfg.listen_port));
  Metrics metrics;

  EngineOptions eo;
  eo.store.path = cfg.persistence ? store_path(cfg.data_dir) : std::string();
  eo.store.in_memory = !cfg.persistence;
  eo.store.sync = cfg.persistence_sync;
  eo.store.reserve_bytes = cfg.disk_reserve_bytes;
  eo.checkpoint_every = cfg.checkpoint_every;
  eo.fork_checkpoints = cfg.checkpoint_fork;
  eo.factory = [] { return make_services(); };
  auto engine = Engine::open(eo, make_services(cfg.service_settings));
  if (!engine) {
    spdlog::error("cannot open the event store: {}", engine.status().to_string());
    return 1;
  }
  // Damage the open found (what WAL recovery dropped): the store starts
  // from the consistent prefix RocksDB recovered, degraded (docs/decisions.md).
  for (const auto& p : (*engine)->store().problems()) {
    if (cfg.persistence_sync) spdlog::error("event store: {}", p);
    else spdlog::warn("event store: {}", p);
  }
  if (!start_ids(**engine, cfg.seed)) return 1;
  // Init pods and AUTO_LOAD_POD load before the server listens, so healthy
  // means loaded; a failure stops startup (server/startup_pods.h).
  if (Status st = load_startup_pods(**engine, startup_pods_from_config(cfg)); !st) {
    spdlog::error("{}; not starting", st.message());
    return 1;
  }
  hooks.run(InitStage::kStart, hook_env(cfg, cfg.listen_host, cfg.listen_port));
  // Effects outside podstack (HTTP subscribers, SMTP) run after commit.
  Outbox outbox(**engine);
  outbox.start();
  // Work that comes due on podstack's clock (TTL deletes, deletion windows,
  // lifecycle expiry) is committed by the engine's due-work thread.
  (*engine)->start_due_work();
  GatewayOptions go;
  go.version = kVersion;
  go.metrics = &metrics;
  go.init = &hooks;
  go.data_dir = cfg.data_dir;
  go.persistence = cfg.persistence;
  go.enabled = cfg.services;
  // With a seed, which requests a fault rule with a probability fails is
  // reproducible too (the rules are configuration; their draws are seeded).
  go.fault_seed = ids::seed();
  go.disable_cors_checks = cfg.disable_cors_checks;
  go.extra_cors_origins = cfg.extra_cors_origins;
  Gateway gateway(**engine, go);
  HttpServerOptions ho;
  ho.host = cfg.listen_host;
  ho.port = cfg.listen_port;
  ho.threads = cfg.threads;
  ho.body_limit = cfg.max_request_bytes;
  ho.read_timeout = std::chrono::seconds(cfg.read_timeout_seconds);
  uint16_t bound_port = cfg.listen_port;
  bool ready_hooks = hooks.script_count(InitStage::kReady) > 0;
  if (ready_hooks || hooks.script_count(InitStage::kShutdown) > 0)
    ho.on_signal = [&] {
      hooks.cancel();  // a ready.d script still running
      hooks.run(InitStage::kShutdown, hook_env(cfg, cfg.listen_host, bound_port));
    };
  HttpServer server(gateway, ho);
  gateway.set_ready(!ready_hooks);
  auto ep = server.listen();
  if (!ep) {
    spdlog::error("{}", ep.status().to_string());
    return 1;
  }
  bound_port = ep->port();
  // Checksums of every table file, now and every STORE_VERIFY_INTERVAL, at
  // idle priority: damage nothing reads until a rollback is reported early.
  (*engine)->store().start_verification(std::chrono::seconds(cfg.store_verify_interval),
                                        [](const std::string& p) { spdlog::error("event store: {}", p); });
  const auto& st = (*engine)->startup();
  double ready_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  if (cfg.persistence)
    spdlog::info("state is persistent in {} (sync={}); replayed {} events after checkpoint {} in {:.1f} ms, last sequence {}",
                 cfg.data_dir, cfg.persistence_sync ? "fsync" : "wal", st.replayed, st.checkpoint_sequence, st.replay_ms,
                 (*engine)->last_sequence());
  else
    spdlog::info("state is in memory, lost at exit (set PERSISTENCE=1 to keep it in {})", cfg.data_dir);
  spdlog::info("podstack {} ready in {:.1f} ms: listening on {}:{}", kVersion, ready_ms, ep->address().to_string(), ep->port());
  // ready.d runs while the server answers; healthy (and "Ready.", the line
  // LocalStack's users and Testcontainers wait for) only once it is done.
  std::thread ready_thread;
  if (ready_hooks) {
    ready_thread = std::thread([&] {
      hooks.run(InitStage::kReady, hook_env(cfg, cfg.listen_host, bound_port));
      gateway.set_ready(true);
      spdlog::info("Ready.");
    });
  } else {
    hooks.run(InitStage::kReady, {});
    spdlog::info("Ready.");
  }
  server.run();
  if (ready_thread.joinable()) ready_thread.join();
  outbox.stop();
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

// The environment, read once (server/config): the CLI finds the server and
// the data the way the server does.
const Config& env_config() {
  static const Config c = [] {
    Config c;
    Config::from_env(c);  // a bad value elsewhere is serve's to report; the CLI keeps the defaults
    return c;
  }();
  return c;
}

// --endpoint; else GATEWAY_LISTEN (what the server is told); else
// AWS_ENDPOINT_URL (what the user's AWS clients are told); else 127.0.0.1:4566.
std::string endpoint_of(const Target& t) {
  if (!t.endpoint.empty()) return t.endpoint;
  const char* listen = std::getenv("GATEWAY_LISTEN");
  if ((!listen || !*listen) && env_config().aws.endpoint_url.rfind("http://", 0) == 0) return env_config().aws.endpoint_url;
  std::string host = env_config().listen_host;
  if (host == "0.0.0.0") host = "127.0.0.1";
  return "http://" + host + ":" + std::to_string(env_config().listen_port);
}

std::string data_dir_of(const Target& t) { return !t.data_dir.empty() ? t.data_dir : env_config().data_dir; }

bool use_server(const Target& t) { return !t.offline && t.data_dir.empty(); }

Result<std::unique_ptr<Engine>> open_offline(const Target& t, bool from_scratch) {
  EngineOptions eo;
  eo.store.path = store_path(data_dir_of(t));
  eo.store.read_only = true;
  eo.ignore_checkpoints = from_scratch;
  eo.factory = [] { return make_services(); };
  spdlog::set_level(spdlog::level::err);
  return Engine::open(eo, make_services());
}

// DATA_DIR opened for writing, offline (the server must be stopped): the
// CLI's own events (rollback, reset, a clock change) go through the engine.
Result<std::unique_ptr<Engine>> open_writable(const Target& t) {
  EngineOptions eo;
  eo.store.path = store_path(data_dir_of(t));
  eo.factory = [] { return make_services(); };
  spdlog::set_level(spdlog::level::err);
  return Engine::open(eo, make_services());
}

int fail(const std::string& msg) {
  // On a terminal, replace a progress line that may be showing.
  std::fprintf(stderr, "%spodstack: %s\n", isatty(STDERR_FILENO) ? "\r\033[K" : "", msg.c_str());
  return 1;
}

std::string server_error(const cli::HttpResult& r) {
  return r.status == 0 ? r.body : "server answered " + std::to_string(r.status) + ": " + r.body;
}

void print_event_line(const json::object& e) {
  std::printf("%8llu  %s  %s/%s  %-15s %-28s %s  %s\n",
              static_cast<unsigned long long>(e.at("sequence").to_number<uint64_t>()), e.at("time").as_string().c_str(),
              e.at("account").as_string().c_str(), e.at("region").as_string().c_str(), e.at("service").as_string().c_str(),
              e.at("operation").as_string().c_str(), e.at("request_id").as_string().c_str(),
              e.at("summary").as_string().c_str());
}

struct LogQuery {
  uint64_t since = 1, limit = 1000;
  std::string service, operation;
  bool as_json = false;
  bool follow = false;
};

// A query parameter's value, percent-encoded (RFC 3986 unreserved kept).
std::string query_value(std::string_view v) {
  std::string out;
  for (unsigned char ch : v) {
    if (std::isalnum(ch) || ch == '-' || ch == '_' || ch == '.' || ch == '~') {
      out += static_cast<char>(ch);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", ch);
      out += buf;
    }
  }
  return out;
}

std::string log_url(const LogQuery& q, uint64_t since, int wait_seconds) {
  std::string t = "/_podstack/log?since=" + std::to_string(since) + "&limit=" + std::to_string(q.limit);
  if (!q.service.empty()) t += "&service=" + query_value(q.service);
  if (!q.operation.empty()) t += "&operation=" + query_value(q.operation);
  if (wait_seconds > 0) t += "&wait=" + std::to_string(wait_seconds);
  return t;
}

// --follow: long polls /_podstack/log (each answers as soon as an event
// matches, or empty after the wait) and prints events as they arrive, one
// line (or one JSON object) each, until interrupted or the server goes away.
int follow_log(const Target& t, const LogQuery& q) {
  constexpr int kPollSeconds = 30;
  uint64_t since = q.since;
  for (;;) {
    auto r = cli::http_call(endpoint_of(t), "GET", log_url(q, since, kPollSeconds));
    if (!r) return fail("no server at " + endpoint_of(t) + " (--follow needs a running server)");
    if (r->status != 200) return fail(server_error(*r));
    json::object page = json::parse(r->body).as_object();
    for (auto& e : page.at("events").as_array()) {
      if (q.as_json) std::cout << json::serialize(e) << "\n";
      else print_event_line(e.as_object());
    }
    std::cout.flush();
    std::fflush(stdout);
    since = page.at("next").to_number<uint64_t>();
  }
}

int cmd_log(const Target& t, const LogQuery& q) {
  const uint64_t since = q.since, limit = q.limit;
  const std::string& service = q.service;
  if (q.follow) return follow_log(t, q);
  json::array events;
  bool done = false;
  if (use_server(t)) {
    if (auto r = cli::http_call(endpoint_of(t), "GET", log_url(q, since, 0))) {
      if (r->status != 200) return fail(server_error(*r));
      events = json::parse(r->body).at("events").as_array();
      done = true;
    }
  }
  if (!done) {
    // The log only, no state built: it lists a log whose replay fails too
    // (the event to name in `log repair --drop`).
    EngineOptions eo;
    eo.store.path = store_path(data_dir_of(t));
    eo.store.read_only = true;
    eo.skip_replay = true;
    spdlog::set_level(spdlog::level::err);
    auto engine = Engine::open(eo, make_services());
    if (!engine) return fail("cannot read " + data_dir_of(t) + ": " + engine.status().to_string());
    proto::Event e;
    Status st = (*engine)->store().scan_events(since, [&](uint64_t seq, std::string_view b) {
      if (!e.ParseFromArray(b.data(), static_cast<int>(b.size()))) {
        e.Clear();
        e.set_sequence(seq);
        e.set_operation("(does not parse)");
        if (service.empty() && q.operation.empty()) events.push_back(event_json(**engine, e));
        return events.size() < limit;
      }
      if (!service.empty() && e.service() != service) return true;
      if (!q.operation.empty() && e.operation() != q.operation) return true;
      events.push_back(event_json(**engine, e));
      return events.size() < limit;
    });
    if (!st) return fail(st.to_string());
  }
  if (q.as_json) {
    std::cout << json::serialize(events) << "\n";
  } else {
    for (auto& e : events) print_event_line(e.as_object());
  }
  return 0;
}

// Offline, on a stopped server's DATA_DIR: see Engine::drop_event. Then
// replays the whole log to say whether it now replays.
int cmd_log_repair(const Target& t, uint64_t seq) {
  StoreOptions so;
  so.path = store_path(data_dir_of(t));
  if (!std::filesystem::exists(so.path)) return fail("no event store at " + so.path + " (set DATA_DIR or --data-dir)");
  spdlog::set_level(spdlog::level::err);
  auto dropped = Engine::drop_event(so, seq, "dropped by `podstack log repair --drop " + std::to_string(seq) + "`");
  if (!dropped) return fail("cannot repair " + data_dir_of(t) + ": " + dropped.status().to_string());
  std::printf("dropped %s; it is kept in the log as a podstack.EventDropped record\n", dropped->c_str());
  auto engine = open_offline(t, /*from_scratch=*/true);
  if (!engine) {
    std::printf("the log still does not replay: %s\n", engine.status().message().c_str());
    return 1;
  }
  StateInfo info = (*engine)->state_info();
  std::printf("the log replays from scratch: %llu events, state hash %s\n",
              static_cast<unsigned long long>(info.last_sequence), info.hash.c_str());
  return 0;
}

int cmd_state_hash(const Target& t, bool from_scratch, bool as_json, std::optional<uint64_t> to_seq) {
  json::object out;
  if (to_seq) {
    auto engine = open_offline(t, from_scratch);
    if (!engine) return fail("cannot read " + data_dir_of(t) + ": " + engine.status().to_string());
    auto ex = (*engine)->export_at(*to_seq);
    if (!ex) return fail(ex.status().message());
    out["last_sequence"] = ex->info.last_sequence;
    out["hash"] = ex->info.hash;
    json::object svcs;
    for (auto& [n, h] : ex->info.services) svcs[n] = h;
    out["services"] = std::move(svcs);
  }
  if (out.empty() && use_server(t) && !from_scratch) {
    if (auto r = cli::http_call(endpoint_of(t), "GET", "/_podstack/state")) {
      if (r->status != 200) return fail(server_error(*r));
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

void print_json(const json::value& v) { std::cout << json::serialize(v) << "\n"; }

std::string human_bytes(uint64_t n) { return pods::Progress::bytes(n); }

void print_header(const json::object& h) {
  std::printf("pod %s:%llu  %s\n", h.at("name").as_string().c_str(),
              static_cast<unsigned long long>(h.at("version").to_number<uint64_t>()), h.at("created").as_string().c_str());
  if (!h.at("message").as_string().empty()) std::printf("  message   %s\n", h.at("message").as_string().c_str());
  std::printf("  hash      %s\n  sequence  %llu\n  size      %s (%s compressed)\n", h.at("state_hash").as_string().c_str(),
              static_cast<unsigned long long>(h.at("source_sequence").to_number<uint64_t>()),
              human_bytes(h.at("state_bytes").to_number<uint64_t>()).c_str(),
              human_bytes(h.at("compressed_bytes").to_number<uint64_t>()).c_str());
  for (auto& kv : h.at("services").as_object())
    std::printf("  %-15s %llu resources\n", std::string(kv.key()).c_str(),
                static_cast<unsigned long long>(kv.value().at("resources").to_number<uint64_t>()));
}

struct PodArgs {
  Target target;
  std::string ref, ref2, message, services, strategy = "overwrite", file, new_name, remote, endpoint_url;
  bool json = false, live = false;
};

int cmd_pod(const std::string& sub, const PodArgs& a);

// The summary of a diff_json() object; at most `limit` ids per kind and service.
void print_diff(const json::object& d, size_t limit) {
  auto n = [&](const char* k) { return static_cast<unsigned long long>(d.at(k).to_number<uint64_t>()); };
  if (d.at("same").as_bool()) {
    std::printf("no differences from %s to %s\n", d.at("from").as_string().c_str(), d.at("to").as_string().c_str());
    return;
  }
  std::printf("from %s to %s: %llu added, %llu removed, %llu changed\n", d.at("from").as_string().c_str(),
              d.at("to").as_string().c_str(), n("added"), n("removed"), n("changed"));
  for (auto& kv : d.at("services").as_object()) {
    auto& s = kv.value().as_object();
    std::printf("  %s: %zu added, %zu removed, %zu changed\n", std::string(kv.key()).c_str(), s.at("added").as_array().size(),
                s.at("removed").as_array().size(), s.at("changed").as_array().size());
    for (auto [kind, mark] : {std::pair{"added", '+'}, {"removed", '-'}, {"changed", '~'}}) {
      auto& ids = s.at(kind).as_array();
      for (size_t i = 0; i < ids.size() && i < limit; ++i) std::printf("    %c %s\n", mark, ids[i].as_string().c_str());
      if (ids.size() > limit) std::printf("    %c ... %zu more\n", mark, ids.size() - limit);
    }
  }
}

std::string q_escape(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == ',' || c == ':') out += static_cast<char>(c);
    else {
      char b[4];
      snprintf(b, sizeof b, "%%%02X", c);
      out += b;
    }
  }
  return out;
}

// Asks the server when one runs; nullopt: none answers (go offline).
std::optional<cli::HttpResult> ask(const PodArgs& a, const std::string& method, const std::string& target) {
  if (!use_server(a.target)) return std::nullopt;
  return cli::http_call(endpoint_of(a.target), method, target);
}

int answer(const cli::HttpResult& r, bool as_json, const std::function<void(const json::object&)>& show) {
  if (r.status == 0) return fail(r.body);
  boost::system::error_code ec;
  json::value v = json::parse(r.body, ec);
  if (ec || !v.is_object()) return fail("server answered " + std::to_string(r.status) + ": " + r.body);
  if (r.status != 200) return fail(std::string(v.as_object().contains("error") ? v.at("error").as_string().c_str() : r.body.c_str()));
  if (as_json) print_json(v);
  else show(v.as_object());
  return 0;
}

// --remote: list, versions, inspect and delete act on the remote; push and
// pull copy one version between the local registry and the remote; save
// saves locally then pushes; load pulls then loads the local copy.
int cmd_pod_remote(const std::string& sub, const PodArgs& a, pods::Registry& registry) {
  auto remote = pods::open_remote(a.remote, a.endpoint_url);
  if (!remote) return fail(remote.status().message());
  pods::Remote& rm = **remote;
  auto ref = a.ref.empty() ? Result<pods::PodRef>(pods::PodRef{}) : pods::parse_pod_ref(a.ref);
  if (!ref) return fail(ref.status().message());
  if (sub == "push") {
    uint64_t local = 0;
    auto p = registry.resolve(*ref, &local);
    if (!p) return fail(p.status().message());
    auto pod = pods::read_pod(*p);
    if (!pod) return fail(pod.status().message());
    pod->header.set_name(ref->name);
    pods::Progress progress("uploading " + ref->name + ":" + std::to_string(local), 0, !a.json);
    auto v = rm.push(*pod, &progress);
    if (!v) return fail(v.status().message());
    progress.finish();
    json::object out = header_json(pod->header);
    out["remote"] = rm.url();
    out["local_version"] = local;
    if (a.json) print_json(out);
    else std::printf("pushed %s:%llu to %s as %s:%llu (hash %s)\n", ref->name.c_str(), static_cast<unsigned long long>(local),
                     rm.url().c_str(), ref->name.c_str(), static_cast<unsigned long long>(*v), pod->header.state_hash().c_str());
    return 0;
  }
  if (sub == "pull" || sub == "load") {
    pods::Progress progress("downloading " + ref->to_string(), 0, !a.json);
    auto pod = rm.fetch(*ref, &progress);
    if (!pod) return fail(pod.status().message());
    progress.finish();
    uint64_t remote_version = pod->header.version();
    auto v = registry.add(*pod);
    if (!v) return fail(v.status().message());
    if (sub == "load") {
      if (!a.json)
        std::printf("pulled %s:%llu from %s as local %s:%llu\n", ref->name.c_str(), static_cast<unsigned long long>(remote_version),
                    rm.url().c_str(), ref->name.c_str(), static_cast<unsigned long long>(*v));
      PodArgs b = a;
      b.remote.clear();
      b.ref = ref->name + ":" + std::to_string(*v);
      return cmd_pod("load", b);
    }
    json::object out = header_json(pod->header);
    out["remote"] = rm.url();
    out["remote_version"] = remote_version;
    if (a.json) print_json(out);
    else std::printf("pulled %s:%llu from %s as local %s:%llu\n", ref->name.c_str(), static_cast<unsigned long long>(remote_version),
                     rm.url().c_str(), ref->name.c_str(), static_cast<unsigned long long>(*v));
    return 0;
  }
  if (sub == "list") {
    auto names = rm.names();
    if (!names) return fail(names.status().message());
    json::array list;
    for (auto& n : *names) {
      auto vs = rm.versions(n);
      if (!vs) return fail(vs.status().message());
      json::array arr;
      for (auto v : *vs) arr.push_back(v);
      list.push_back(json::object{{"name", n}, {"versions", std::move(arr)}});
    }
    if (a.json) print_json(list);
    else
      for (auto& p : list) std::printf("%-30s %zu version(s)\n", p.at("name").as_string().c_str(), p.at("versions").as_array().size());
    return 0;
  }
  if (sub == "versions" || sub == "inspect") {
    std::vector<uint64_t> vs;
    if (sub == "inspect") {
      auto v = rm.resolve(*ref);
      if (!v) return fail(v.status().message());
      vs.push_back(*v);
    } else {
      auto all = rm.versions(ref->name);
      if (!all) return fail(all.status().message());
      if (all->empty()) return fail("there is no pod named '" + ref->name + "' in " + rm.url());
      vs = *all;
    }
    json::array out;
    for (auto v : vs) {
      auto h = rm.header(ref->name, v);
      if (!h) return fail(h.status().message());
      h->set_name(ref->name);
      h->set_version(v);
      out.push_back(header_json(*h));
    }
    if (a.json) print_json(sub == "inspect" ? out[0] : json::value(out));
    else for (auto& h : out) print_header(h.as_object());
    return 0;
  }
  if (sub == "delete") {
    if (Status st = rm.remove(*ref); !st) return fail(st.message());
    if (a.json) print_json(json::object{{"deleted", ref->to_string()}, {"remote", rm.url()}});
    else std::printf("deleted %s from %s\n", ref->to_string().c_str(), rm.url().c_str());
    return 0;
  }
  return fail("pod " + sub + " does not take --remote");
}

int cmd_pod(const std::string& sub, const PodArgs& a) {
  pods::Registry registry(data_dir_of(a.target) + "/pods");
  auto ref = a.ref.empty() ? Result<pods::PodRef>(pods::PodRef{}) : pods::parse_pod_ref(a.ref);
  if (!ref) return fail(ref.status().message());
  if (!a.remote.empty() && sub != "save") return cmd_pod_remote(sub, a, registry);
  if (sub == "push" || sub == "pull") return fail("pod " + sub + " needs --remote file:///path or s3://bucket/prefix");
  std::string version_q = ref->version ? "version=" + std::to_string(*ref->version) : "";
  if (sub == "save") {
    if (ref->version) return fail("pod save takes a name, not a version: the next version is chosen for you");
    json::object saved;
    std::optional<cli::HttpResult> r;
    pods::Progress waiting("saving " + ref->name, 0, !a.json);
    waiting.wait_for([&] {
      r = ask(a, "POST", "/_podstack/pods/" + ref->name + "?message=" + q_escape(a.message) + "&services=" + q_escape(a.services));
    });
    if (r) {
      if (r->status != 200) return answer(*r, a.json, [](const json::object&) {});
      saved = json::parse(r->body).as_object();
      waiting.set_total(saved.at("compressed_bytes").to_number<uint64_t>());
      waiting.finish();
    } else {
      auto engine = open_offline(a.target, false);
      if (!engine) return fail("cannot read " + data_dir_of(a.target) + ": " + engine.status().to_string());
      pods::Progress progress("saving " + ref->name, 0, !a.json);
      SaveOptions o{ref->name, a.message, kVersion, split_csv(a.services), &progress};
      auto h = save_pod(**engine, registry, o);
      if (!h) return fail(h.status().message());
      progress.finish();
      saved = header_json(*h);
    }
    if (!a.remote.empty()) {  // then push that version
      PodArgs b = a;
      b.ref = ref->name + ":" + std::to_string(saved.at("version").to_number<uint64_t>());
      return cmd_pod_remote("push", b, registry);
    }
    if (a.json) print_json(saved);
    else { std::printf("saved "); print_header(saved); }
    return 0;
  }
  if (sub == "load") {
    std::optional<cli::HttpResult> r;
    pods::Progress waiting("loading " + ref->to_string(), 0, !a.json);
    waiting.wait_for([&] {
      r = ask(a, "POST", "/_podstack/pods/" + ref->name + "/load?" + version_q + "&strategy=" + q_escape(a.strategy) +
                             "&services=" + q_escape(a.services));
    });
    if (r) {
      if (r->status == 200) {
        boost::system::error_code ec;
        json::value v = json::parse(r->body, ec);
        if (!ec && v.is_object() && v.as_object().contains("compressed_bytes")) {
          waiting.set_total(v.at("compressed_bytes").to_number<uint64_t>());
          waiting.finish();
        }
      }
      return answer(*r, a.json, [](const json::object& h) { std::printf("loaded "); print_header(h); });
    }
    EngineOptions eo;
    eo.store.path = store_path(data_dir_of(a.target));
    spdlog::set_level(spdlog::level::err);
    auto engine = Engine::open(eo, make_services());
    if (!engine) return fail("cannot open " + data_dir_of(a.target) + ": " + engine.status().to_string());
    CallContext ctx;
    ctx.request_id = "cli";
    ctx.now_ms = (*engine)->now_ms();
    pods::Progress progress("loading " + ref->to_string(), 0, !a.json);
    auto h = load_pod_from_registry(**engine, registry, LoadOptions{*ref, a.strategy, split_csv(a.services), &progress}, ctx);
    if (!h) return fail(h.status().message());
    progress.finish();
    if (Status st = (*engine)->close(); !st) return fail(st.to_string());
    if (a.json) print_json(header_json(*h));
    else { std::printf("loaded "); print_header(header_json(*h)); }
    return 0;
  }
  if (sub == "verify") {
    auto show = [](const json::object& v) {
      if (v.at("ok").as_bool()) {
        std::printf("ok: live state equals pod %s (hash %s)\n", v.at("pod").as_string().c_str(), v.at("pod_hash").as_string().c_str());
      } else {
        std::printf("drift: live state differs from pod %s\n  pod hash   %s\n  live hash  %s\n  services   ", v.at("pod").as_string().c_str(),
                    v.at("pod_hash").as_string().c_str(), v.at("live_hash").as_string().c_str());
        for (auto& d : v.at("differing_services").as_array()) std::printf("%s ", d.as_string().c_str());
        std::printf("\n");
        if (auto* d = v.if_contains("diff")) print_diff(d->as_object(), 10);
      }
    };
    json::object v;
    if (auto r = ask(a, "GET", "/_podstack/pods/" + ref->name + "/verify?" + version_q)) {
      if (r->status != 200) return answer(*r, a.json, show);
      v = json::parse(r->body).as_object();
    } else {
      auto engine = open_offline(a.target, false);
      if (!engine) return fail("cannot read " + data_dir_of(a.target) + ": " + engine.status().to_string());
      auto res = verify_pod(**engine, registry, *ref);
      if (!res) return fail(res.status().message());
      v = verify_json(*res);
    }
    if (a.json) print_json(v);
    else show(v);
    return v.at("ok").as_bool() ? 0 : 1;
  }
  if (sub == "diff") {
    json::object d;
    if (a.live) {
      if (!a.ref2.empty()) return fail("pod diff takes either two pods or one pod and --live");
      if (auto r = ask(a, "GET", "/_podstack/pods/" + ref->name + "/diff?" + version_q)) {
        if (r->status != 200) return answer(*r, a.json, [](const json::object&) {});
        d = json::parse(r->body).as_object();
      } else {
        auto engine = open_offline(a.target, false);
        if (!engine) return fail("cannot read " + data_dir_of(a.target) + ": " + engine.status().to_string());
        auto p = registry.resolve(*ref);
        auto pod = p ? pods::read_pod(*p) : Result<pods::PodContent>(p.status());
        if (!pod) return fail(pod.status().message());
        auto res = diff_live(**engine, *pod);
        if (!res) return fail(res.status().message());
        d = diff_json(*res);
      }
    } else {
      if (a.ref2.empty()) return fail("pod diff needs two pods (A B) or one pod and --live");
      auto ref2 = pods::parse_pod_ref(a.ref2);
      if (!ref2) return fail(ref2.status().message());
      std::optional<pods::PodContent> pa, pb;
      for (auto [r, out] : {std::pair{&*ref, &pa}, {&*ref2, &pb}}) {
        uint64_t v = 0;
        auto p = registry.resolve(*r, &v);
        auto pod = p ? pods::read_pod(*p) : Result<pods::PodContent>(p.status());
        if (!pod) return fail(pod.status().message());
        pod->header.set_version(v);
        *out = std::move(*pod);
      }
      auto res = diff_pods(make_services(), *pa, *pb);
      if (!res) return fail(res.status().message());
      d = diff_json(*res);
    }
    if (a.json) print_json(d);
    else print_diff(d, SIZE_MAX);
    return 0;
  }
  // The server's registry when one answers (it may keep its DATA_DIR
  // elsewhere), else files in DATA_DIR/pods.
  auto from_server = [&](const std::string& path, json::value& out) -> std::optional<int> {
    auto r = ask(a, "GET", path);
    if (!r) return std::nullopt;
    if (r->status != 200) return answer(*r, a.json, [](const json::object&) {});
    boost::system::error_code ec;
    out = json::parse(r->body, ec);
    if (ec || !out.is_object()) return fail("server answered " + std::to_string(r->status) + ": " + r->body);
    return 0;
  };
  if (sub == "list") {
    json::array list;
    json::value got;
    if (auto rc = from_server("/_podstack/pods", got)) {
      if (*rc != 0) return *rc;
      if (auto* pods_list = got.as_object().if_contains("pods"); pods_list && pods_list->is_array()) list = pods_list->as_array();
    } else {
      for (auto& n : registry.names()) {
        json::array vs;
        for (auto v : registry.versions(n)) vs.push_back(v);
        list.push_back(json::object{{"name", n}, {"versions", std::move(vs)}});
      }
    }
    if (a.json) print_json(list);
    else
      for (auto& p : list)
        std::printf("%-30s %zu version(s)\n", p.at("name").as_string().c_str(), p.at("versions").as_array().size());
    return 0;
  }
  if (sub == "versions" || sub == "inspect") {
    json::value got;
    std::string path = "/_podstack/pods/" + ref->name + (sub == "inspect" ? "/inspect?" + version_q : std::string());
    if (auto rc = from_server(path, got)) {
      if (*rc != 0) return *rc;
      json::array out;
      if (sub == "inspect") out.push_back(got);
      else if (auto* v = got.as_object().if_contains("versions"); v && v->is_array()) out = v->as_array();
      for (auto& h : out)  // a version the server could not read: as offline, an error
        if (auto* e = h.as_object().if_contains("error")) return fail(std::string(e->as_string()));
      if (a.json) print_json(sub == "inspect" ? out[0] : json::value(out));
      else for (auto& h : out) print_header(h.as_object());
      return 0;
    }
    std::vector<uint64_t> vs = sub == "versions" ? registry.versions(ref->name) : std::vector<uint64_t>{};
    if (sub == "inspect") {
      uint64_t v = 0;
      auto p = registry.resolve(*ref, &v);
      if (!p) return fail(p.status().message());
      vs.push_back(v);
    }
    if (vs.empty()) return fail("there is no pod named '" + ref->name + "'");
    json::array out;
    for (auto v : vs) {
      auto p = registry.resolve(pods::PodRef{ref->name, v});
      auto pod = pods::read_pod(*p);
      if (!pod) return fail(pod.status().message());
      out.push_back(header_json(pod->header));
    }
    if (a.json) print_json(sub == "inspect" ? out[0] : json::value(out));
    else for (auto& h : out) print_header(h.as_object());
    return 0;
  }
  if (sub == "delete") {
    if (Status st = registry.remove(*ref); !st) return fail(st.message());
    if (a.json) print_json(json::object{{"deleted", ref->to_string()}});
    else std::printf("deleted %s\n", ref->to_string().c_str());
    return 0;
  }
  if (sub == "export") {
    auto p = registry.resolve(*ref);
    if (!p) return fail(p.status().message());
    auto bytes = pods::read_file(*p);
    if (!bytes) return fail(bytes.status().message());
    if (auto pod = pods::decode_pod(*bytes, *p); !pod) return fail(pod.status().message());
    pods::Progress progress("exporting " + ref->to_string(), bytes->size(), !a.json);
    if (Status st = pods::write_file_atomic(a.file, *bytes, false, &progress); !st) return fail(st.message());
    progress.finish();
    if (a.json) print_json(json::object{{"exported", *p}, {"file", a.file}});
    else std::printf("exported %s to %s\n", ref->to_string().c_str(), a.file.c_str());
    return 0;
  }
  if (sub == "import") {
    pods::Progress progress("importing " + a.file, 0, !a.json);
    auto pod = pods::read_pod(a.file, &progress);
    if (!pod) return fail(pod.status().message());
    progress.finish();
    std::string name = a.new_name.empty() ? pod->header.name() : a.new_name;
    if (Status st = pods::validate_pod_name(name); !st) return fail(st.message());
    pod->header.set_name(name);
    auto v = registry.add(*pod);
    if (!v) return fail(v.status().message());
    if (a.json) print_json(header_json(pod->header));
    else std::printf("imported %s as %s:%llu\n", a.file.c_str(), name.c_str(), static_cast<unsigned long long>(*v));
    return 0;
  }
  return fail("unknown pod command " + sub);
}

int cmd_state_rollback(const Target& t, std::optional<uint64_t> to_seq, const std::string& to_time) {
  if (!to_seq && to_time.empty()) return fail("state rollback needs --to-seq N or --to-time T");
  std::optional<double> when;
  if (!to_time.empty()) {
    when = protocol::parse_iso8601(to_time);
    if (!when) return fail("'" + to_time + "' is not a time (use ISO 8601, e.g. 2026-11-25T10:00:00Z)");
  }
  auto report = [](const json::object& o) {
    std::printf("rolled back to sequence %llu (hash %s)\n", static_cast<unsigned long long>(o.at("to_sequence").to_number<uint64_t>()),
                o.at("hash").as_string().c_str());
  };
  if (use_server(t)) {
    std::string q = to_seq ? "to_seq=" + std::to_string(*to_seq) : "to_time=" + std::to_string(static_cast<int64_t>(*when * 1000));
    if (auto r = cli::http_call(endpoint_of(t), "POST", "/_podstack/state/rollback?" + q))
      return answer(*r, false, report);
  }
  auto engine = open_writable(t);
  if (!engine) return fail("cannot open " + data_dir_of(t) + ": " + engine.status().to_string());
  uint64_t seq = 0;
  if (to_seq) {
    seq = *to_seq;
  } else {
    auto s = (*engine)->sequence_at_time(static_cast<int64_t>(*when * 1000));
    if (!s) return fail(s.status().message());
    seq = *s;
  }
  CallContext ctx;
  ctx.request_id = "cli";
  ctx.now_ms = (*engine)->now_ms();
  ExecResult r = (*engine)->rollback(seq, ctx);
  if (r.error) return fail(r.error->message);
  if (Status st = r.commit->wait(); !st) return fail(st.to_string());
  std::string hash = (*engine)->state_info().hash;
  if (Status st = (*engine)->close(); !st) return fail(st.to_string());
  report(json::object{{"to_sequence", seq}, {"hash", hash}});
  return 0;
}

// `podstack clock [advance D | set TIME | freeze | unfreeze]`: shows or
// changes podstack's clock (server/clock_service.h), through the running
// server, or offline in DATA_DIR with --data-dir (the change is an event
// either way).
int cmd_clock(const Target& t, const std::vector<std::string>& args) {
  json::object body;
  const std::string verb = args.empty() ? "show" : args[0];
  auto needs = [&](size_t n) { return args.size() == n; };
  if (verb == "show" && args.size() <= 1) {
  } else if (verb == "advance" && needs(2)) {
    body["advance"] = args[1];
  } else if (verb == "set" && needs(2)) {
    body["set"] = args[1];
  } else if (verb == "freeze" && needs(1)) {
    body["freeze"] = true;
  } else if (verb == "unfreeze" && needs(1)) {
    body["freeze"] = false;
  } else {
    return fail("usage: podstack clock [show | advance 90s|15m|1h|7d | set 2027-01-01T00:00:00Z | freeze | unfreeze]");
  }
  auto print = [](const json::value& v) {
    const json::object& o = v.as_object();
    std::printf("%s%s\n", std::string(o.at("now").as_string()).c_str(), o.at("frozen").as_bool() ? " (frozen)" : "");
  };
  if (use_server(t)) {
    auto r = body.empty() ? cli::http_call(endpoint_of(t), "GET", "/_podstack/clock")
                          : cli::http_call(endpoint_of(t), "POST", "/_podstack/clock", json::serialize(body));
    if (!r) return fail("no server at " + endpoint_of(t) + " (start one, or give --data-dir)");
    if (r->status != 200) return fail(server_error(*r));
    boost::system::error_code ec;
    json::value v = json::parse(r->body, ec);
    if (ec || !v.is_object()) return fail("unexpected answer: " + r->body);
    print(v);
    return 0;
  }
  auto engine = open_writable(t);
  if (!engine) return fail("cannot open " + data_dir_of(t) + ": " + engine.status().to_string());
  CallContext ctx;
  ctx.request_id = "cli";
  ctx.now_ms = (*engine)->now_ms();
  ExecResult r = (*engine)->execute(*(*engine)->clock(), body.empty() ? "__GetClock" : "__SetClock", body, ctx);
  if (r.error) return fail(r.error->message);
  if (r.commit)
    if (Status st = r.commit->wait(); !st) return fail(st.to_string());
  if (Status st = (*engine)->close(); !st) return fail(st.to_string());
  print(r.output);
  return 0;
}

int cmd_state_reset(const Target& t, const std::string& service) {
  std::string path = service.empty() ? "/_localstack/state/reset" : "/_localstack/state/" + service + "/reset";
  if (use_server(t)) {
    if (auto r = cli::http_call(endpoint_of(t), "POST", path)) {
      if (r->status != 200) return fail(server_error(*r));
      std::printf("reset %s\n", service.empty() ? "all services" : service.c_str());
      return 0;
    }
  }
  auto engine = open_writable(t);
  if (!engine) return fail("cannot open " + data_dir_of(t) + ": " + engine.status().to_string());
  if (!service.empty() && !(*engine)->service(service)) return fail("unknown service '" + service + "'");
  CallContext ctx;
  ctx.request_id = "cli";
  ctx.now_ms = (*engine)->now_ms();
  ExecResult r = (*engine)->reset(service, ctx);
  if (Status st = r.commit->wait(); !st) return fail(st.to_string());
  if (Status st = (*engine)->close(); !st) return fail(st.to_string());
  std::printf("reset %s\n", service.empty() ? "all services" : service.c_str());
  return 0;
}

int cmd_health(const Target& t, bool as_json) {
  std::string ep = endpoint_of(t);
  auto r = cli::http_call(ep, "GET", "/_localstack/health");
  if (!r) return fail("no server answers at " + ep);
  if (as_json) std::cout << r->body << "\n";
  else std::printf("%s\n", r->status == 200 ? "ready" : ("not ready (HTTP " + std::to_string(r->status) + ")").c_str());
  return r->status == 200 ? 0 : 1;
}

// Offline and read-only (RocksDB's read-only open takes no LOCK), so it also
// runs next to a server using the store. Exit 1 on any damage.
int cmd_store_verify(const std::string& data_dir, bool as_json) {
  std::string dir = store_path(data_dir.empty() ? data_dir_of(Target{}) : data_dir);
  StoreOptions so;
  so.path = dir;
  so.read_only = true;
  auto store = EventStore::open(so);
  if (!store) {
    if (as_json) {
      json::object o{{"ok", false}, {"store", dir}, {"error", store.status().to_string()}};
      print_json(o);
      return 1;
    }
    return fail(store.status().to_string());
  }
  auto report = (*store)->verify();
  if (!report) return fail("verifying " + dir + ": " + report.status().to_string());
  std::vector<std::string> problems = (*store)->problems();
  const VerifyReport& r = *report;
  if (as_json) {
    json::array files, damaged, probs;
    for (const auto& f : r.files) {
      json::object o{{"file", f.path}, {"column_family", f.column_family}, {"level", f.level}, {"bytes", f.bytes}};
      if (f.column_family == "events" || f.column_family == "checkpoints") {
        o["first_sequence"] = f.first_sequence;
        o["last_sequence"] = f.last_sequence;
      }
      if (!f.error.empty()) {
        o["error"] = f.error;
        damaged.push_back(o);
      }
      files.push_back(std::move(o));
    }
    for (const auto& p : problems) probs.push_back(json::string(p));
    json::object out{{"ok", problems.empty()}, {"store", dir},      {"files_checked", r.files.size()},
                     {"bytes_checked", r.bytes}, {"seconds", r.seconds}, {"damaged", std::move(damaged)},
                     {"problems", std::move(probs)}, {"files", std::move(files)}};
    print_json(out);
  } else {
    for (const auto& p : problems) std::printf("%s\n", p.c_str());
    std::printf("%s: %zu table files, %s checked in %.2f s: %s\n", dir.c_str(), r.files.size(), human_bytes(r.bytes).c_str(),
                r.seconds,
                problems.empty() ? "intact" : (std::to_string(problems.size()) + (problems.size() == 1 ? " problem" : " problems")).c_str());
  }
  return problems.empty() ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  set_test_hook(env_config().test_hook);
  pods::set_aws_environment(env_config().aws);
  CLI::App app{"podstack: a local AWS emulator whose state is an event log"};
  app.require_subcommand(1);
  app.set_version_flag("--version", build_info_line());

  bool version_json = false;
  auto* version_cmd = app.add_subcommand("version", "version, commit, build date, store and pod format versions");
  version_cmd->add_flag("--json", version_json, "JSON output");

  Target health_target;
  bool health_json = false;
  auto* health_cmd = app.add_subcommand("health", "exit 0 when the server at --endpoint is ready (Docker HEALTHCHECK)");
  health_cmd->add_option("--endpoint", health_target.endpoint, "server URL (default: from GATEWAY_LISTEN, else http://127.0.0.1:4566)");
  health_cmd->add_flag("--json", health_json, "print the /_localstack/health answer");

  auto* serve_cmd = app.add_subcommand("serve", "run the server (configured by environment variables, see README)");

  Target log_target;
  LogQuery log_query;
  auto* log_cmd = app.add_subcommand("log", "list events: sequence, time, account/region, service, operation, request id");
  log_cmd->add_option("--since", log_query.since, "first sequence to show");
  log_cmd->add_option("--service", log_query.service, "only this service");
  log_cmd->add_option("--operation", log_query.operation, "only this operation (e.g. SendMessage)");
  log_cmd->add_option("--limit", log_query.limit, "at most this many events (per answer with --follow)");
  log_cmd->add_flag("--json", log_query.as_json, "JSON output (with --follow: one object per line)");
  log_cmd->add_flag("-f,--follow", log_query.follow,
                    "after the events listed, print new ones as they are written, until interrupted (needs a running server)");
  add_target_options(log_cmd, log_target);

  log_cmd->require_subcommand(0, 1);
  Target repair_target;
  uint64_t repair_seq = 0;
  auto* repair_cmd = log_cmd->add_subcommand(
      "repair", "offline: replace one event that cannot be applied with a record of the repair; every other event stays");
  repair_cmd->add_option("--drop", repair_seq, "the sequence of the event to drop (named by the startup error)")->required();
  add_target_options(repair_cmd, repair_target);

  auto* state_cmd = app.add_subcommand("state", "inspect state");
  state_cmd->require_subcommand(1);
  Target hash_target;
  bool from_scratch = false, hash_json = false;
  auto* hash_cmd = state_cmd->add_subcommand("hash", "print the deterministic state hash");
  hash_cmd->add_flag("--from-scratch", from_scratch, "replay the whole log, ignoring checkpoints (offline)");
  hash_cmd->add_flag("--json", hash_json, "per-service hashes and last sequence as JSON");
  add_target_options(hash_cmd, hash_target);

  Target rb_target;
  std::optional<uint64_t> rb_seq;
  std::string rb_time;
  auto* rb_cmd = state_cmd->add_subcommand("rollback", "rebuild the state as of an earlier log point (an event: history is kept)");
  rb_cmd->add_option("--to-seq", rb_seq, "the last event to keep");
  rb_cmd->add_option("--to-time", rb_time, "the state at this time (ISO 8601)");
  add_target_options(rb_cmd, rb_target);
  std::optional<uint64_t> hash_to_seq;
  hash_cmd->add_option("--to-seq", hash_to_seq, "the hash of the state as of this sequence (offline)");

  Target reset_target;
  std::string reset_service;
  auto* reset_cmd = state_cmd->add_subcommand("reset", "empty the state (an event: it replays)");
  reset_cmd->add_option("--service", reset_service, "only this service");
  add_target_options(reset_cmd, reset_target);

  auto* clock_cmd = app.add_subcommand("clock", "show or change podstack's clock: advance 3d, set TIME, freeze, unfreeze");
  std::vector<std::string> clock_args;
  Target clock_target;
  clock_cmd->add_option("args", clock_args, "show | advance DURATION | set ISO8601 | freeze | unfreeze");
  add_target_options(clock_cmd, clock_target);

  auto* pod_cmd = app.add_subcommand("pod", "save, load and inspect pods: versioned snapshots of the state");
  pod_cmd->require_subcommand(1);
  PodArgs pa;
  std::string pod_sub;
  auto add_pod = [&](const char* name, const char* help) {
    auto* c = pod_cmd->add_subcommand(name, help);
    c->add_flag("--json", pa.json, "JSON output for scripts");
    add_target_options(c, pa.target);
    c->callback([&, name] { pod_sub = name; });
    return c;
  };
  auto add_remote = [&](CLI::App* c) {
    c->add_option("--remote", pa.remote, "file:///path or s3://bucket/prefix");
    c->add_option("--endpoint-url", pa.endpoint_url, "S3 endpoint (default: AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, else AWS)");
    return c;
  };
  auto* save = add_pod("save", "save the live state as the next version of NAME");
  save->add_option("name", pa.ref, "pod name")->required();
  save->add_option("-m,--message", pa.message, "what this version is");
  save->add_option("--services", pa.services, "only these services (comma-separated)");
  auto* load = add_pod("load", "load NAME[:VERSION] into the live state");
  load->add_option("pod", pa.ref, "NAME[:VERSION]")->required();
  load->add_option("--strategy", pa.strategy, "overwrite | service-merge | account-region-merge")
      ->check(CLI::IsMember({"overwrite", "service-merge", "account-region-merge"}));
  load->add_option("--services", pa.services, "only these services (comma-separated)");
  add_remote(save);
  add_remote(load);
  add_remote(add_pod("list", "list pods"));
  add_remote(add_pod("versions", "list the versions of NAME"))->add_option("name", pa.ref, "pod name")->required();
  add_remote(add_pod("inspect", "header, services, resource counts and sizes of NAME[:VERSION]"))
      ->add_option("pod", pa.ref, "NAME[:VERSION]")->required();
  add_remote(add_pod("push", "copy NAME[:VERSION] to --remote as its next version"))->add_option("pod", pa.ref, "NAME[:VERSION]")->required();
  add_remote(add_pod("pull", "copy NAME[:VERSION] from --remote into the local registry as its next version"))
      ->add_option("pod", pa.ref, "NAME[:VERSION]")->required();
  add_pod("verify", "exit 0 if the live state equals NAME[:VERSION], else show the drift and exit 1")
      ->add_option("pod", pa.ref, "NAME[:VERSION]")->required();
  auto* diff = add_pod("diff", "resources added, removed and changed per service from pod A to pod B (or to the live state)");
  diff->add_option("a", pa.ref, "NAME[:VERSION]")->required();
  diff->add_option("b", pa.ref2, "NAME[:VERSION]");
  diff->add_flag("--live", pa.live, "compare A with the live state");
  add_remote(add_pod("delete", "delete NAME[:VERSION] (all versions without one)"))->add_option("pod", pa.ref, "NAME[:VERSION]")->required();
  auto* exp = add_pod("export", "copy NAME[:VERSION] to FILE");
  exp->add_option("pod", pa.ref, "NAME[:VERSION]")->required();
  exp->add_option("file", pa.file, "destination file")->required();
  auto* imp = add_pod("import", "add FILE to the registry as the next version of its name (or NAME)");
  imp->add_option("file", pa.file, "a pod file")->required();
  imp->add_option("name", pa.new_name, "store under this name");

  auto* store_cmd = app.add_subcommand("store", "inspect the event store itself");
  store_cmd->require_subcommand(1);
  std::string verify_dir;
  bool verify_json = false;
  auto* store_verify_cmd = store_cmd->add_subcommand(
      "verify", "check every table file's checksums offline (read-only, also next to a running server); exit 1 on damage");
  store_verify_cmd->add_option("--data-dir", verify_dir, "DATA_DIR (default: the DATA_DIR variable, else ./.podstack)");
  store_verify_cmd->add_flag("--json", verify_json, "JSON output: every file checked, the damaged ones, the problems");

  CLI11_PARSE(app, argc, argv);
  if (*store_verify_cmd) return cmd_store_verify(verify_dir, verify_json);
  if (*pod_cmd) return cmd_pod(pod_sub, pa);
  if (*reset_cmd) return cmd_state_reset(reset_target, reset_service);
  if (*clock_cmd) return cmd_clock(clock_target, clock_args);
  if (*serve_cmd) return serve();
  if (*health_cmd) return cmd_health(health_target, health_json);
  if (*version_cmd) {
    if (version_json) print_json(build_info_json());
    else std::printf("%s\n", build_info_line().c_str());
    return 0;
  }
  if (*repair_cmd) return cmd_log_repair(repair_target, repair_seq);
  if (*log_cmd) return cmd_log(log_target, log_query);
  if (*hash_cmd) return cmd_state_hash(hash_target, from_scratch, hash_json, hash_to_seq);
  if (*rb_cmd) return cmd_state_rollback(rb_target, rb_seq, rb_time);
  return 1;
}
