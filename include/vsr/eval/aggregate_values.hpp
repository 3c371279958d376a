#pragma once
/// @file
/// The arithmetic of VSI-Bench's official aggregate (vsibench_aggregate_results) on scores already grouped by
/// question type. eval::aggregate and the paired bootstrap (bootstrap.hpp) both compute through it, so a statistic
/// recomputed on resampled records is the official one, bit for bit.

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace vsr::eval {

/// The numbers of the official aggregate, unscaled (0..1).
struct AggregateValues {
  /// `<type>_<metric>` and its per-type mean, in the official `output` dict's order: types sorted, with
  /// object_rel_direction_easy/medium/hard replaced by their average `object_rel_direction_accuracy` at the end.
  std::vector<std::pair<std::string, double>> columns;
  /// The mean of `columns`, summed in their order: VSI-Bench's Avg. divided by 100.
  double overall = 0.0;
};

/// The aggregate of scores grouped by question type (each group's scores in record order; the map's sorted order is
/// pandas groupby's). Per-type means use numpy's pairwise summation. vsr::Error for no groups, an empty group, an
/// unknown type, or object_rel_direction_easy without _medium or _hard (where the official scorer raises).
AggregateValues aggregate_values(const std::map<std::string, std::vector<double>>& groups);

}  // namespace vsr::eval
