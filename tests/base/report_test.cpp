// `vsr report` on fake run folders: the run folder contract, the exact results table, PNG figures from gnuplot, the
// report without gnuplot, and the paired-bootstrap section (bootstrap.json, notes for runs left out, --baseline).
#include "test_support.hpp"
#include "vsr/core/error.hpp"
#include "vsr/core/run_dir.hpp"
#include "vsr/eval/report.hpp"

#include <fmt/format.h>
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
                                             "reward_accuracy_object_counting_mean.png", "fig5_reward_dynamics.png",
                                             "kl.png", "completion_length_mean.png", "loss.png"}));
  // Figure 5 as one chart: format, one task's accuracy and total reward, in the paper's order.
  const auto plots = report_plots(runs);
  EXPECT_EQ(plots[4].overlay, (std::vector<std::string>{"reward/format_mean", "reward/accuracy/object_counting_mean",
                                                        "reward/total_mean"}));
  EXPECT_TRUE(plots[0].overlay.empty());
}

TEST(Report, ReadabilityTableCountsUnreadableAnswersPerRunAndMode) {
  const auto [a, b] = fake_runs(vsr::test::temp_dir("report_readable"));
  EXPECT_EQ(readability_table(std::vector<RunInfo>{read_run(a), read_run(b)}), "");  // no predictions files yet
  auto line = [](const char* type, bool readable) {
    return fmt::format(R"({{"id":"x","question_type":"{}","ground_truth":"1","prediction":"p","output":"p",)"
                       R"("format_ok":true,"readable":{}}})", type, readable) + "\n";
  };
  vsr::write_file_atomic(a / "eval" / "vanilla" / "predictions.jsonl",
                         line("object_abs_distance", false) + line("object_counting", true) +
                             line("object_abs_distance", false) + line("route_planning", false));
  vsr::write_file_atomic(b / "eval" / "vanilla" / "predictions.jsonl", line("object_counting", true));
  EXPECT_EQ(readability_table(std::vector<RunInfo>{read_run(a), read_run(b)}),
            "| Method | Eval mode | Unreadable | Answers | By task |\n"
            "| --- | --- | ---: | ---: | --- |\n"
            "| vsgrpo_v | vanilla | 3 | 4 | object_abs_distance 2, route_planning 1 |\n"
            "| grpo_no_kl | vanilla | 0 | 1 | - |\n");
  vsr::write_file_atomic(b / "eval" / "vanilla" / "predictions.jsonl", line("object_counting", true) + "{oops\n");
  try {
    readability_table(std::vector<RunInfo>{read_run(b)});
    FAIL() << "expected vsr::Error";
  } catch (const vsr::Error& e) {
    EXPECT_NE(std::string(e.what()).find("line 2"), std::string::npos) << e.what();
  }
}

TEST(Report, CliWritesReportAndPngFigures) {
  const auto root = vsr::test::temp_dir("report_cli");
  const auto [a, b] = fake_runs(root);
  const auto out = root / "report";
  const auto r = vsr::test::run_cli("report " + a.string() + " " + b.string() + " --out " + out.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "wrote " + (out / "report.md").string() + " and 8 figures\n");
  const std::string md = vsr::read_file(out / "report.md");
  EXPECT_NE(md.find("| vsgrpo_v | vanilla | 35.4 | 53.6 |"), std::string::npos) << md;
  EXPECT_NE(md.find("| grpo_no_kl | " + b.string() + " | grpo | think | format+accuracy | none | 0 | 3 | running |"),
            std::string::npos) << md;
  EXPECT_NE(md.find("![Format reward](reward_format_mean.png)"), std::string::npos) << md;
  for (const char* f : {"reward_total_mean.png", "reward_format_mean.png", "reward_accuracy_mean.png",
                        "reward_accuracy_object_counting_mean.png", "fig5_reward_dynamics.png", "kl.png",
                        "completion_length_mean.png", "loss.png"}) {
    ASSERT_TRUE(fs::exists(out / f)) << f;
    EXPECT_TRUE(is_png(out / f)) << f;
    EXPECT_GT(fs::file_size(out / f), 5000u) << f;  // a drawn figure, not an empty canvas header
  }
}

TEST(Report, DebiasedAggregatesGetASecondTable) {
  const auto root = vsr::test::temp_dir("report_debiased");
  const auto [a, b] = fake_runs(root);
  EXPECT_TRUE(read_run(a).debiased.empty());
  vsr::write_file_atomic(a / "eval" / "vanilla" / "aggregate_debiased.json",
                         R"({"overall": 20.0, "object_counting_MRA:.5:.95:.05": 20.0})");
  const auto run = read_run(a);
  ASSERT_EQ(run.debiased.size(), 1u);
  const auto r = vsr::test::run_cli("report " + a.string() + " " + b.string() + " --gnuplot /nonexistent/gnuplot --out " +
                                    (root / "o").string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string md = vsr::read_file(root / "o" / "report.md");
  const auto debiased = md.find("VSI-Bench-Debiased");
  ASSERT_NE(debiased, std::string::npos) << md;
  EXPECT_NE(md.find("| vsgrpo_v | vanilla | 20.0 | 20.0 |", debiased), std::string::npos) << md;
  EXPECT_EQ(md.find("| grpo_no_kl |", debiased), md.find("| grpo_no_kl | " + b.string(), debiased)) << md;  // no row
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

/// A run folder evaluated in vanilla mode on `n` questions of 5 types: scores.jsonl, and aggregate.json computed from
/// it as `vsr eval` does. `lift` is added to every score (choice questions: right when lifted), `scores` false leaves
/// out scores.jsonl.
fs::path scored_run(const fs::path& root, const std::string& name, std::size_t n, double lift, bool scores = true) {
  const fs::path dir = root / name, eval = dir / "eval" / "vanilla";
  fs::create_directories(eval);
  vsr::write_file_atomic(dir / "run.json", R"({"recipe": ")" + name + R"("})");
  const char* types[] = {"object_counting", "route_planning", "object_rel_direction_easy", "object_rel_direction_medium",
                         "object_rel_direction_hard"};
  std::vector<RecordScore> records;
  std::string text;
  for (std::size_t i = 0; i < n; ++i) {
    const std::string type = types[i % 5];
    const bool choice = is_mca_type(type);
    const double base = choice ? double(i % 3 == 0) : double(i % 7) / 10;
    records.push_back({"q" + std::to_string(i), false, type, std::string(choice ? kAccuracyMetric : kMraMetric),
                       choice ? (lift > 0 ? 1.0 : base) : base + lift});
    text += records.back().to_json().dump() + "\n";
  }
  if (scores) vsr::write_file_atomic(eval / "scores.jsonl", text);
  vsr::write_file_atomic(eval / "aggregate.json", aggregate(records).dump(2));
  return dir;
}

TEST(Report, PairedBootstrapSection) {
  const auto root = vsr::test::temp_dir("report_bootstrap");
  const auto base = scored_run(root, "base", 60, 0.0), tuned = scored_run(root, "tuned", 60, 0.2);
  const auto unscored = scored_run(root, "unscored", 60, 0.1, false), partial = scored_run(root, "partial", 55, 0.1);
  const auto out = root / "report";
  const auto r = vsr::test::run_cli("report " + base.string() + " " + tuned.string() + " " + unscored.string() + " " +
                                    partial.string() + " --gnuplot /nonexistent/gnuplot --resamples 500 --out " + out.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("note: not compared: unscored (vanilla): no eval/vanilla/scores.jsonl\n"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("note: not compared: partial (vanilla): " + (partial / "eval/vanilla/scores.jsonl").string() +
                       ": not the records of " + (base / "eval/vanilla/scores.jsonl").string() + " (55 records here, 60 there"),
            std::string::npos) << r.err;
  const std::string md = vsr::read_file(out / "report.md");
  EXPECT_NE(md.find("## Held-out Avg. with 95% intervals (paired bootstrap over 60 questions, 500 resamples)\n"),
            std::string::npos) << md;
  EXPECT_NE(md.find("| Method | Eval mode | Avg. | 95% CI | Diff. vs baseline | 95% CI of diff. | P(diff <= 0) | Verdict |"),
            std::string::npos) << md;
  const auto j = nlohmann::json::parse(vsr::read_file(out / "bootstrap.json"));
  EXPECT_EQ(j["baseline"], "base");
  EXPECT_EQ(j["resamples"], 500);
  const auto& v = j["modes"]["vanilla"];
  EXPECT_EQ(v["records"], 60);
  ASSERT_EQ(v["runs"].size(), 2u);
  const auto official = nlohmann::json::parse(vsr::read_file(base / "eval/vanilla/aggregate.json"));
  EXPECT_EQ(v["runs"][0]["avg"]["value"].get<double>(), official["overall"].get<double>());
  const auto& b = v["runs"][0]["avg"];
  const auto& t = v["runs"][1]["avg"];
  const auto& d = v["differences"][0];
  EXPECT_EQ(d["label"], "tuned");
  EXPECT_EQ(d["verdict"], "above zero");
  EXPECT_GT(d["avg"]["low"].get<double>(), 0.0);
  EXPECT_NE(md.find(fmt::format("| base | vanilla | {:.1f} | [{:.1f}, {:.1f}] | - | - | - | baseline |\n",
                                b["value"].get<double>(), b["low"].get<double>(), b["high"].get<double>())),
            std::string::npos) << md;
  EXPECT_NE(md.find(fmt::format("| tuned | vanilla | {:.1f} | [{:.1f}, {:.1f}] | {:+.1f} | [{:+.1f}, {:+.1f}] | {:.3f} | "
                                "above zero |\n",
                                t["value"].get<double>(), t["low"].get<double>(), t["high"].get<double>(),
                                d["avg"]["value"].get<double>(), d["avg"]["low"].get<double>(),
                                d["avg"]["high"].get<double>(), d["fraction_le_zero"].get<double>())),
            std::string::npos) << md;
  EXPECT_NE(md.find("| tuned | vanilla | +"), std::string::npos) << md;  // the per-column differences
  EXPECT_NE(md.find("- unscored (vanilla): no eval/vanilla/scores.jsonl\n"), std::string::npos) << md;
  EXPECT_EQ(j["skipped"].size(), 2u);

  const auto swapped = vsr::test::run_cli("report " + base.string() + " " + tuned.string() +
                                          " --gnuplot /nonexistent/gnuplot --baseline tuned --out " + (root / "o2").string());
  ASSERT_EQ(swapped.exit_code, 0) << swapped.err;
  const auto j2 = nlohmann::json::parse(vsr::read_file(root / "o2" / "bootstrap.json"));
  EXPECT_EQ(j2["modes"]["vanilla"]["runs"][0]["label"], "tuned");
  EXPECT_EQ(j2["modes"]["vanilla"]["differences"][0]["verdict"], "below zero");
  EXPECT_EQ(j2["modes"]["vanilla"]["resamples"], 2000);
  const auto unknown = vsr::test::run_cli("report " + base.string() + " --baseline nope --out " + (root / "o3").string());
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("baseline: no reported run is labelled or named \"nope\""), std::string::npos) << unknown.err;
}

}  // namespace
