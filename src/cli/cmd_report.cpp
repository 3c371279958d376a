// `vsr report`: results table, paired-bootstrap intervals and training curves from run folders (torch-free).
#include "command.hpp"

#include "vsr/core/config.hpp"
#include "vsr/core/error.hpp"
#include "vsr/eval/report.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <vector>

VSR_COMMAND(cmd_report, "report", "Markdown report (Table 2, bootstrap intervals) and reward/KL plots of run folders") {
  vsr::Config cfg(argv[0]);
  std::string out;
  vsr::eval::ReportOptions options;
  cfg.top_level()
      .add("out", out, "output folder: report.md, bootstrap.json and the PNG figures")
      .add("gnuplot", options.gnuplot, "gnuplot program used to draw the figures")
      .add("baseline", options.baseline, "label or folder name of the run compared against (default: the first)")
      .add("resamples", options.bootstrap.resamples, "paired-bootstrap resamples behind the 95% intervals")
      .add("seed", options.bootstrap.seed, "seed of the bootstrap resamples");
  cfg.allow_positional(-1);
  if (!cfg.parse(argc, argv)) return 0;
  vsr::require(!out.empty(), "<command line>", "out", "expected --out DIR");
  vsr::require(!cfg.positional().empty(), "<command line>", "RUN_DIR", "expected one or more run folders");
  std::vector<std::filesystem::path> runs(cfg.positional().begin(), cfg.positional().end());
  const auto result = vsr::eval::write_report(runs, out, options);
  if (!result.warning.empty()) fmt::print(stderr, "warning: {}\n", result.warning);
  for (const auto& note : result.notes) fmt::print(stderr, "note: not compared: {}\n", note);
  fmt::print("wrote {} and {} figures\n", result.markdown.string(), result.plots.size());
  return 0;
}
