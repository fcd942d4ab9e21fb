// Server configuration from the environment, with LocalStack's variable
// names where LocalStack has one (see the README's table).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "server/service.h"

namespace podstack {

struct Config {
  std::string listen_host = "127.0.0.1";
  uint16_t listen_port = 4566;
  bool persistence = false;       // PERSISTENCE=1: the log lives in DATA_DIR and survives restarts
  bool persistence_sync = false;  // PERSISTENCE_SYNC=1: fsync every group commit
  std::string data_dir = "./.podstack";
  uint64_t checkpoint_every = 10000;
  // DISK_RESERVE_MB: free space kept on DATA_DIR's file system; below it
  // writes answer 503 and reads go on (see StoreOptions::reserve_bytes).
  uint64_t disk_reserve_bytes = 64ull << 20;
  bool checkpoint_fork = true;    // CHECKPOINT_FORK=0: serialize checkpoints in-process (server/forked.h)
  uint64_t store_verify_interval = 3600;  // STORE_VERIFY_INTERVAL seconds between table checksum verifications; 0: off
  std::vector<std::string> services;  // SERVICES: empty = all
  ServiceSettings service_settings;   // SMTP_HOST, SQS_ENDPOINT_STRATEGY
  std::string log_level = "info";
  std::string log_format = "text";  // LOG_FORMAT=json: one JSON object per log line
  uint64_t max_request_bytes = 32ull << 20;
  unsigned read_timeout_seconds = 60;
  unsigned threads = 0;

  // Reads the environment; returns an error sentence for a bad value.
  static std::string from_env(Config& out);
};

// "HOST:PORT", ":PORT", "PORT" or "HOST" -> host, port.
bool parse_listen(const std::string& s, std::string& host, uint16_t& port);
bool env_flag(const char* name, bool def = false);

}  // namespace podstack
