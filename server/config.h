// Server configuration from the environment, with LocalStack's variable
// names where LocalStack has one (see the README's table).
#pragma once
#include "server/not_for_services.h"
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "pods/s3_client.h"
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
  // Startup: INIT_DIR (':'-separated hook roots), AUTO_LOAD_POD,
  // AUTO_LOAD_POD_EVERY_START, INIT_PODS_DIR (see server/startup_pods.h).
  std::vector<std::string> init_dirs;
  std::string auto_load_pod;
  bool auto_load_every_start = false;
  std::string init_pods_dir;  // empty: DATA_DIR's default
  std::string test_hook;      // PODSTACK_TEST_HOOK (store/test_hook.h); tests only
  // PODSTACK_SEED: generated ids come from a generator seeded with it
  // (server/ids.h); unset: random, or the seed the log recorded.
  std::optional<uint64_t> seed;
  // Which of AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_DEFAULT_REGION the
  // environment sets (init hooks get defaults for the others).
  std::vector<std::string> aws_env_set;
  pods::AwsEnvironment aws;  // the AWS_* variables pod remotes use (pods/s3_client.h)
  // Browser CORS of the JSON and query APIs (LocalStack's variables):
  // DISABLE_CORS_CHECKS=1 serves every Origin ("*"); EXTRA_CORS_ALLOWED_ORIGINS
  // is a comma-separated list of origins allowed beside the loopback ones.
  bool disable_cors_checks = false;
  std::vector<std::string> extra_cors_origins;
  std::string log_level = "info";
  std::string log_format = "text";  // LOG_FORMAT=json: one JSON object per log line
  uint64_t max_request_bytes = 32ull << 20;
  unsigned read_timeout_seconds = 60;
  unsigned threads = 0;
  // LocalStack's names podstack accepts (LOCALSTACK_HOST, LOCALSTACK_PERSISTENCE,
  // LS_LOG, EAGER_SERVICE_LOADING, ENFORCE_IAM, SNAPSHOT_*_STRATEGY) leave
  // sentences for the startup log: warnings (unknown LOCALSTACK_* names, IAM
  // not enforced) and notes (how a snapshot strategy is honoured).
  std::vector<std::string> startup_warnings;
  std::vector<std::string> startup_notes;

  // Reads the environment; returns an error sentence for a bad value.
  static std::string from_env(Config& out);
};

// "HOST:PORT", ":PORT", "PORT" or "HOST" -> host, port.
bool parse_listen(const std::string& s, std::string& host, uint16_t& port);
bool env_flag(const char* name, bool def = false);

}  // namespace podstack
