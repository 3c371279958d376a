#pragma once
/// @file
/// Paired bootstrap of VSI-Bench's Avg. over held-out questions: how sure a difference between two evaluated runs is.
/// The questions are resampled with replacement within each question type (so every column stays present), with the
/// same resampled questions for every run, and each resample's Avg. is the official aggregate's (aggregate_values.hpp),
/// so on the records as they are the statistic is exactly eval::aggregate's. Torch-free; used by `vsr report`
/// (docs/evaluation.md).

#include "vsr/eval/aggregate_values.hpp"
#include "vsr/eval/vsibench.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vsr::eval {

/// One run's per-record VSI-Bench scores, as the paired bootstrap takes them.
struct ScoredRun {
  std::string label;                ///< the run's name in the results
  std::string origin;               ///< where the scores came from (a scores.jsonl path), named in errors
  std::vector<RecordScore> scores;  ///< one per record, unique ids, in the file's order
};

/// Reads a scores.jsonl as `vsr eval` and `vsr score --scores` write it: one object per line with `id` (string or
/// number), `question_type`, `metric` (strings) and `score` (number); blank lines skipped. vsr::Error naming the file
/// and line on bad content.
std::vector<RecordScore> read_record_scores(const std::filesystem::path& path);

/// Throws vsr::Error naming both origins unless `other` scores exactly the records of `baseline` (the same ids, each
/// with the same question type); also when either repeats an id.
void require_same_records(const ScoredRun& baseline, const ScoredRun& other);

/// The runs' scores joined by record id and grouped by question type: what a paired bootstrap resamples. A "pick" is
/// one list of record positions per type (types() order), each position in 0..count(type)-1, repeats allowed.
class PairedScores {
 public:
  /// Joins `runs` by record id in the first run's record order (require_same_records against it). vsr::Error for no
  /// runs or no records. Records of generic tasks (not VSI-Bench question types; eval/qa_score.hpp) are grouped by
  /// `<task>_<metric>` and aggregated as generic_aggregate does (column means, overall their mean).
  explicit PairedScores(std::span<const ScoredRun> runs);
  /// The number of runs.
  std::size_t runs() const { return scores_.size(); }
  /// The question types present, sorted.
  const std::vector<std::string>& types() const { return types_; }
  /// The number of records of type `type` (an index into types()).
  std::size_t count(std::size_t type) const { return scores_.front()[type].size(); }
  /// The number of records.
  std::size_t records() const;
  /// The pick of every record once, in the first run's order within each type.
  std::vector<std::vector<std::size_t>> all() const;
  /// One resample: per type, count(type) positions drawn uniformly with replacement from the SplitMix64 `state`.
  void draw(std::uint64_t& state, std::vector<std::vector<std::size_t>>& picks) const;
  /// Whether every record is a VSI-Bench question (the official aggregate applies).
  bool vsibench() const { return vsibench_; }
  /// The official aggregate of run `run` over the picked records (the generic one for generic tasks).
  AggregateValues values(std::size_t run, const std::vector<std::vector<std::size_t>>& picks) const;

 private:
  std::vector<std::string> types_;
  std::vector<std::vector<std::vector<double>>> scores_;  // [run][type][position]
  bool vsibench_ = true;
};

/// Settings of paired_bootstrap.
struct BootstrapOptions {
  int resamples = 2000;           ///< B, the number of resamples (>= 1)
  std::uint64_t seed = 20250402;  ///< seed of the SplitMix64 stream that draws the resamples
  double level = 0.95;            ///< interval coverage: percentiles (1 - level) / 2 and (1 + level) / 2
};

/// A statistic (x100) and its bootstrap distribution's summary.
struct Estimate {
  double value = 0.0;  ///< on the records as they are (not resampled)
  double low = 0.0;    ///< the lower percentile of the resampled values (numpy's default, linear interpolation)
  double high = 0.0;   ///< the upper percentile
  double se = 0.0;     ///< the standard deviation of the resampled values (divisor B - 1; 0 when B = 1)
};

/// One run's Avg. and per-column values.
struct RunEstimate {
  std::string label;                                      ///< ScoredRun::label
  Estimate avg;                                           ///< VSI-Bench's Avg. (aggregate "overall")
  std::vector<std::pair<std::string, Estimate>> columns;  ///< aggregate key ("object_counting_MRA:.5:.95:.05") -> value
};

/// One run minus the baseline (the first run).
struct DifferenceEstimate {
  std::string label;                                      ///< the run's label
  Estimate avg;                                           ///< difference of Avg.
  double fraction_le_zero = 0.0;                          ///< the fraction of resamples whose Avg. difference is <= 0
  std::vector<std::pair<std::string, Estimate>> columns;  ///< per-column differences, keys as RunEstimate's
};

/// What paired_bootstrap computed.
struct BootstrapResult {
  std::size_t records = 0;                      ///< questions per run
  std::map<std::string, std::size_t> per_type;  ///< question type -> questions
  BootstrapOptions options;                     ///< the settings used
  std::vector<RunEstimate> runs;                ///< in input order; runs[0] is the baseline
  std::vector<DifferenceEstimate> differences;  ///< runs[1..] minus runs[0], in input order
};

/// The stratified paired bootstrap of two or more runs scored on the same records (joined by id; vsr::Error naming
/// the files when the id sets differ): B resamples, each drawing every question type's records with replacement, the
/// same draw for all runs; per run the Avg. (exactly eval::aggregate's "overall" on the records as they are) with its
/// interval, and per later run its difference from runs[0]. Deterministic for a seed. One run gives no differences.
BootstrapResult paired_bootstrap(std::span<const ScoredRun> runs, const BootstrapOptions& options = {});

/// "above zero" when the interval's low end is > 0, "below zero" when its high end is < 0, else "includes zero".
std::string_view verdict(const Estimate& difference);

/// The `q`-quantile (0..1) of `values` as numpy.percentile's default: linear interpolation between the sorted values
/// at positions floor and ceil of q * (n - 1). `values` must not be empty.
double percentile(std::vector<double> values, double q);

/// The result as JSON: records, per_type, resamples, seed, level, runs [{label, avg, columns}] and differences
/// [{label, baseline, avg, fraction_le_zero, verdict, columns}], each estimate {value, low, high, se}.
nlohmann::ordered_json to_json(const BootstrapResult& result);

}  // namespace vsr::eval
