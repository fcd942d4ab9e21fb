// Group commit: one writer thread drains everything submitted since its last
// write into a single RocksDB WriteBatch, then runs every submitter's
// callback with the outcome. Submission order is log order; the caller
// (the engine's sequencer) submits in sequence order.
#pragma once
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
              std::vector<std::pair<std::string, std::string>> blobs = {});
  void submit_checkpoint(uint64_t seq, std::string bytes, Callback done);
  // Blocks until everything submitted so far is written.
  Status flush();
  void resume();

  uint64_t batches_written() const { return batches_; }
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

  EventStore& store_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Item> queue_;
  bool stop_ = false;
  bool paused_ = false;
  Status failure_;
  uint64_t batches_ = 0;
  std::thread thread_;
};

}  // namespace podstack
