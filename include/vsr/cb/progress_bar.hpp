#pragma once
/// @file
/// Callback: a progress bar over the run's steps with the latest total reward (or loss) and ETA.

#include "vsr/core/progress.hpp"
#include "vsr/train/session.hpp"
#include "vsr/train/step_stats.hpp"

#include <fmt/format.h>

#include <cmath>
#include <memory>

namespace vsr::cb {

/// Draws `train [####....] 12/100 steps 0.8 steps/s ETA 1:50 reward 0.42` on stderr (nothing off a terminal).
struct ProgressBar {
  int enabled = -1;  ///< -1: when stderr is a terminal
  std::unique_ptr<vsr::ProgressBar> bar;  ///< the bar, made at on_begin

  /// Starts the bar at the current step.
  void on_begin(train::Session& s) {
    bar = std::make_unique<vsr::ProgressBar>("train", s.options().steps, "steps", s.is_main() ? enabled : 0);
    if (s.step() > 0) bar->tick(s.step(), "resumed");
  }
  /// Advances by one step.
  void on_step(train::Session&, const train::StepStats& stats) {
    const double reward = stats.get("reward/total_mean");
    bar->tick(1, std::isnan(reward) ? fmt::format("loss {:.4g}", stats.get("loss")) : fmt::format("reward {:.3f}", reward));
  }
  /// Ends the line.
  void on_end(train::Session&) {
    if (bar) bar->finish();
  }
};

}  // namespace vsr::cb
