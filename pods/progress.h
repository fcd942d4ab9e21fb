// A progress line on stderr for pod transfers (save, load, export, import,
// remotes): label, bytes done / total, rate. Drawn only when stderr is a TTY
// and the command is not --json; redrawn at most 10 times a second; the final
// call leaves one summary line; an unfinished line is erased (an error
// message takes its place). Everything else is a no-op.
#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

namespace podstack::pods {

class Progress {
 public:
  // enabled: the caller's wish (false with --json); a TTY is checked here.
  Progress(std::string label, uint64_t total, bool enabled);
  ~Progress();
  void set_total(uint64_t total) { total_ = total; }
  void update(uint64_t done);
  void add(uint64_t n) { update(done_ + n); }
  // Draws the final line (100%) and ends it with a newline.
  void finish();
  // For bytes moved elsewhere (a running server saves or loads): redraws the
  // elapsed time while fn runs; the caller then sets the size and finishes.
  void wait_for(const std::function<void()>& fn);
  bool active() const { return enabled_; }

  // "12.3 MiB", "812 B"
  static std::string bytes(uint64_t n);
  // The line as drawn: "label  [#####.....]  1.0 MiB / 2.0 MiB  3.1 MiB/s"
  static std::string render(const std::string& label, uint64_t done, uint64_t total, double seconds, size_t width);

 private:
  void draw(bool final);
  std::string label_;
  uint64_t total_ = 0, done_ = 0;
  bool enabled_ = false, finished_ = false, drawn_ = false;  // drawn_: a line is showing
  std::chrono::steady_clock::time_point start_, last_draw_;
};

}  // namespace podstack::pods
