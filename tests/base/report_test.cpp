// `vsr report` on two fake run folders: the run folder contract, the exact results table, PNG figures from gnuplot,
// and the report without gnuplot.
#include "test_support.hpp"
#include "vsr/core/error.hpp"
#include "vsr/core/run_dir.hpp"
#include "vsr/eval/report.hpp"

#include <gtest/gtest.h>

#include <fstream>

namespace {

namespace fs = std::filesystem;
using namespace vsr::eval;

/// Two runs as the trainer writes them: a vsGRPO-V run (beta 1e-4, evaluated in vanilla and observe) and a GRPO
/// run without KL (evaluated in vanilla only, two task columns missing).
std::pair<fs::path, fs::path> fake_runs(const fs::path& root) {
  const fs::path a = root / "vsgrpo_v", b = root / "no_kl";
  fs::create_directories(a / "eval" / "vanilla");
  fs::create_directories(a / "eval" / "observe");
  fs::create_directories(b / "eval" / "vanilla");
  vsr::write_file_atomic(a / "run.json", R"({"recipe": "vsgrpo_v", "algorithm": "grpo", "prompt_mode": "vanilla",
      "rewards": ["format", "accuracy"], "kl": "k3", "beta": 0.0001, "steps": 4, "status": "finished"})");
  vsr::write_file_atomic(b / "run.json", R"({"recipe": "grpo_no_kl", "algorithm": "grpo", "prompt_mode": "think",
      "rewards": ["format", "accuracy"], "kl": "none", "beta": 0, "steps": 3, "status": "running"})");
  vsr::write_file_atomic(a / "metrics.csv",
                         "step,reward/total_mean,reward/format_mean,reward/accuracy_mean,"
                         "reward/accuracy/object_counting_mean,kl,loss,lr,completion_length_mean\n"
                         "1,0.5,0.2,0.3,0.25,0.001,0.1,1e-6,12\n"
                         "2,0.7,0.3,0.4,,0.002,0.09,1e-6,14\n"
                         "3,0.9,0.5,0.4,0.5,0.004,0.05,1e-6,15\n"
                         "4,1.1,0.6,0.5,0.75,0.003,0.02,1e-6,13\n");
  vsr::write_file_atomic(b / "metrics.csv",
                         "step,reward/total_mean,reward/format_mean,reward/accuracy_mean,kl,loss,lr\n"
                         "1,0.1,0.05,0.05,0,0.3,1e-6\n2,0.4,0.2,0.2,0,0.2,1e-6\n3,0.8,0.5,0.3,,0.1,1e-6\n");
  vsr::write_file_atomic(a / "eval" / "vanilla" / "aggregate.json",
                         R"({"overall": 35.44, "object_counting_MRA:.5:.95:.05": 53.6, "object_abs_distance_MRA:.5:.95:.05": 29.0,
                             "object_size_estimation_MRA:.5:.95:.05": 53.9, "room_size_estimation_MRA:.5:.95:.05": 31.6,
                             "object_rel_distance_accuracy": 33.7, "object_rel_direction_accuracy": 35.8,
                             "route_planning_accuracy": 24.7, "obj_appearance_order_accuracy": 21.2})");
  vsr::write_file_atomic(a / "eval" / "observe" / "aggregate.json",
                         R"({"overall": 30.0, "object_counting_MRA:.5:.95:.05": 40.0, "route_planning_accuracy": 20.0})");
  vsr::write_file_atomic(b / "eval" / "vanilla" / "aggregate.json",
                         R"({"overall": 25.05, "object_counting_MRA:.5:.95:.05": 30.1, "object_rel_distance_accuracy": 20.0})");
  return {a, b};
}

bool is_png(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  char magic[8] = {};
  f.read(magic, 8);
  return std::string(magic, 8) == std::string("\x89PNG\r\n\x1a\n", 8);
}

TEST(Report, MetricsCsvEmptyCellsAreNoValue) {
  const auto root = vsr::test::temp_dir("report_csv");
  const auto [a, b] = fake_runs(root);
  const auto m = read_metrics_csv(a / "metrics.csv");
  EXPECT_EQ(m.columns.size(), 9u);
  EXPECT_EQ(m.series("reward/accuracy/object_counting_mean"),
            (std::vector<std::pair<double, double>>{{1, 0.25}, {3, 0.5}, {4, 0.75}}));
  EXPECT_TRUE(m.series("missing").empty());
  vsr::write_file_atomic(root / "bad.csv", "step,kl\n1,0.1\n2,abc\n");
  try {
    read_metrics_csv(root / "bad.csv");
    FAIL();
  } catch (const vsr::Error& e) {
    EXPECT_NE(std::string(e.what()).find("line 3: kl"), std::string::npos) << e.what();
  }
  vsr::write_file_atomic(root / "short.csv", "step,kl\n1\n");
  EXPECT_THROW(read_metrics_csv(root / "short.csv"), vsr::Error);
}

TEST(Report, ResultsTableIsExact) {
  const auto [a, b] = fake_runs(vsr::test::temp_dir("report_table"));
  const std::vector<RunInfo> runs{read_run(a), read_run(b)};
  EXPECT_EQ(results_table(runs),
            "| Method | Eval mode | Avg. | Obj. Count | Abs. Dist. | Obj. Size | Room Size | Rel. Dist. | Rel. Dir. | "
            "Route Plan | Appr. Order |\n"
            "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n"
            "| vsgrpo_v | observe | 30.0 | 40.0 | - | - | - | - | - | 20.0 | - |\n"
            "| vsgrpo_v | vanilla | 35.4 | 53.6 | 29.0 | 53.9 | 31.6 | 33.7 | 35.8 | 24.7 | 21.2 |\n"
            "| grpo_no_kl | vanilla | 25.1 | 30.1 | - | - | - | 20.0 | - | - | - |\n");
  std::vector<std::string> files;
  for (const auto& p : report_plots(runs)) files.push_back(p.file);
  EXPECT_EQ(files, (std::vector<std::string>{"reward_total_mean.png", "reward_format_mean.png", "reward_accuracy_mean.png",
                                             "reward_accuracy_object_counting_mean.png", "kl.png",
                                             "completion_length_mean.png", "loss.png"}));
}

TEST(Report, CliWritesReportAndPngFigures) {
  const auto root = vsr::test::temp_dir("report_cli");
  const auto [a, b] = fake_runs(root);
  const auto out = root / "report";
  const auto r = vsr::test::run_cli("report " + a.string() + " " + b.string() + " --out " + out.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "wrote " + (out / "report.md").string() + " and 7 figures\n");
  const std::string md = vsr::read_file(out / "report.md");
  EXPECT_NE(md.find("| vsgrpo_v | vanilla | 35.4 | 53.6 |"), std::string::npos) << md;
  EXPECT_NE(md.find("| grpo_no_kl | " + b.string() + " | grpo | think | format+accuracy | none | 0 | 3 | running |"),
            std::string::npos) << md;
  EXPECT_NE(md.find("![Format reward](reward_format_mean.png)"), std::string::npos) << md;
  for (const char* f : {"reward_total_mean.png", "reward_format_mean.png", "reward_accuracy_mean.png",
                        "reward_accuracy_object_counting_mean.png", "kl.png", "completion_length_mean.png", "loss.png"}) {
    ASSERT_TRUE(fs::exists(out / f)) << f;
    EXPECT_TRUE(is_png(out / f)) << f;
    EXPECT_GT(fs::file_size(out / f), 5000u) << f;  // a drawn figure, not an empty canvas header
  }
}

TEST(Report, WithoutGnuplotTheMarkdownIsStillWritten) {
  const auto root = vsr::test::temp_dir("report_nognuplot");
  const auto [a, b] = fake_runs(root);
  const auto r = vsr::test::run_cli("report " + a.string() + " --gnuplot /nonexistent/gnuplot --out " + (root / "o").string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("warning: gnuplot (/nonexistent/gnuplot) not found"), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_TRUE(fs::exists(root / "o" / "report.md"));
  EXPECT_FALSE(fs::exists(root / "o" / "kl.png"));
  const auto missing = vsr::test::run_cli("report " + (root / "nothing").string() + " --out " + (root / "o2").string());
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("run.json"), std::string::npos) << missing.err;
}

}  // namespace
