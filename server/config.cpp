#include "server/config.h"

#include <cerrno>
#include <cstdlib>
#include <sstream>

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
  c.persistence = env_flag("PERSISTENCE");
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
  if (auto v = get("LOG_LEVEL"); !v.empty()) c.log_level = v;
  if (auto v = get("LOG_FORMAT"); !v.empty()) c.log_format = v;
  if (auto v = get("MAX_REQUEST_BYTES"); !v.empty()) c.max_request_bytes = std::strtoull(v.c_str(), nullptr, 10);
  if (auto v = get("READ_TIMEOUT_SECONDS"); !v.empty()) c.read_timeout_seconds = static_cast<unsigned>(std::strtoul(v.c_str(), nullptr, 10));
  if (auto v = get("SERVER_THREADS"); !v.empty()) c.threads = static_cast<unsigned>(std::strtoul(v.c_str(), nullptr, 10));
  return err;
}

}  // namespace podstack
