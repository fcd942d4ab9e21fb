#include "store/log_writer.h"

#include <future>

namespace podstack {

LogWriter::LogWriter(EventStore& store, bool start_paused)
    : store_(store), paused_(start_paused), thread_([this] { run(); }) {}

void LogWriter::resume() {
  {
    std::lock_guard lk(mu_);
    paused_ = false;
  }
  cv_.notify_one();
}

LogWriter::~LogWriter() {
  {
    std::lock_guard lk(mu_);
    stop_ = true;
    paused_ = false;
  }
  cv_.notify_one();
  thread_.join();
}

void LogWriter::submit(std::vector<std::pair<uint64_t, std::string>> events, Callback done,
                       std::vector<std::pair<std::string, std::string>> blobs, bool drain_inline) {
  {
    std::lock_guard lk(mu_);
    queue_.push_back(Item{std::move(events), std::nullopt, std::move(done), std::move(blobs)});
  }
  if (!drain_inline) cv_.notify_one();
}

void LogWriter::drain() {
  std::unique_lock lk(mu_);
  if (writing_ || paused_ || queue_.empty()) return;
  write_groups(lk, kInlineGroups);
  // More arrived than this caller should write, or the writer thread waits
  // to stop: hand over to it.
  if (!queue_.empty() || stop_) cv_.notify_one();
}

void LogWriter::submit_checkpoint(uint64_t seq, std::string bytes, Callback done) {
  {
    std::lock_guard lk(mu_);
    queue_.push_back(Item{{}, std::make_pair(seq, std::move(bytes)), std::move(done), {}});
  }
  cv_.notify_one();
}

Status LogWriter::flush() {
  std::promise<Status> p;
  auto f = p.get_future();
  submit({}, [&p](const Status& s) { p.set_value(s); });
  return f.get();
}

bool LogWriter::failed() const {
  std::lock_guard lk(mu_);
  return !failure_.is_ok();
}

void LogWriter::clear_failure() {
  std::lock_guard lk(mu_);
  failure_ = Status::ok();
}

void LogWriter::write_groups(std::unique_lock<std::mutex>& lk, int max_groups) {
  writing_ = true;
  std::deque<Item> batch;
  for (int g = 0; g < max_groups && !queue_.empty() && !paused_; ++g) {
    batch.swap(queue_);
    Status st = failure_;
    lk.unlock();
    WriteBatchData data;
    for (auto& item : batch) {
      for (auto& e : item.events) data.events.push_back(std::move(e));
      for (auto& b : item.blobs) data.blobs.push_back(std::move(b));
      // Only the newest checkpoint in a group matters; it follows its events.
      if (item.checkpoint) data.checkpoint = std::move(item.checkpoint);
    }
    if (st && (!data.events.empty() || data.checkpoint || !data.blobs.empty())) st = store_.write(data);
    batches_.fetch_add(1, std::memory_order_relaxed);
    // Callbacks run in group order, still holding the writer role, so a
    // later group's outcome is never reported before an earlier one's.
    if (!st) {
      std::lock_guard fl(mu_);
      failure_ = st;
    }
    for (auto& item : batch)
      if (item.done) item.done(st);
    batch.clear();
    lk.lock();
  }
  writing_ = false;
  if (idle_waiters_) idle_cv_.notify_all();
}

void LogWriter::wait_idle() {
  std::unique_lock lk(mu_);
  ++idle_waiters_;
  idle_cv_.wait(lk, [this] { return !writing_ && queue_.empty(); });
  --idle_waiters_;
}

void LogWriter::run() {
  std::unique_lock lk(mu_);
  for (;;) {
    cv_.wait(lk, [this] { return !writing_ && (stop_ || (!paused_ && !queue_.empty())); });
    if (!queue_.empty() && !paused_) {
      write_groups(lk, INT32_MAX);
      continue;
    }
    if (stop_) return;
  }
}

}  // namespace podstack
