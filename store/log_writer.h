// Group commit: everything submitted since the last write goes into a single
// RocksDB WriteBatch, then every submitter's callback runs with the outcome.
// Submission order is log order; the caller (the engine's sequencer) submits
// in sequence order.
//
// Who writes: a submitter that passes `drain_inline` calls drain() once it
// has released its own locks and becomes the leader if no write is in
// progress: it writes the group on its own thread, so a request on an idle
// server is answered without waking another thread (RocksDB's write thread
// works the same way). While a leader writes, later submissions queue and the
// leader takes them as the next group (at most kInlineGroups groups, so one
// caller is not kept writing for others forever; the writer thread takes over
// after that). Other submissions (checkpoints, flush) wake the writer thread.
// One write at a time, groups in queue order: log order stays sequence order.
#pragma once
#include "store/not_for_services.h"
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "store/event_store.h"

namespace podstack {

class LogWriter {
 public:
  // Runs on the writer thread; must be quick (post elsewhere for real work).
  using Callback = std::function<void(const Status&)>;

  // start_paused: nothing is written until resume() (tests use it to make
  // group formation deterministic).
  explicit LogWriter(EventStore& store, bool start_paused = false);
  ~LogWriter();  // drains the queue, then stops

  void submit(std::vector<std::pair<uint64_t, std::string>> events, Callback done,
              std::vector<std::pair<std::string, std::string>> blobs = {}, bool drain_inline = false);
  // Writes what is queued on the calling thread unless a write is in
  // progress (then the current writer takes it). Call without holding locks
  // a callback might need.
  void drain();
  void submit_checkpoint(uint64_t seq, std::string bytes, Callback done);
  // Blocks until everything submitted so far is written.
  Status flush();
  void resume();

  uint64_t batches_written() const { return batches_.load(std::memory_order_relaxed); }
  // Blocks until nothing is queued and no write (or its callbacks) is in
  // progress on any thread. For tests that must start from an idle writer;
  // never call it with commits deferred on the calling thread.
  void wait_idle();
  // After a failed write every later submission fails too (fail-stop), so
  // the log can never continue past a gap; the engine clears this once it
  // has rebuilt state from what the log really holds.
  bool failed() const;
  void clear_failure();

 private:
  struct Item {
    std::vector<std::pair<uint64_t, std::string>> events;
    std::optional<std::pair<uint64_t, std::string>> checkpoint;
    Callback done;
    std::vector<std::pair<std::string, std::string>> blobs;
  };
  void run();
  // Writes queued groups while holding the writer role; `lk` is held on entry
  // and exit. At most max_groups groups; returns with writing_ false.
  void write_groups(std::unique_lock<std::mutex>& lk, int max_groups);
  static constexpr int kInlineGroups = 2;

  EventStore& store_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::condition_variable idle_cv_;  // wait_idle(): signalled when writing_ ends, only if someone waits
  int idle_waiters_ = 0;
  std::deque<Item> queue_;
  bool stop_ = false;
  bool paused_ = false;
  bool writing_ = false;  // a thread holds the writer role
  Status failure_;
  std::atomic<uint64_t> batches_{0};  // read by other threads (metrics)
  std::thread thread_;
};

}  // namespace podstack
