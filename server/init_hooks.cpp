#include "server/init_hooks.h"

#include <spdlog/spdlog.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>

extern char** environ;

namespace podstack {

namespace fs = std::filesystem;

std::string_view stage_name(InitStage s) {
  switch (s) {
    case InitStage::kBoot: return "BOOT";
    case InitStage::kStart: return "START";
    case InitStage::kReady: return "READY";
    case InitStage::kShutdown: return "SHUTDOWN";
  }
  return "UNKNOWN";
}

std::optional<InitStage> parse_stage(std::string_view s) {
  for (InitStage st : kInitStages) {
    std::string_view n = stage_name(st);
    if (s.size() == n.size() &&
        std::equal(s.begin(), s.end(), n.begin(), [](char a, char b) { return std::toupper(static_cast<unsigned char>(a)) == b; }))
      return st;
  }
  return std::nullopt;
}

namespace {
std::string dir_of(InitStage s) {
  std::string n(stage_name(s));
  std::transform(n.begin(), n.end(), n.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return n + ".d";
}
}  // namespace

InitHooks::InitHooks(std::vector<std::string> roots) {
  for (InitStage st : kInitStages) {
    completed_[st] = false;
    for (auto& root : roots) discover(root + "/" + dir_of(st), st);
  }
}

// Files of a directory in name order, then its subdirectories in name order, depth first.
void InitHooks::discover(const std::string& dir, InitStage stage) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return;
  std::vector<fs::path> files, dirs;
  for (auto& e : fs::directory_iterator(dir, ec)) {
    if (e.is_directory(ec)) dirs.push_back(e.path());
    else if (e.is_regular_file(ec)) files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  std::sort(dirs.begin(), dirs.end());
  for (auto& f : files) {
    if (access(f.c_str(), X_OK) != 0) {
      spdlog::warn("init: {} is not executable, skipped (chmod +x it to run it at {})", f.string(), stage_name(stage));
      continue;
    }
    scripts_.push_back(Script{stage, f.string(), f.filename().string()});
  }
  for (auto& d : dirs) discover(d.string(), stage);
}

bool InitHooks::completed(InitStage stage) const {
  std::lock_guard lk(mu_);
  return completed_.at(stage);
}

size_t InitHooks::script_count(InitStage stage) const {
  return static_cast<size_t>(std::count_if(scripts_.begin(), scripts_.end(), [&](const Script& s) { return s.stage == stage; }));
}

void InitHooks::cancel() {
  std::lock_guard lk(mu_);
  cancelled_ = true;
  if (running_ > 0) kill(-running_, SIGTERM);
}

int InitHooks::run(InitStage stage, const std::map<std::string, std::string>& env) {
  std::lock_guard run_lk(run_mu_);
  std::vector<std::string> envp;
  for (char** e = environ; *e; ++e) {
    std::string_view kv(*e);
    if (!env.count(std::string(kv.substr(0, kv.find('='))))) envp.emplace_back(kv);
  }
  for (auto& [k, v] : env) envp.push_back(k + "=" + v);
  int failed = 0;
  size_t n = 0;
  for (size_t i = 0; i < scripts_.size(); ++i) {
    if (scripts_[i].stage != stage) continue;
    ++n;
    {
      std::lock_guard lk(mu_);
      if (cancelled_ && stage != InitStage::kShutdown) break;
    }
    failed += run_one(i, envp);
  }
  {
    std::lock_guard lk(mu_);
    completed_[stage] = true;
  }
  if (n) spdlog::info("init: {} stage done: {} script(s), {} failed", stage_name(stage), n, failed);
  return failed;
}

int InitHooks::run_one(size_t index, const std::vector<std::string>& env) {
  std::string path, label;
  {
    std::lock_guard lk(mu_);
    scripts_[index].state = "RUNNING";
    path = scripts_[index].path;
    label = std::string(stage_name(scripts_[index].stage)) + " " + path;
  }
  auto finish = [&](const char* state) {
    std::lock_guard lk(mu_);
    scripts_[index].state = state;
    running_ = 0;
    return std::string_view(state) == "SUCCESSFUL" ? 0 : 1;
  };
  int out[2];
  if (pipe2(out, O_CLOEXEC) != 0) {
    spdlog::error("init: {}: cannot make a pipe: {}", label, std::strerror(errno));
    return finish("ERROR");
  }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, out[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&fa, out[1], STDERR_FILENO);
  posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  // Its own process group, so cancel() stops the script and its children;
  // default signal handling, whatever the server blocked.
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  std::vector<char*> argv{const_cast<char*>(path.c_str()), nullptr};
  std::vector<char*> envp;
  for (auto& e : env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  pid_t pid = 0;
  int rc = posix_spawn(&pid, path.c_str(), &fa, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  close(out[1]);
  if (rc != 0) {
    close(out[0]);
    spdlog::error("init: {}: cannot run it: {} (does it start with #!?)", label, std::strerror(rc));
    return finish("ERROR");
  }
  {
    std::lock_guard lk(mu_);
    running_ = pid;
  }
  spdlog::info("init: {} running", label);
  std::string buf;
  char chunk[4096];
  for (;;) {
    ssize_t r = read(out[0], chunk, sizeof chunk);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    buf.append(chunk, static_cast<size_t>(r));
    size_t nl;
    while ((nl = buf.find('\n')) != std::string::npos) {
      spdlog::info("init: {}: {}", label, buf.substr(0, nl));
      buf.erase(0, nl + 1);
    }
  }
  if (!buf.empty()) spdlog::info("init: {}: {}", label, buf);
  close(out[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  // As PID 1 in a container podstack inherits the orphans of what scripts
  // start in the background; reap the ones that have exited.
  if (getpid() == 1)
    while (waitpid(-1, nullptr, WNOHANG) > 0) {
    }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
    spdlog::info("init: {} succeeded", label);
    return finish("SUCCESSFUL");
  }
  if (WIFSIGNALED(status)) spdlog::error("init: {} killed by signal {}", label, WTERMSIG(status));
  else spdlog::error("init: {} failed with exit code {}", label, WEXITSTATUS(status));
  return finish("ERROR");
}

boost::json::object InitHooks::stage_json(InitStage stage) const {
  std::lock_guard lk(mu_);
  boost::json::array scripts;
  for (auto& s : scripts_)
    if (s.stage == stage) scripts.push_back({{"stage", stage_name(s.stage)}, {"name", s.name}, {"state", s.state}});
  return {{"completed", completed_.at(stage)}, {"scripts", std::move(scripts)}};
}

boost::json::object InitHooks::to_json() const {
  std::lock_guard lk(mu_);
  boost::json::object completed;
  boost::json::array scripts;
  for (InitStage st : kInitStages) completed[stage_name(st)] = completed_.at(st);
  for (auto& s : scripts_) scripts.push_back({{"stage", stage_name(s.stage)}, {"name", s.name}, {"state", s.state}});
  return {{"completed", std::move(completed)}, {"scripts", std::move(scripts)}};
}

}  // namespace podstack
