// `vsr report`: each run's Avg. and its difference from a baseline, with paired-bootstrap intervals.
#include "vsr/core/error.hpp"
#include "vsr/eval/report.hpp"
#include "vsr/eval/table.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>

namespace vsr::eval {

namespace {

std::string interval(const Estimate& e, const char* format) {
  return fmt::format("[{}, {}]", fmt::format(fmt::runtime(format), e.low), fmt::format(fmt::runtime(format), e.high));
}

/// The estimate of aggregate column `key` ("object_counting") in `columns`, if any.
const Estimate* column_of(const std::vector<std::pair<std::string, Estimate>>& columns, std::string_view key) {
  for (const auto& [k, e] : columns)
    for (std::string_view metric : {kAccuracyMetric, kMraMetric})
      if (k.size() == key.size() + 1 + metric.size() && k.starts_with(key) && k.ends_with(metric) &&
          k[key.size()] == '_')
        return &e;
  return nullptr;
}

std::size_t find_baseline(std::span<const RunInfo> runs, const std::string& wanted) {
  if (wanted.empty()) return 0;
  std::string labels;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    if (runs[i].label == wanted || runs[i].dir.filename().string() == wanted) return i;
    labels += (labels.empty() ? "" : ", ") + quote(runs[i].label);
  }
  fail("<command line>", "baseline",
       "no reported run is labelled or named " + quote(wanted) + " (runs: " + labels + ")");
}

}  // namespace

BootstrapReport bootstrap_report(std::span<const RunInfo> runs, const ReportOptions& options) {
  BootstrapReport out;
  const std::size_t base = find_baseline(runs, options.baseline);
  const auto& bopt = options.bootstrap;
  out.json = {{"resamples", bopt.resamples},
              {"seed", bopt.seed},
              {"level", bopt.level},
              {"baseline", runs[base].label},
              {"modes", nlohmann::ordered_json::object()},
              {"skipped", nlohmann::ordered_json::array()}};
  const bool any_scores =
      std::any_of(runs.begin(), runs.end(), [](const RunInfo& r) { return !r.score_files.empty(); });
  if (!any_scores) return out;

  auto note = [&out](std::string text) {
    out.json["skipped"].push_back(text);
    out.notes.push_back(std::move(text));
  };
  std::vector<std::size_t> order{base};  // the baseline first, then the others as given
  for (std::size_t i = 0; i < runs.size(); ++i)
    if (i != base) order.push_back(i);
  std::set<std::string> shared;  // the modes every evaluated run has
  bool first = true;
  for (std::size_t i : order) {
    if (runs[i].evals.empty()) {
      note(runs[i].label + ": no evaluation");
      continue;
    }
    std::set<std::string> modes;
    for (const auto& [mode, aggregate] : runs[i].evals)
      if (first || shared.count(mode)) modes.insert(mode);
    shared = std::move(modes);
    first = false;
  }

  std::vector<std::pair<std::string, BootstrapResult>> results;
  for (const auto& mode : shared) {
    const auto& b = runs[base];
    const auto b_file = b.score_files.find(mode);
    if (b_file == b.score_files.end()) {
      note(fmt::format("{} (baseline): no eval/{}/scores.jsonl, so no {} comparison", b.label, mode, mode));
      continue;
    }
    std::vector<ScoredRun> scored{{b.label, b_file->second.string(), read_record_scores(b_file->second)}};
    for (std::size_t k = 1; k < order.size(); ++k) {
      const auto& r = runs[order[k]];
      const auto file = r.score_files.find(mode);
      if (file == r.score_files.end()) {
        note(fmt::format("{} ({}): no eval/{}/scores.jsonl", r.label, mode, mode));
        continue;
      }
      ScoredRun s{r.label, file->second.string(), read_record_scores(file->second)};
      try {
        require_same_records(scored.front(), s);
      } catch (const Error& e) {
        note(fmt::format("{} ({}): {}", r.label, mode, e.what()));
        continue;
      }
      scored.push_back(std::move(s));
    }
    auto result = paired_bootstrap(scored, bopt);
    auto j = to_json(result);
    j["scores"] = nlohmann::ordered_json::array();
    for (const auto& s : scored) j["scores"].push_back(s.origin);
    out.json["modes"][mode] = std::move(j);
    results.emplace_back(mode, std::move(result));
  }

  std::set<std::size_t> sizes;
  std::string per_mode;
  for (const auto& [mode, r] : results) {
    sizes.insert(r.records);
    per_mode += fmt::format("{}{} {}", per_mode.empty() ? "" : ", ", mode, r.records);
  }
  const std::string pct = fmt::format("{:g}%", bopt.level * 100.0);
  std::string md = "## Held-out Avg. with " + pct + " intervals (paired bootstrap over ";
  md += sizes.size() == 1 ? fmt::format("{} questions", *sizes.begin()) : std::string("the held-out questions");
  md += fmt::format(", {} resamples)\n\n", bopt.resamples);
  md += fmt::format(
      "VSI-Bench Avg. (x100) of each run and its difference from the baseline, {}, with {} percentile intervals:\n"
      "the questions are resampled with replacement within each question type, the same resample for every run\n"
      "(seed {}). P(diff <= 0): the share of resamples where the run does not beat the baseline. Verdict: where\n"
      "the difference's interval lies relative to zero.{}\n\n",
      runs[base].label, pct, bopt.seed, sizes.size() > 1 ? " Questions per eval mode: " + per_mode + "." : "");
  std::vector<std::vector<std::string>> rows, column_rows;
  for (const auto& [mode, r] : results) {
    rows.push_back({r.runs[0].label, mode, fmt::format("{:.1f}", r.runs[0].avg.value),
                    interval(r.runs[0].avg, "{:.1f}"), "-", "-", "-", "baseline"});
    for (std::size_t k = 0; k < r.differences.size(); ++k) {
      const auto& run = r.runs[k + 1];
      const auto& d = r.differences[k];
      rows.push_back({run.label, mode, fmt::format("{:.1f}", run.avg.value), interval(run.avg, "{:.1f}"),
                      fmt::format("{:+.1f}", d.avg.value), interval(d.avg, "{:+.1f}"),
                      fmt::format("{:.3f}", d.fraction_le_zero), std::string(verdict(d.avg))});
      std::vector<std::string> row{run.label, mode};
      for (std::size_t c = 1; c < kVsiColumns.size(); ++c) {
        const auto* e = column_of(d.columns, kVsiColumns[c].key);
        row.push_back(e ? fmt::format("{:+.1f} {}", e->value, interval(*e, "{:+.1f}")) : "-");
      }
      column_rows.push_back(std::move(row));
    }
  }
  if (!rows.empty())
    md += markdown_table({"Method", "Eval mode", "Avg.", pct + " CI", "Diff. vs baseline", pct + " CI of diff.",
                          "P(diff <= 0)", "Verdict"},
                         rows);
  else
    md += "No eval mode with per-record scores shared by the runs.\n";
  if (!column_rows.empty()) {
    std::vector<std::string> headings{"Method", "Eval mode"};
    for (std::size_t c = 1; c < kVsiColumns.size(); ++c) headings.emplace_back(kVsiColumns[c].heading);
    md += "\nPer-column differences from the baseline (x100, " + pct + " CI):\n\n" +
          markdown_table(headings, column_rows);
  }
  if (!out.notes.empty()) {
    md += "\nNot compared:\n\n";
    for (const auto& n : out.notes) md += "- " + n + "\n";
  }
  out.markdown = std::move(md);
  return out;
}

}  // namespace vsr::eval
