// rollouts.jsonl: the line format, appends, and the trim a resumed run does; and a GRPO recipe's log checked against
// the group-advantage formula (reward - group mean) / (group std + eps).
#include "vsr/core/error.hpp"
#include "vsr/core/run_dir.hpp"
#include "vsr/train/rollout_log.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <map>
#include <sstream>

#include "test_support.hpp"

namespace vsr {
namespace {

namespace fs = std::filesystem;

train::RolloutRecord record(std::int64_t step, std::int64_t index) {
  train::RolloutRecord r;
  r.step = step;
  r.id = "q1";
  r.question_type = "object_counting";
  r.ground_truth = "3";
  r.index = index;
  r.completion = "<think>two</think><answer>2</answer>";
  r.answer = "2";
  r.format_ok = true;
  r.length = 9;
  r.rewards = {{"format", 1.0}, {"accuracy", 0.5}};
  r.reward = 1.5;
  r.advantage = -0.25;
  return r;
}

TEST(RolloutLog, LineFormatAppendAndTrimAfterAResume) {
  EXPECT_EQ(record(4, 1).to_json_line(),
            R"({"step":4,"id":"q1","question_type":"object_counting","ground_truth":"3","index":1,)"
            R"("completion":"<think>two</think><answer>2</answer>","answer":"2","format_ok":true,"length":9,)"
            R"("rewards":{"format":1.0,"accuracy":0.5},"reward":1.5,"advantage":-0.25})");
  auto none = record(4, 0);
  none.answer.reset();
  EXPECT_NE(none.to_json_line().find(R"("answer":null)"), std::string::npos);

  const auto path = test::temp_dir("rollout_log") / "rollouts.jsonl";
  train::trim_rollouts_after(path, 3);  // no file: nothing happens
  EXPECT_FALSE(fs::exists(path));
  const std::vector<train::RolloutRecord> two{record(2, 0), record(2, 1)}, four{record(4, 0)};
  train::append_rollouts(path, two);
  train::append_rollouts(path, four);
  const std::string both = read_file(path);
  EXPECT_EQ(both, record(2, 0).to_json_line() + "\n" + record(2, 1).to_json_line() + "\n" + record(4, 0).to_json_line() + "\n");
  train::trim_rollouts_after(path, 4);  // nothing after step 4
  EXPECT_EQ(read_file(path), both);
  write_file_atomic(path, both + R"({"step":6,"id":"q)");  // killed mid-write
  train::trim_rollouts_after(path, 3);  // resumed from the checkpoint of step 3
  EXPECT_EQ(read_file(path), record(2, 0).to_json_line() + "\n" + record(2, 1).to_json_line() + "\n");
}

TEST(RolloutLog, GrpoRecipeLogsEveryNthStepWithGroupAdvantages) {
  const auto d = test::temp_dir("rollout_recipe");
  auto r = test::run_cli("data synth --scenes 1 --seed 5 --out " + (d / "scenes").string() +
                         " --synth.width 112 --synth.height 84 --synth.seconds_per_turn 2");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = test::run_cli("data build --scannet " + (d / "scenes").string() + " --out " + (d / "train.jsonl").string() +
                    " --data.dataset synthetic --data.video_root " + (d / "scenes" / "videos").string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto out = d / "run";
  const std::string args =
      "--config " + (fs::path(VSR_SOURCE_DIR) / "configs" / "tiny_train.ini").string() + " --model " +
      (test::data_dir() / "qwen2vl-tiny" / "model").string() + " --tokenizer " +
      (test::data_dir() / "qwen2vl-tiny" / "tokenizer").string() + " --train " + (d / "train.jsonl").string() +
      " --out " + out.string() + " --train.steps 4 --train.batch_size 2 --grpo.num_generations 3" +
      " --grpo.log_rollouts_every 2";
  r = test::run_program(test::experiment("table2_vsgrpo_t"), args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // Steps 2 and 4, two questions of three completions each.
  std::map<std::int64_t, int> per_step;
  std::vector<std::vector<nlohmann::json>> groups;  // consecutive lines with index 0, 1, 2
  std::istringstream lines(read_file(out / "rollouts.jsonl"));
  for (std::string line; std::getline(lines, line);) {
    const auto j = nlohmann::json::parse(line);
    ++per_step[j["step"].get<std::int64_t>()];
    if (j["index"].get<std::int64_t>() == 0) groups.emplace_back();
    ASSERT_FALSE(groups.empty()) << line;
    groups.back().push_back(j);
    // The recipe's total is format + accuracy.
    EXPECT_NEAR(j["reward"].get<double>(), j["rewards"]["format"].get<double>() + j["rewards"]["accuracy"].get<double>(), 1e-9);
    EXPECT_EQ(j["format_ok"].get<bool>(), j["rewards"]["format"].get<double>() == 1.0) << line;
    EXPECT_GE(j["length"].get<std::int64_t>(), 1);
  }
  EXPECT_EQ(per_step, (std::map<std::int64_t, int>{{2, 6}, {4, 6}}));
  ASSERT_EQ(groups.size(), 4u);
  for (const auto& g : groups) {
    ASSERT_EQ(g.size(), 3u);
    double mean = 0.0, var = 0.0;
    for (const auto& j : g) mean += j["reward"].get<double>() / 3.0;
    for (const auto& j : g) var += std::pow(j["reward"].get<double>() - mean, 2) / 2.0;  // unbiased, as TRL
    for (std::size_t i = 0; i < g.size(); ++i) {
      EXPECT_EQ(g[i]["index"].get<std::int64_t>(), static_cast<std::int64_t>(i));
      EXPECT_EQ(g[i]["id"], g[0]["id"]);
      EXPECT_NEAR(g[i]["advantage"].get<double>(), (g[i]["reward"].get<double>() - mean) / (std::sqrt(var) + 1e-4), 1e-5);
    }
  }
}

}  // namespace
}  // namespace vsr
