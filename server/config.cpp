#include "server/config.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <optional>
#include <sstream>

extern char** environ;

namespace podstack {

bool env_flag(const char* name, bool def) {
  const char* v = std::getenv(name);
  if (!v || !*v) return def;
  std::string s(v);
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s == "1" || s == "true" || s == "yes" || s == "on";
}

bool parse_listen(const std::string& s, std::string& host, uint16_t& port) {
  std::string h = s, p;
  // GATEWAY_LISTEN may list several addresses separated by commas; we bind the first.
  if (auto comma = h.find(','); comma != std::string::npos) h = h.substr(0, comma);
  if (auto colon = h.rfind(':'); colon != std::string::npos) {
    p = h.substr(colon + 1);
    h = h.substr(0, colon);
  } else if (!h.empty() && h.find_first_not_of("0123456789") == std::string::npos) {
    p = h;
    h.clear();
  }
  if (h.size() > 1 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  if (!h.empty()) host = h;
  if (!p.empty()) {
    char* end = nullptr;
    unsigned long v = std::strtoul(p.c_str(), &end, 10);
    if (*end || v > 65535) return false;
    port = static_cast<uint16_t>(v);
  }
  return true;
}

namespace {

std::string upper(std::string s) {
  for (auto& ch : s) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return s;
}

// LocalStack's snapshot strategies (SNAPSHOT_LOAD_STRATEGY, SNAPSHOT_SAVE_STRATEGY)
// against what podstack does with PERSISTENCE=1: it replays its log at
// startup and writes every request to the log before answering it. A strategy
// that this covers is accepted (with a note); one that asks for less
// (MANUAL: keep only what is explicitly saved) is refused, naming the way.
std::string snapshot_strategy(const char* name, const std::string& value, Config& c) {
  std::string v = upper(value);
  const bool load = std::string_view(name) == "SNAPSHOT_LOAD_STRATEGY";
  if (load && (v == "ON_STARTUP" || v == "ON_REQUEST")) {
    if (v == "ON_REQUEST")
      c.startup_notes.push_back(std::string(name) + "=ON_REQUEST: podstack restores all state at startup (replaying its log takes milliseconds), which clients cannot tell from loading on first request");
    return {};
  }
  if (!load && (v == "ON_REQUEST" || v == "ON_SHUTDOWN" || v == "SCHEDULED")) {
    c.startup_notes.push_back(std::string(name) + "=" + v + ": podstack writes every request to its event log before answering it (ON_REQUEST), which covers " + v);
    return {};
  }
  if (v == "MANUAL")
    return std::string(name) + "=MANUAL is not supported: podstack keeps every acknowledged request in its event log (PERSISTENCE=1) or nothing (PERSISTENCE=0); for state saved and " +
           (load ? "loaded" : "restored") + " on demand use pods (podstack pod save / pod load, AUTO_LOAD_POD)";
  return std::string(name) + "='" + value + "' is not a snapshot strategy podstack knows (" +
         (load ? "ON_STARTUP, ON_REQUEST" : "ON_REQUEST, ON_SHUTDOWN, SCHEDULED") + "; MANUAL is not supported)";
}

// LS_LOG's levels (trace-internal is LocalStack's most verbose) -> LOG_LEVEL's.
std::optional<std::string> ls_log_level(std::string v) {
  for (auto& ch : v) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  if (v == "trace" || v == "trace-internal") return "trace";
  if (v == "debug" || v == "info" || v == "error") return v;
  if (v == "warn" || v == "warning") return "warn";
  return std::nullopt;
}

}  // namespace

std::string Config::from_env(Config& c) {
  auto get = [](const char* n) -> std::string {
    const char* v = std::getenv(n);
    return v ? v : "";
  };
  // Every variable is read even after a bad one (the CLI uses what it can);
  // the first error is returned.
  std::string err;
  auto fail = [&err](std::string m) {
    if (err.empty()) err = std::move(m);
  };
  if (auto v = get("GATEWAY_LISTEN"); !v.empty() && !parse_listen(v, c.listen_host, c.listen_port))
    fail("GATEWAY_LISTEN='" + v + "' is not HOST:PORT");
  // PERSISTENCE wins; LocalStack's LOCALSTACK_PERSISTENCE is the same switch.
  c.persistence = get("PERSISTENCE").empty() ? env_flag("LOCALSTACK_PERSISTENCE") : env_flag("PERSISTENCE");
  c.disable_cors_checks = env_flag("DISABLE_CORS_CHECKS");
  {
    std::string list = get("EXTRA_CORS_ALLOWED_ORIGINS");
    size_t start = 0;
    while (start <= list.size()) {
      size_t comma = list.find(',', start);
      if (comma == std::string::npos) comma = list.size();
      std::string o = list.substr(start, comma - start);
      o.erase(0, o.find_first_not_of(" \t"));
      o.erase(o.find_last_not_of(" \t") + 1);
      if (!o.empty()) c.extra_cors_origins.push_back(std::move(o));
      start = comma + 1;
    }
  }
  c.service_settings.smtp_host = get("SMTP_HOST");
  {
    std::string roots = get("INIT_DIR");
    if (roots.empty()) roots = "/etc/podstack/init:/etc/localstack/init";
    size_t start = 0;
    while (start <= roots.size()) {
      size_t colon = roots.find(':', start);
      if (colon == std::string::npos) colon = roots.size();
      if (colon > start) c.init_dirs.push_back(roots.substr(start, colon - start));
      start = colon + 1;
    }
  }
  c.auto_load_pod = get("AUTO_LOAD_POD");
  c.auto_load_every_start = env_flag("AUTO_LOAD_POD_EVERY_START");
  c.init_pods_dir = get("INIT_PODS_DIR");
  c.test_hook = get("PODSTACK_TEST_HOOK");
  if (auto v = get("PODSTACK_SEED"); !v.empty()) {
    char* end = nullptr;
    errno = 0;
    unsigned long long n = std::strtoull(v.c_str(), &end, 10);
    if (*end || v.find_first_not_of("0123456789") != std::string::npos || errno == ERANGE)
      fail("PODSTACK_SEED='" + v + "' is not a non-negative integer (at most 18446744073709551615)");
    else c.seed = n;
  }
  for (const char* k : {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION"})
    if (std::getenv(k)) c.aws_env_set.push_back(k);
  c.aws = {get("AWS_ACCESS_KEY_ID"), get("AWS_SECRET_ACCESS_KEY"), get("AWS_SESSION_TOKEN"), get("AWS_REGION"),
           get("AWS_DEFAULT_REGION"), get("AWS_ENDPOINT_URL_S3"), get("AWS_ENDPOINT_URL")};
  if (auto v = get("SQS_ENDPOINT_STRATEGY"); !v.empty()) c.service_settings.sqs_endpoint_strategy = v;
  if (auto v = get("LOCALSTACK_HOST"); !v.empty()) {
    std::string h;
    uint16_t p = 0;
    if (v.find_first_of("/ ") != std::string::npos || !parse_listen(v, h, p) || h.empty())
      fail("LOCALSTACK_HOST='" + v + "' is not HOST or HOST:PORT");
    else c.service_settings.localstack_host = v;
  }
  for (const char* name : {"SNAPSHOT_LOAD_STRATEGY", "SNAPSHOT_SAVE_STRATEGY"})
    if (auto v = get(name); !v.empty())
      if (std::string e = snapshot_strategy(name, v, c); !e.empty()) fail(e);
  // EAGER_SERVICE_LOADING: every service is loaded at startup anyway (replay needs them).
  if (env_flag("ENFORCE_IAM"))
    c.startup_warnings.push_back("ENFORCE_IAM is set, but podstack does not enforce IAM policies yet: every request is allowed");
  // LocalStack's other LOCALSTACK_* names mean nothing here: one warning each
  // (names only: such a variable may hold a token).
  {
    std::vector<std::string> unknown;
    for (char** e = environ; e && *e; ++e) {
      std::string_view kv(*e);
      std::string name(kv.substr(0, kv.find('=')));
      if (name.rfind("LOCALSTACK_", 0) == 0 && name != "LOCALSTACK_HOST" && name != "LOCALSTACK_PERSISTENCE")
        unknown.push_back(name);
    }
    std::sort(unknown.begin(), unknown.end());
    for (auto& n : unknown) c.startup_warnings.push_back(n + " is not a setting podstack knows; it is ignored");
  }
  c.persistence_sync = env_flag("PERSISTENCE_SYNC");
  if (auto v = get("DATA_DIR"); !v.empty()) c.data_dir = v;
  if (auto v = get("CHECKPOINT_EVERY"); !v.empty()) {
    c.checkpoint_every = std::strtoull(v.c_str(), nullptr, 10);
    if (c.checkpoint_every == 0) fail("CHECKPOINT_EVERY must be a positive number of events");
  }
  c.checkpoint_fork = env_flag("CHECKPOINT_FORK", true);
  if (auto v = get("DISK_RESERVE_MB"); !v.empty()) {
    char* end = nullptr;
    unsigned long long mb = std::strtoull(v.c_str(), &end, 10);
    if (end == v.c_str() || *end) fail("DISK_RESERVE_MB='" + v + "' is not a number of MiB");
    else c.disk_reserve_bytes = mb << 20;
  }
  if (auto v = get("STORE_VERIFY_INTERVAL"); !v.empty()) {
    char* end = nullptr;
    c.store_verify_interval = std::strtoull(v.c_str(), &end, 10);
    if (*end || v[0] == '-') fail("STORE_VERIFY_INTERVAL='" + v + "' is not a number of seconds (0 turns verification off)");
  }
  if (auto v = get("SERVICES"); !v.empty()) {
    std::stringstream ss(v);
    std::string item;
    while (std::getline(ss, item, ','))
      if (!item.empty()) c.services.push_back(item);
  }
  if (env_flag("DEBUG")) c.log_level = "debug";
  if (auto v = get("LS_LOG"); !v.empty()) {
    if (auto l = ls_log_level(v)) c.log_level = *l;
    else fail("LS_LOG='" + v + "' is not one of trace, trace-internal, debug, info, warn, error");
  }
  if (auto v = get("LOG_LEVEL"); !v.empty()) c.log_level = v;  // podstack's own name wins
  if (auto v = get("LOG_FORMAT"); !v.empty()) c.log_format = v;
  if (auto v = get("MAX_REQUEST_BYTES"); !v.empty()) c.max_request_bytes = std::strtoull(v.c_str(), nullptr, 10);
  if (auto v = get("READ_TIMEOUT_SECONDS"); !v.empty()) c.read_timeout_seconds = static_cast<unsigned>(std::strtoul(v.c_str(), nullptr, 10));
  if (auto v = get("SERVER_THREADS"); !v.empty()) c.threads = static_cast<unsigned>(std::strtoul(v.c_str(), nullptr, 10));
  return err;
}

}  // namespace podstack
