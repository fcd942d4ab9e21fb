#include "server/forked.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace podstack {

namespace {

constexpr int kChildFd = 3;  // the pipe's write end, moved here in the child

bool write_all(int fd, const char* p, size_t n) {
  while (n > 0) {
    ssize_t w = ::write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    p += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

[[noreturn]] void child_main(int out, pid_t parent, const std::function<std::string()>& produce) {
  // Die with the parent (kill -9 of the server must not leave a child
  // holding nothing useful); the parent may already be gone.
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() != parent) ::_exit(3);
  ::signal(SIGTERM, SIG_DFL);
  ::signal(SIGINT, SIG_DFL);
  ::signal(SIGPIPE, SIG_DFL);
  // Only the pipe stays open: no listening socket, RocksDB file or client
  // connection lives on in the child.
  if (out != kChildFd && ::dup2(out, kChildFd) < 0) ::_exit(4);
  ::close_range(kChildFd + 1, ~0U, 0);
  ::setpriority(PRIO_PROCESS, 0, 10);
  try {
    std::string bytes = produce();
    ::_exit(write_all(kChildFd, bytes.data(), bytes.size()) ? 0 : 5);
  } catch (...) {
    ::_exit(6);
  }
}

}  // namespace

std::optional<ForkedProducer> ForkedProducer::start(const std::function<std::string()>& produce) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return std::nullopt;
  pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    return std::nullopt;
  }
  if (pid == 0) child_main(fds[1], parent, produce);
  ::close(fds[1]);
  return ForkedProducer(pid, fds[0]);
}

ForkedProducer::~ForkedProducer() {
  if (fd_ >= 0) ::close(fd_);
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    while (::waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
    }
  }
}

Result<std::string> ForkedProducer::finish() {
  std::string out;
  char buf[1 << 16];
  Status read_error;
  for (;;) {
    ssize_t n = ::read(fd_, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      read_error = Status::io_error(std::string("reading the snapshot child: ") + std::strerror(errno));
      break;
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd_);
  fd_ = -1;
  int wstatus = 0;
  pid_t r;
  while ((r = ::waitpid(pid_, &wstatus, 0)) < 0 && errno == EINTR) {
  }
  pid_ = -1;
  if (!read_error) return read_error;
  if (r < 0) return Status::io_error(std::string("waiting for the snapshot child: ") + std::strerror(errno));
  if (WIFSIGNALED(wstatus))
    return Status::io_error("the snapshot child was killed by signal " + std::to_string(WTERMSIG(wstatus)));
  if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0)
    return Status::io_error("the snapshot child failed (exit " + std::to_string(WEXITSTATUS(wstatus)) + ")");
  return out;
}

}  // namespace podstack
