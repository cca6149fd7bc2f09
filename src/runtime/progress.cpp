#include "datakernel/runtime/progress.hpp"

#include <fmt/format.h>

namespace dk {
namespace {

std::string clock_text(double seconds) {
  const long s = static_cast<long>(seconds + 0.5);
  return s >= 3600 ? fmt::format("{}:{:02d}:{:02d}", s / 3600, (s / 60) % 60, s % 60)
                   : fmt::format("{:02d}:{:02d}", s / 60, s % 60);
}

}  // namespace

void TerminalProgress::begin(const std::string& stage, std::int64_t total) {
  if (quiet_) return;
  std::lock_guard lock(mutex_);
  stage_ = stage;
  total_ = total;
  done_ = 0;
  last_decile_ = -1;
  start_ = last_draw_ = std::chrono::steady_clock::now();
  active_ = true;
  if (terminal_) {
    draw(false);
  } else {
    fmt::print(out_, "datakernel: {}{}\n", stage, total > 0 ? fmt::format(" ({} steps)", total) : "");
    std::fflush(out_);
  }
}

void TerminalProgress::advance(std::int64_t done) {
  if (quiet_) return;
  std::lock_guard lock(mutex_);
  if (!active_ || done <= done_) return;
  done_ = done;
  const auto now = std::chrono::steady_clock::now();
  if (terminal_) {
    if (now - last_draw_ >= std::chrono::milliseconds(100) || done_ == total_) {
      last_draw_ = now;
      draw(false);
    }
    return;
  }
  if (total_ <= 0) return;
  const int decile = static_cast<int>(10 * done_ / total_);
  if (decile > last_decile_ && decile < 10 && now - last_draw_ >= std::chrono::seconds(2)) {
    last_decile_ = decile;
    last_draw_ = now;
    const double elapsed = std::chrono::duration<double>(now - start_).count();
    fmt::print(out_, "datakernel:   {}: {}/{} ({}%), {} elapsed, ETA {}\n", stage_, done_, total_, 10 * decile,
               clock_text(elapsed), clock_text(elapsed * static_cast<double>(total_ - done_) / done_));
    std::fflush(out_);
  }
}

void TerminalProgress::end() {
  if (quiet_) return;
  std::lock_guard lock(mutex_);
  if (!active_) return;
  if (total_ > 0) done_ = total_;
  if (terminal_) {
    draw(true);
  } else {
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    fmt::print(out_, "datakernel:   {}: done in {}\n", stage_, clock_text(elapsed));
    std::fflush(out_);
  }
  active_ = false;
}

void TerminalProgress::message(const std::string& text) {
  if (quiet_) return;
  std::lock_guard lock(mutex_);
  if (terminal_ && active_) fmt::print(out_, "\r\033[K");
  fmt::print(out_, "datakernel: {}\n", text);
  if (terminal_ && active_) draw(false);
  std::fflush(out_);
}

void TerminalProgress::draw(bool final) {
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  std::string line;
  if (total_ > 0) {
    constexpr int width = 30;
    const int filled = static_cast<int>(width * done_ / total_);
    const std::string eta = done_ > 0 && !final
                                ? " ETA " + clock_text(elapsed * static_cast<double>(total_ - done_) / done_)
                                : "";
    line = fmt::format("{} [{}{}] {:3d}% {}/{} {}{}", stage_, std::string(filled, '#'), std::string(width - filled, '.'),
                       static_cast<int>(100 * done_ / total_), done_, total_, clock_text(elapsed), eta);
  } else {
    line = fmt::format("{} ... {}", stage_, final ? "done in " + clock_text(elapsed) : clock_text(elapsed));
  }
  fmt::print(out_, "\r\033[K{}{}", line, final ? "\n" : "");
  std::fflush(out_);
}

}  // namespace dk
