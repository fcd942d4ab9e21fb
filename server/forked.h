// Runs one computation over a copy-on-write image of this process.
//
// A checkpoint serializes every service's state as of one log sequence.
// Done in this process it holds the services' shared locks for O(state)
// (about a second for a million queued SQS messages), and every writer
// waits. Forked, the locks are held only for the fork itself (copying page
// tables: milliseconds for GiBs), and the child serializes its frozen copy
// while the parent goes on writing; the kernel copies only the pages the
// parent changes meanwhile. This is Redis's BGSAVE, used for the same reason.
//
// The child is a copy of a multithreaded process with only the forking
// thread alive, so it may touch nothing another thread could have held
// locked at the fork: it runs `produce` (which reads the services' state,
// consistent because the fork happened under their locks; glibc's malloc is
// fork-safe), writes the bytes to a pipe and _exit()s. It never logs, never
// touches RocksDB or sockets (every other descriptor is closed first), runs
// at a lower CPU priority than the server, and dies with its parent.
#pragma once
#include "server/not_for_services.h"

#include <sys/types.h>

#include <functional>
#include <optional>
#include <string>
#include <utility>

#include "base/status.h"

namespace podstack {

class ForkedProducer {
 public:
  // Forks a child that runs produce() and sends back what it returns.
  // nullopt when fork() fails (the caller does the work itself).
  static std::optional<ForkedProducer> start(const std::function<std::string()>& produce);

  ForkedProducer(ForkedProducer&& o) noexcept : pid_(o.pid_), fd_(o.fd_) { o.pid_ = -1, o.fd_ = -1; }
  ForkedProducer& operator=(ForkedProducer&& o) noexcept {
    std::swap(pid_, o.pid_);
    std::swap(fd_, o.fd_);
    return *this;
  }
  ~ForkedProducer();  // kills and reaps a child never finished

  // Reads the child's bytes to the end and reaps it: an error when the child
  // did not exit cleanly (killed, out of memory, produce() threw).
  Result<std::string> finish();

 private:
  ForkedProducer(pid_t pid, int fd) : pid_(pid), fd_(fd) {}
  pid_t pid_;
  int fd_;
};

}  // namespace podstack
