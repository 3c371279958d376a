#pragma once
/// @file
/// A text progress bar for long loops: count, rate and ETA on one redrawn stderr line. Quiet (no output at all)
/// when stderr is not a terminal, so logs and CI output stay clean.

#include <chrono>
#include <cstdint>
#include <string>

namespace vsr {

/// A progress bar over `total` units of work ("steps", "records", "scenes"). Redraws at most 10 times a second.
class ProgressBar {
 public:
  /// A bar labelled `label`; `unit` names what is counted; `enabled` defaults to "stderr is a terminal".
  ProgressBar(std::string label, std::int64_t total, std::string unit = "it", int enabled = -1);
  ~ProgressBar();
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  /// Advances by `n` units; `note` (e.g. "reward 0.42") is shown after the rate.
  void tick(std::int64_t n = 1, const std::string& note = {});
  /// Ends the line (also done by the destructor).
  void finish();

  /// The line as it would be drawn now (for tests): "label [#####.....] 5/10 it 2.0 it/s ETA 0:03 note".
  std::string render(double elapsed_s) const;

 private:
  std::string label_, unit_, note_;
  std::int64_t total_, done_ = 0;
  bool enabled_, finished_ = false;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

/// Formats seconds as H:MM:SS or M:SS.
std::string format_duration(double seconds);

}  // namespace vsr
