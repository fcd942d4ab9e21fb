#include "server/config.h"

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
  if (auto v = get("GATEWAY_LISTEN"); !v.empty() && !parse_listen(v, c.listen_host, c.listen_port))
    return "GATEWAY_LISTEN='" + v + "' is not HOST:PORT";
  c.persistence = env_flag("PERSISTENCE");
  c.service_settings.smtp_host = get("SMTP_HOST");
  if (auto v = get("SQS_ENDPOINT_STRATEGY"); !v.empty()) c.service_settings.sqs_endpoint_strategy = v;
  c.persistence_sync = env_flag("PERSISTENCE_SYNC");
  if (auto v = get("DATA_DIR"); !v.empty()) c.data_dir = v;
  if (auto v = get("CHECKPOINT_EVERY"); !v.empty()) {
    c.checkpoint_every = std::strtoull(v.c_str(), nullptr, 10);
    if (c.checkpoint_every == 0) return "CHECKPOINT_EVERY must be a positive number of events";
  }
  c.checkpoint_fork = env_flag("CHECKPOINT_FORK", true);
  if (auto v = get("DISK_RESERVE_MB"); !v.empty()) {
    char* end = nullptr;
    unsigned long long mb = std::strtoull(v.c_str(), &end, 10);
    if (end == v.c_str() || *end) return "DISK_RESERVE_MB='" + v + "' is not a number of MiB";
    c.disk_reserve_bytes = mb << 20;
  }
  if (auto v = get("STORE_VERIFY_INTERVAL"); !v.empty()) {
    char* end = nullptr;
    c.store_verify_interval = std::strtoull(v.c_str(), &end, 10);
    if (*end || v[0] == '-') return "STORE_VERIFY_INTERVAL='" + v + "' is not a number of seconds (0 turns verification off)";
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
  return {};
}

}  // namespace podstack
