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
                       std::vector<std::pair<std::string, std::string>> blobs) {
  {
    std::lock_guard lk(mu_);
    queue_.push_back(Item{std::move(events), std::nullopt, std::move(done), std::move(blobs)});
  }
  cv_.notify_one();
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

void LogWriter::run() {
  std::deque<Item> batch;
  for (;;) {
    {
      std::unique_lock lk(mu_);
      cv_.wait(lk, [this] { return stop_ || (!paused_ && !queue_.empty()); });
      if (queue_.empty() && stop_) return;
      batch.swap(queue_);
    }
    WriteBatchData data;
    for (auto& item : batch) {
      for (auto& e : item.events) data.events.push_back(std::move(e));
      for (auto& b : item.blobs) data.blobs.push_back(std::move(b));
      // Only the newest checkpoint in a group matters; it follows its events.
      if (item.checkpoint) data.checkpoint = std::move(item.checkpoint);
    }
    Status st;
    {
      std::lock_guard lk(mu_);
      st = failure_;
    }
    if (st && (!data.events.empty() || data.checkpoint || !data.blobs.empty())) {
      st = store_.write(data);
      if (!st) {
        std::lock_guard lk(mu_);
        failure_ = st;
      }
    }
    ++batches_;
    for (auto& item : batch)
      if (item.done) item.done(st);
    batch.clear();
  }
}

}  // namespace podstack
