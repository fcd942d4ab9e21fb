#include "pods/progress.h"

#include <unistd.h>

#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <thread>

namespace podstack::pods {

Progress::Progress(std::string label, uint64_t total, bool enabled)
    : label_(std::move(label)), total_(total), enabled_(enabled && ::isatty(STDERR_FILENO) == 1),
      start_(std::chrono::steady_clock::now()) {}

Progress::~Progress() {
  if (enabled_ && !finished_ && drawn_) std::fputs("\r\033[K", stderr);  // an unfinished line is erased
}

std::string Progress::bytes(uint64_t n) {
  char buf[32];
  if (n >= (1ull << 30)) std::snprintf(buf, sizeof buf, "%.2f GiB", static_cast<double>(n) / (1ull << 30));
  else if (n >= (1u << 20)) std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(n) / (1u << 20));
  else if (n >= 1024) std::snprintf(buf, sizeof buf, "%.1f KiB", static_cast<double>(n) / 1024);
  else std::snprintf(buf, sizeof buf, "%llu B", static_cast<unsigned long long>(n));
  return buf;
}

std::string Progress::render(const std::string& label, uint64_t done, uint64_t total, double seconds, size_t width) {
  std::string bar;
  if (total > 0) {
    size_t filled = static_cast<size_t>(static_cast<double>(width) * static_cast<double>(std::min(done, total)) /
                                        static_cast<double>(total));
    bar = "[" + std::string(filled, '#') + std::string(width - filled, '.') + "]  ";
  }
  std::string rate = seconds > 0 ? bytes(static_cast<uint64_t>(static_cast<double>(done) / seconds)) + "/s" : "";
  return label + "  " + bar + bytes(done) + (total ? " / " + bytes(total) : "") + "  " + rate;
}

void Progress::update(uint64_t done) {
  done_ = done;
  if (!enabled_) return;
  auto now = std::chrono::steady_clock::now();
  if (now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  draw(false);
}

void Progress::finish() {
  if (!enabled_ || finished_) return;
  if (total_ > done_) done_ = total_;
  draw(true);
  finished_ = true;
}

void Progress::wait_for(const std::function<void()>& fn) {
  if (!enabled_) return fn();
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  std::thread ticker([&] {
    std::unique_lock lk(mu);
    while (!cv.wait_for(lk, std::chrono::milliseconds(100), [&] { return done; })) {
      double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
      std::fprintf(stderr, "\r\033[K%s  %.1f s", label_.c_str(), s);
      drawn_ = true;
      std::fflush(stderr);
    }
  });
  fn();
  {
    std::lock_guard lk(mu);
    done = true;
  }
  cv.notify_one();
  ticker.join();
  if (drawn_) std::fputs("\r\033[K", stderr);
  drawn_ = false;
}

void Progress::draw(bool final) {
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  std::string line = render(label_, done_, total_, s, 30);
  std::fprintf(stderr, "\r\033[K%s%s", line.c_str(), final ? "\n" : "");
  drawn_ = !final;
  std::fflush(stderr);
}

}  // namespace podstack::pods
