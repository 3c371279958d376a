// Reading run folders for `vsr report`: run.json, metrics.csv, eval/<mode>/{aggregate.json,scores.jsonl}; the results
// table.
#include "vsr/core/error.hpp"
#include "vsr/core/metrics_log.hpp"
#include "vsr/core/run_dir.hpp"
#include "vsr/eval/report.hpp"
#include "vsr/eval/table.hpp"
#include "vsr/eval/vsibench.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <set>

namespace vsr::eval {

namespace fs = std::filesystem;

namespace {

nlohmann::json read_json(const fs::path& path) {
  const auto j = nlohmann::json::parse(read_file(path), nullptr, false);
  if (j.is_discarded()) fail(path.string(), "", "not valid JSON");
  return j;
}

}  // namespace

bool MetricsTable::has(const std::string& column) const {
  return std::find(columns.begin(), columns.end(), column) != columns.end();
}

std::vector<std::pair<double, double>> MetricsTable::series(const std::string& column) const {
  const auto it = std::find(columns.begin(), columns.end(), column);
  std::vector<std::pair<double, double>> out;
  if (it == columns.end()) return out;
  const auto k = static_cast<std::size_t>(it - columns.begin());
  for (const auto& r : rows)
    if (r[0] && r[k]) out.emplace_back(*r[0], *r[k]);
  return out;
}

MetricsTable read_metrics_csv(const fs::path& path) {
  const auto csv = MetricsLog::read_csv_table(path);
  if (!csv.has_header) fail(path.string(), "", "empty file (expected a header `step,...`)");
  MetricsTable t;
  t.columns.push_back("step");
  t.columns.insert(t.columns.end(), csv.columns.begin(), csv.columns.end());
  for (const auto& r : csv.rows) {
    std::vector<std::optional<double>> row{static_cast<double>(r.step)};
    for (const auto& c : csv.columns) {
      const double v = MetricsLog::value(r, c);
      row.push_back(std::isnan(v) ? std::nullopt : std::optional<double>(v));
    }
    t.rows.push_back(std::move(row));
  }
  return t;
}

RunInfo read_run(const fs::path& dir) {
  RunInfo r;
  r.dir = dir;
  const fs::path run_json = dir / "run.json";
  if (!fs::exists(run_json)) fail(run_json.string(), "", "missing (is " + quote(dir.string()) + " a run folder?)");
  r.run = read_json(run_json);
  if (!r.run.is_object()) fail(run_json.string(), "", "expected a JSON object");
  const auto recipe = r.run.find("recipe");
  if (recipe == r.run.end() || !recipe->is_string()) fail(run_json.string(), "recipe", "expected a string");
  r.label = recipe->get<std::string>();
  if (fs::exists(dir / "metrics.csv")) r.metrics = read_metrics_csv(dir / "metrics.csv");
  std::error_code ec;
  if (fs::is_directory(dir / "eval", ec)) {
    for (const auto& entry : fs::directory_iterator(dir / "eval")) {
      const fs::path agg = entry.path() / "aggregate.json";
      if (!entry.is_directory() || !fs::exists(agg)) continue;
      auto j = read_json(agg);
      if (!j.is_object()) fail(agg.string(), "", "expected a JSON object");
      r.evals[entry.path().filename().string()] = std::move(j);
      if (const fs::path debiased = entry.path() / "aggregate_debiased.json"; fs::exists(debiased)) {
        auto d = read_json(debiased);
        if (!d.is_object()) fail(debiased.string(), "", "expected a JSON object");
        r.debiased[entry.path().filename().string()] = std::move(d);
      }
      if (fs::exists(entry.path() / "scores.jsonl"))
        r.score_files[entry.path().filename().string()] = entry.path() / "scores.jsonl";
      if (fs::exists(entry.path() / "predictions.jsonl"))
        r.prediction_files[entry.path().filename().string()] = entry.path() / "predictions.jsonl";
    }
  }
  return r;
}

namespace {

/// The results table: "Method", "Eval mode" and `columns` as headings; one row per run and evaluation mode with
/// `cells(aggregate)` (a run without evaluation: dashes).
template <class Cells>
std::string runs_table(std::span<const RunInfo> runs, const std::vector<std::string>& columns, const Cells& cells) {
  std::vector<std::string> headings{"Method", "Eval mode"};
  headings.insert(headings.end(), columns.begin(), columns.end());
  std::vector<std::vector<std::string>> rows;
  for (const auto& run : runs) {
    if (run.evals.empty()) {
      std::vector<std::string> row{run.label, "-"};
      row.resize(headings.size(), "-");
      rows.push_back(std::move(row));
    }
    for (const auto& [mode, aggregate] : run.evals) {
      std::vector<std::string> row{run.label, mode};
      for (auto& c : cells(aggregate)) row.push_back(std::move(c));
      rows.push_back(std::move(row));
    }
  }
  return markdown_table(headings, rows);
}

/// The table of runs evaluated on generic QA tasks (eval/qa_score.hpp): Overall, then every task column any run has.
std::string generic_results_table(std::span<const RunInfo> runs) {
  std::set<std::string> keys;
  for (const auto& run : runs)
    for (const auto& [mode, aggregate] : run.evals)
      for (const auto& [key, value] : aggregate.items())
        if (key != "overall" && value.is_number()) keys.insert(key);
  std::vector<std::string> columns{"Overall"};
  columns.insert(columns.end(), keys.begin(), keys.end());
  return runs_table(runs, columns, [&](const auto& aggregate) {
    std::vector<std::string> row;
    for (std::size_t c = 0; c < columns.size(); ++c) {
      const std::string key = c == 0 ? "overall" : columns[c];
      row.push_back(aggregate.contains(key) ? fmt::format("{:.1f}", aggregate[key].template get<double>()) : "-");
    }
    return row;
  });
}

/// Whether `key` is one of VSI-Bench's result columns ("<type>_accuracy", "<type>_MRA:.5:.95:.05").
bool vsibench_column(const std::string& key) {
  for (std::string_view metric : {kAccuracyMetric, kMraMetric}) {
    if (key.size() <= metric.size() + 1) continue;
    const std::size_t cut = key.size() - metric.size() - 1;  // "<type>_<metric>"
    if (key[cut] != '_' || std::string_view(key).substr(cut + 1) != metric) continue;
    const std::string type = key.substr(0, cut);
    if (is_mca_type(type) || is_na_type(type) || type == "object_rel_direction") return true;  // easy/medium/hard merged
  }
  return false;
}

}  // namespace

std::string results_table(std::span<const RunInfo> runs) {
  // A column that is no VSI-Bench result column: the runs were evaluated on generic QA tasks.
  for (const auto& run : runs)
    for (const auto& [mode, aggregate] : run.evals)
      for (const auto& [key, value] : aggregate.items())
        if (key != "overall" && value.is_number() && !vsibench_column(key)) return generic_results_table(runs);
  return runs_table(runs, vsi_headings(), [](const auto& aggregate) { return vsi_row(aggregate); });
}

std::vector<PlotSpec> report_plots(std::span<const RunInfo> runs) {
  std::set<std::string> present;
  for (const auto& run : runs) {
    if (!run.metrics) continue;
    for (std::size_t i = 1; i < run.metrics->columns.size(); ++i)
      if (!run.metrics->series(run.metrics->columns[i]).empty()) present.insert(run.metrics->columns[i]);
  }
  auto file_of = [](std::string column) {
    for (char& c : column)
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') c = '_';
    return column + ".png";
  };
  std::vector<PlotSpec> out;
  std::set<std::string> used;
  auto add = [&](const std::string& column, const std::string& title) {
    if (!present.count(column) || used.count(column)) return;
    used.insert(column);
    out.push_back({column, title, file_of(column), {}});
  };
  add("reward/total_mean", "Total reward");
  add("reward/format_mean", "Format reward");
  add("reward/accuracy_mean", "Accuracy reward");
  const std::string task_prefix = "reward/accuracy/", suffix = "_mean";
  for (const auto& c : present)
    if (c.rfind(task_prefix, 0) == 0 && c.size() > task_prefix.size() + suffix.size() &&
        c.compare(c.size() - suffix.size(), suffix.size(), suffix) == 0)
      add(c, "Accuracy reward: " + c.substr(task_prefix.size(), c.size() - task_prefix.size() - suffix.size()));
  for (const auto& c : present)
    if (c.rfind("reward/", 0) == 0 && c.size() > suffix.size() && c.compare(c.size() - suffix.size(), suffix.size(), suffix) == 0)
      add(c, "Reward: " + c.substr(7, c.size() - 7 - suffix.size()));
  // Figure 5 (section 4.3.4): the format reward, one task's accuracy reward and the total reward in one chart.
  if (present.count("reward/format_mean") && present.count("reward/total_mean"))
    for (const auto& c : present)
      if (c.rfind(task_prefix, 0) == 0 && c.size() > task_prefix.size() + suffix.size() &&
          c.compare(c.size() - suffix.size(), suffix.size(), suffix) == 0) {
        const std::string task = c.substr(task_prefix.size(), c.size() - task_prefix.size() - suffix.size());
        out.push_back({"reward/total_mean",
                       fmt::format("Figure 5: format reward, accuracy reward ({}), total reward", task),
                       "fig5_reward_dynamics.png", {"reward/format_mean", c, "reward/total_mean"}});
        break;
      }
  add("kl", "KL divergence to the reference");
  add("completion_length_mean", "Completion length (tokens)");
  add("loss", "Loss");
  return out;
}

}  // namespace vsr::eval
