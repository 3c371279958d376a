#include "vsr/core/progress.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>

namespace vsr {

std::string format_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  const auto s = static_cast<long long>(seconds + 0.5);
  if (s >= 3600) return fmt::format("{}:{:02}:{:02}", s / 3600, (s / 60) % 60, s % 60);
  return fmt::format("{}:{:02}", s / 60, s % 60);
}

ProgressBar::ProgressBar(std::string label, std::int64_t total, std::string unit, int enabled)
    : label_(std::move(label)),
      unit_(std::move(unit)),
      total_(total),
      enabled_(enabled < 0 ? isatty(fileno(stderr)) != 0 : enabled != 0),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_ - std::chrono::seconds(1)) {}

ProgressBar::~ProgressBar() { finish(); }

std::string ProgressBar::render(double elapsed_s) const {
  constexpr int kWidth = 24;
  const double frac = total_ > 0 ? std::min(1.0, static_cast<double>(done_) / total_) : 0.0;
  const int filled = static_cast<int>(frac * kWidth);
  const double rate = elapsed_s > 0 ? done_ / elapsed_s : 0.0;
  const double eta = rate > 0 ? (total_ - done_) / rate : -1;
  std::string line = fmt::format("{} [{}{}] {}/{} {} {:.1f} {}/s ETA {}", label_, std::string(filled, '#'),
                                 std::string(kWidth - filled, '.'), done_, total_, unit_, rate, unit_,
                                 format_duration(eta));
  if (!note_.empty()) line += " " + note_;
  return line;
}

void ProgressBar::tick(std::int64_t n, const std::string& note) {
  done_ += n;
  if (!note.empty()) note_ = note;
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (done_ < total_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  std::fprintf(stderr, "\r\033[K%s", render(elapsed).c_str());
  std::fflush(stderr);
}

void ProgressBar::finish() {
  if (finished_) return;
  finished_ = true;
  if (enabled_) {
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    std::fprintf(stderr, "\r\033[K%s\n", render(elapsed).c_str());
  }
}

}  // namespace vsr
