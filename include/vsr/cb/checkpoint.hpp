#pragma once
/// @file
/// Callback: periodic checkpoints (adapter + optimizer + data position + generators, written atomically) every
/// train.checkpoint_every steps and at the end, so `--resume` continues exactly.

#include "vsr/train/session.hpp"
#include "vsr/train/step_stats.hpp"

namespace vsr::cb {

/// Saves a checkpoint every `every` steps (0: train.checkpoint_every) and after the last step.
struct Checkpoint {
  std::int64_t every = 0;  ///< steps between checkpoints (0: from [train])

  /// Saves when the step is a multiple of the period.
  void on_step(train::Session& s, const train::StepStats&) {
    const std::int64_t period = every > 0 ? every : s.options().checkpoint_every;
    if (period > 0 && s.step() % period == 0) s.save_checkpoint();
  }
  /// Saves the final state.
  void on_end(train::Session& s) {
    const std::int64_t period = every > 0 ? every : s.options().checkpoint_every;
    if (period <= 0 || s.step() % period != 0) s.save_checkpoint();
  }
};

}  // namespace vsr::cb
