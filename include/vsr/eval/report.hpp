#pragma once
/// @file
/// `vsr report`: a Markdown report and gnuplot figures from training/evaluation run folders — the results table in
/// the layout of vsGRPO's Table 2 (arXiv 2504.00883), each run's Avg. and its difference from a baseline with 95%
/// intervals from a paired bootstrap (bootstrap.hpp), and the reward/KL curves of its Figures 4-5. The run folder
/// contract (run.json, metrics.csv, eval/<mode>/aggregate.json and scores.jsonl) is in docs/evaluation.md.

#include "vsr/eval/bootstrap.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace vsr::eval {

/// A run's metrics.csv: header `step,<column>,...`, one row per optimizer step, empty cell = no value.
struct MetricsTable {
  std::vector<std::string> columns;                     ///< the header, "step" first
  std::vector<std::vector<std::optional<double>>> rows; ///< one per data line, cells in `columns` order

  /// The (step, value) pairs of `column` where both cells have a value; empty when there is no such column.
  std::vector<std::pair<double, double>> series(const std::string& column) const;
  /// Whether `column` is in the header.
  bool has(const std::string& column) const;
};

/// Reads a metrics.csv (numbers as C strtod accepts them, `nan` counted as no value). vsr::Error naming the file,
/// line and column on a header not starting with `step`, a row of the wrong width or a cell that is not a number.
MetricsTable read_metrics_csv(const std::filesystem::path& path);

/// One run folder as the report reads it.
struct RunInfo {
  std::filesystem::path dir;                                 ///< the folder
  nlohmann::json run;                                        ///< run.json
  std::string label;                                         ///< the recipe, made unique among the reported runs
  std::map<std::string, nlohmann::json> evals;               ///< eval mode -> eval/<mode>/aggregate.json
  std::map<std::string, nlohmann::json> debiased;            ///< eval mode -> eval/<mode>/aggregate_debiased.json
  std::map<std::string, std::filesystem::path> score_files;  ///< eval mode -> eval/<mode>/scores.jsonl, if present
  std::map<std::string, std::filesystem::path> prediction_files;  ///< eval mode -> eval/<mode>/predictions.jsonl
  std::optional<MetricsTable> metrics;                       ///< metrics.csv when present
};

/// Reads `dir/run.json` (an object with a string `recipe`; required), `dir/metrics.csv` and every
/// `dir/eval/<mode>/aggregate.json` (all optional), and notes which modes have a scores.jsonl (read later, by
/// bootstrap_report). vsr::Error naming the file on bad content.
RunInfo read_run(const std::filesystem::path& dir);

/// The results table (Markdown): columns "Method", "Eval mode", then the VSI-Bench columns in paper order (Avg.
/// first); one row per (run, eval mode), runs in the given order, modes sorted; a run without evaluations gives one
/// row of "-".
std::string results_table(std::span<const RunInfo> runs);

/// The answers each (run, eval mode) gave that the benchmark's scorer cannot read (Prediction::readable false in
/// eval/<mode>/predictions.jsonl), as a Markdown table: "Method", "Eval mode", "Unreadable", "Answers", "By task"
/// (count per question type, types sorted; "-" when none). Empty when no run has a predictions file. vsr::Error
/// naming the file and line on a line that is not a prediction.
std::string readability_table(std::span<const RunInfo> runs);

/// One figure of the report: a metrics column against the step, one line per run having it.
struct PlotSpec {
  std::string column;  ///< metrics.csv column, e.g. "reward/format_mean"
  std::string title;   ///< figure title
  std::string file;    ///< PNG file name, e.g. "reward_format_mean.png"
  std::vector<std::string> overlay;  ///< when set: these columns in one figure (one line per column and run)
};

/// The figures that apply to `runs`: reward/total_mean, reward/format_mean, reward/accuracy_mean, every
/// reward/accuracy/<type>_mean, other reward/*_mean columns, kl, completion_length_mean, loss — each only when some
/// run has a value in it — and, when a run has a format reward, a per-task accuracy and a total reward, vsGRPO's
/// Figure 5 as one chart (`fig5_reward_dynamics.png`: format in blue, the alphabetically first task's accuracy in
/// red, total in yellow, as the paper draws them).
std::vector<PlotSpec> report_plots(std::span<const RunInfo> runs);

/// Options of write_report.
struct ReportOptions {
  std::string gnuplot = "gnuplot";  ///< the gnuplot program (PATH is searched)
  std::string baseline;             ///< label or folder name of the run the others are compared with; "" = the first
  BootstrapOptions bootstrap;       ///< resamples, seed and coverage of the intervals
};

/// The paired-bootstrap part of the report.
struct BootstrapReport {
  std::string markdown;            ///< the report.md section; empty when no run has a scores.jsonl
  nlohmann::ordered_json json;     ///< bootstrap.json: settings, baseline, per eval mode a to_json(BootstrapResult)
  std::vector<std::string> notes;  ///< runs and modes left out, and why (also listed in the section)
};

/// Each run's Avg. and its difference from the baseline (ReportOptions::baseline) with intervals from
/// paired_bootstrap, for every eval mode that all evaluated runs share. A run without eval/<mode>/scores.jsonl, or
/// whose records differ from the baseline's, is left out with a note; so is a mode whose baseline has no scores.
/// vsr::Error for an unknown baseline or a bad scores.jsonl.
BootstrapReport bootstrap_report(std::span<const RunInfo> runs, const ReportOptions& options);

/// What write_report produced.
struct ReportResult {
  std::filesystem::path markdown;            ///< out/report.md
  std::vector<std::filesystem::path> plots;  ///< PNG files written
  std::string warning;                       ///< non-empty when the figures could not be drawn (e.g. no gnuplot)
  std::filesystem::path bootstrap;           ///< out/bootstrap.json
  std::vector<std::string> notes;            ///< BootstrapReport::notes
};

/// Reads the runs, writes `out/report.md` (results table, bootstrap intervals, run settings, figure links),
/// `out/bootstrap.json` and, through gnuplot (png cairo terminal when available, else png), `out/<figure>.png` with
/// the data and script under `out/plot_data/`. Without a working gnuplot, report.md is still written and
/// ReportResult::warning says why.
ReportResult write_report(std::span<const std::filesystem::path> run_dirs, const std::filesystem::path& out,
                          const ReportOptions& options = {});

}  // namespace vsr::eval
