// `vsr report` output: report.md, bootstrap.json and the gnuplot figures.
#include "vsr/core/error.hpp"
#include "vsr/core/run_dir.hpp"
#include "vsr/eval/report.hpp"
#include "vsr/eval/table.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <map>

namespace vsr::eval {

namespace fs = std::filesystem;

namespace {

/// A value of run.json as a table cell ("-" when absent; lists joined with "+").
std::string cell(const nlohmann::json& run, const char* key) {
  const auto it = run.find(key);
  if (it == run.end() || it->is_null()) return "-";
  if (it->is_string()) return it->get<std::string>();
  if (it->is_array()) {
    std::string s;
    for (const auto& v : *it) s += (s.empty() ? "" : "+") + (v.is_string() ? v.get<std::string>() : v.dump());
    return s.empty() ? "-" : s;
  }
  return it->dump();
}

/// Single-quoted gnuplot string.
std::string gp_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

bool gnuplot_terminal_ok(const std::string& gnuplot, const std::string& terminal) {
  const std::string cmd = shell_quote(gnuplot) + " -e " + shell_quote("set terminal " + terminal) + " >/dev/null 2>&1";
  return std::system(cmd.c_str()) == 0;
}

/// Writes data files and the script; runs gnuplot; returns the PNGs or sets `warning`.
std::vector<fs::path> draw(std::span<const RunInfo> runs, const std::vector<PlotSpec>& plots, const fs::path& out,
                           const ReportOptions& options, std::string& warning) {
  std::vector<fs::path> written;
  if (plots.empty()) return written;
  const fs::path data = out / "plot_data";
  fs::create_directories(data);
  std::string terminal;
  if (gnuplot_terminal_ok(options.gnuplot, "pngcairo")) terminal = "pngcairo size 900,540 noenhanced font ',11'";
  else if (gnuplot_terminal_ok(options.gnuplot, "png")) terminal = "png size 900,540 noenhanced";
  if (terminal.empty()) {
    warning = "gnuplot (" + options.gnuplot + ") not found or without a png terminal: figures not drawn";
    return written;
  }
  std::string script = "set terminal " + terminal + "\nset grid\nset key outside right top\nset xlabel 'step'\n";
  for (std::size_t p = 0; p < plots.size(); ++p) {
    const auto& spec = plots[p];
    std::vector<std::string> lines;
    const std::vector<std::string> columns = spec.overlay.empty() ? std::vector<std::string>{spec.column} : spec.overlay;
    static constexpr const char* kOverlayColours[] = {"#1f77b4", "#d62728", "#e6b800", "#2ca02c"};  // Figure 5's
    for (std::size_t r = 0; r < runs.size(); ++r) {
      if (!runs[r].metrics) continue;
      for (std::size_t c = 0; c < columns.size(); ++c) {
        const auto series = runs[r].metrics->series(columns[c]);
        if (series.empty()) continue;
        std::string text;
        for (const auto& [x, y] : series) text += fmt::format("{} {}\n", x, y);
        const std::string name = fmt::format("plot{}_run{}_col{}.dat", p, r, c);
        write_file_atomic(data / name, text);
        std::string style = " using 1:2 with linespoints pt 7 ps 0.4 lw 2";
        std::string title = runs[r].label;
        if (!spec.overlay.empty()) {
          style += fmt::format(" lc rgb '{}' dt {}", kOverlayColours[c % 4], r % 5 + 1);
          title = columns[c] + (runs.size() > 1 ? " (" + runs[r].label + ")" : "");
        }
        lines.push_back(gp_quote(name) + style + " title " + gp_quote(title));
      }
    }
    script += "set output " + gp_quote((fs::absolute(out) / spec.file).string()) + "\n";
    script += "set title " + gp_quote(spec.title) + "\nset ylabel " +
              gp_quote(spec.overlay.empty() ? spec.column : std::string("reward")) + "\nplot ";
    for (std::size_t i = 0; i < lines.size(); ++i) script += (i ? ", \\\n     " : "") + lines[i];
    script += "\nunset output\n";
  }
  write_file_atomic(data / "plots.gp", script);
  const std::string cmd = "cd " + shell_quote(data.string()) + " && " + shell_quote(options.gnuplot) +
                          " plots.gp > gnuplot.log 2>&1";
  if (std::system(cmd.c_str()) != 0) {
    warning = "gnuplot failed (see " + (data / "gnuplot.log").string() + "): figures may be missing";
  }
  for (const auto& spec : plots)
    if (fs::exists(out / spec.file) && fs::file_size(out / spec.file) > 0) written.push_back(out / spec.file);
  return written;
}

}  // namespace

ReportResult write_report(std::span<const fs::path> run_dirs, const fs::path& out, const ReportOptions& options) {
  if (run_dirs.empty()) fail("<command line>", "RUN_DIR", "expected at least one run folder");
  std::vector<RunInfo> runs;
  for (const auto& d : run_dirs) runs.push_back(read_run(d));
  // Unique labels: a recipe reported twice is told apart by its folder name.
  std::map<std::string, int> seen;
  for (const auto& r : runs) ++seen[r.label];
  for (auto& r : runs)
    if (seen[r.label] > 1) r.label += " (" + r.dir.filename().string() + ")";

  auto intervals = bootstrap_report(runs, options);  // before any output: a bad scores.jsonl or baseline stops here

  fs::create_directories(out);
  ReportResult result;
  const auto plots = report_plots(runs);
  result.plots = draw(runs, plots, out, options, result.warning);

  std::string md = "# vsr report\n\n## VSI-Bench results\n\n";
  md += "Scores x100 (official VSI-Bench scorer); Avg. = mean over the task columns present.\n\n";
  md += results_table(runs);
  std::vector<RunInfo> debiased;  // VSI-Bench-Debiased: the same evaluations over the records not pruned
  for (const auto& r : runs)
    if (!r.debiased.empty()) {
      debiased.push_back(r);
      debiased.back().evals = r.debiased;
    }
  if (!debiased.empty())
    md += "\nVSI-Bench-Debiased (arXiv 2511.04655): the same answers scored over the records with `pruned` = false\n\n" +
          results_table(debiased);
  if (!intervals.markdown.empty()) md += "\n" + intervals.markdown;
  if (const auto unread = readability_table(runs); !unread.empty()) {
    md += "\nAnswers the benchmark's scorer cannot read (NA: no number as the first word; MCA: the first word is no ";
    md += "option letter):\n\n" + unread;
  }
  result.notes = std::move(intervals.notes);
  result.bootstrap = out / "bootstrap.json";
  write_file_atomic(result.bootstrap, intervals.json.dump(2) + "\n");
  md += "\n## Runs\n\n";
  std::vector<std::vector<std::string>> rows;
  for (const auto& r : runs)
    rows.push_back({r.label, r.dir.string(), cell(r.run, "algorithm"), cell(r.run, "prompt_mode"), cell(r.run, "rewards"),
                    cell(r.run, "kl"), cell(r.run, "beta"), cell(r.run, "steps"), cell(r.run, "status")});
  md += markdown_table({"Method", "Folder", "Algorithm", "Prompt mode", "Rewards", "KL", "beta", "Steps", "Status"}, rows);
  if (!plots.empty()) {
    md += "\n## Training curves\n\n";
    for (const auto& spec : plots) {
      const bool drawn = fs::exists(out / spec.file);
      md += drawn ? "![" + spec.title + "](" + spec.file + ")\n\n"
                  : "- " + spec.title + " (`" + spec.column + "`): not drawn\n";
    }
  }
  if (!result.warning.empty()) md += "\n> " + result.warning + "\n";
  result.markdown = out / "report.md";
  write_file_atomic(result.markdown, md);
  return result;
}

}  // namespace vsr::eval
