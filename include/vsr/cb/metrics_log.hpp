#pragma once
/// @file
/// Callback: appends every step's statistics to the run's metrics.csv (metrics.h5 is rewritten at checkpoints and
/// at the end).

#include "vsr/train/session.hpp"
#include "vsr/train/step_stats.hpp"

namespace vsr::cb {

/// One metrics row per step.
struct MetricsLog {
  /// Appends the row.
  void on_step(train::Session& s, const train::StepStats& stats) {
    if (s.is_main()) s.metrics().append(stats);
  }
  /// Writes metrics.h5.
  void on_end(train::Session& s) {
    if (s.is_main()) s.metrics().write_hdf5();
  }
};

}  // namespace vsr::cb
