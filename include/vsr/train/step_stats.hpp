#pragma once
/// @file
/// What one optimizer step reports: named values that become a row of metrics.csv / metrics.h5 and that callbacks
/// read (progress bar, early stopping). Column names are documented in docs/training.md.

#include "vsr/core/metrics_log.hpp"

#include <cmath>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace vsr::train {

/// The values of one step (a MetricsRow with convenience setters).
struct StepStats : MetricsRow {
  /// Sets (or replaces) the value of `name`.
  void set(const std::string& name, double value) {
    for (auto& [n, v] : values)
      if (n == name) {
        v = value;
        return;
      }
    values.emplace_back(name, value);
  }
  /// The value of `name`, NaN when absent.
  double get(const std::string& name) const { return MetricsLog::value(*this, name); }
};

/// Accumulates per-completion rewards over a step: each component's and the total's mean and std, per question
/// type means of each component, and the fraction of completions whose format held.
class RewardStats {
 public:
  /// Statistics for components named `names` (in order).
  explicit RewardStats(std::vector<std::string> names) : names_(std::move(names)) {}
  /// One completion's component values (unweighted, in order), weighted total, question type and format check.
  void add(std::span<const double> components, double total, const std::string& question_type, bool format_ok);
  /// Writes `reward/<name>_mean`, `reward/<name>_std`, `reward/total_mean`, `reward/total_std`,
  /// `reward/<name>/<question_type>_mean` and `format_ok_fraction` into `stats`.
  void write(StepStats& stats) const;

 private:
  std::vector<std::string> names_;
  std::vector<std::vector<double>> values_;  ///< per component
  std::vector<double> totals_;
  std::vector<std::string> types_;
  std::size_t format_ok_ = 0;
};

}  // namespace vsr::train
