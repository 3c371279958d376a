// Multi-stage recipes (vsr/stages.hpp): per-stage command lines by hand, SFT -> GRPO in one program with one run
// folder per stage and the adapter chained, --resume skipping finished stages, and AlphaMaze's two stages on
// text-only mazes from `vsr data maze`, evaluated with the generic per-task aggregate.
#include "vsr/core/error.hpp"
#include "vsr/core/metrics_log.hpp"
#include "vsr/core/run_dir.hpp"
#include "vsr/train/stages_runner.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "test_support.hpp"

namespace vsr {
namespace {

namespace fs = std::filesystem;
using Args = std::vector<std::string>;

TEST(Stages, EachStageGetsItsFolderTheChainedAdapterAndItsOwnOverrides) {
  const Args names{"sft", "grpo"};
  const Args args{"--model", "m", "--out", "runs/x", "--stage.sft.train.steps", "5", "--train.lr=0.1",
                  "--stage.grpo.kl.beta=0.01", "--init-adapter", "warm", "--train.steps", "9", "--resume"};
  // A stage's own --train.steps replaces the shared one; the other stage keeps the shared one.
  EXPECT_EQ(train::stage_arguments(args, names, 0),
            (Args{"--model", "m", "--train.lr=0.1", "--init-adapter", "warm", "--resume", "--train.steps", "5", "--out",
                  "runs/x/sft"}));
  EXPECT_EQ(train::stage_arguments(args, names, 1),
            (Args{"--model", "m", "--train.lr=0.1", "--train.steps", "9", "--resume", "--kl.beta=0.01", "--out",
                  "runs/x/grpo", "--init-adapter", "runs/x/sft/adapter"}));
  EXPECT_EQ(train::stage_arguments({"--out=o", "--stage.grpo.resume"}, names, 1),
            (Args{"--resume", "--out", "o/grpo", "--init-adapter", "o/sft/adapter"}));
  EXPECT_THROW(train::stage_arguments({"--model", "m"}, names, 0), Error);  // no --out
  EXPECT_THROW(train::stage_arguments({"--out", "o", "--stage.grpo.out", "x"}, names, 1), Error);
  EXPECT_THROW(train::stage_arguments({"--out", "o", "--stage.grpo.init-adapter=x"}, names, 1), Error);
  try {
    (void)train::stage_arguments({"--out", "o", "--stage.dpo.train.steps", "1"}, names, 0);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              "<command line>: --stage.dpo.train.steps: expected --stage.NAME.KEY with NAME one of sft, grpo");
  }
}

std::string tiny_args(const fs::path& out, const fs::path& train) { return test::tiny_run_args(out, train); }

TEST(Stages, SftThenGrpoRunsBothStagesFromOneFileAndResumeSkipsFinishedOnes) {
  const auto out = test::temp_dir("stages_sft_grpo");
  const auto train = test::synthetic_questions().train;
  auto r = test::run_program(test::experiment("sft_then_grpo"),
                             tiny_args(out, train) + " --train.steps 2 --stage.sft.train.steps 1");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(MetricsLog::read_csv(out / "sft" / "metrics.csv").size(), 1u);   // its own override
  EXPECT_EQ(MetricsLog::read_csv(out / "grpo" / "metrics.csv").size(), 2u);
  const auto sft = nlohmann::json::parse(read_file(out / "sft" / "run.json"));
  const auto grpo = nlohmann::json::parse(read_file(out / "grpo" / "run.json"));
  EXPECT_EQ(sft["algorithm"], "sft");
  EXPECT_EQ(grpo["algorithm"], "grpo");
  EXPECT_FALSE(sft.contains("init_adapter"));
  EXPECT_EQ(grpo["init_adapter"], (out / "sft" / "adapter").string());
  EXPECT_TRUE(fs::exists(out / "grpo" / "adapter" / "adapter_model.safetensors"));
  const auto stages = nlohmann::json::parse(read_file(out / "stages.json"));
  ASSERT_EQ(stages["stages"].size(), 2u);
  EXPECT_EQ(stages["stages"][1]["name"], "grpo");
  EXPECT_EQ(stages["stages"][1]["status"], "finished");

  r = test::run_program(test::experiment("sft_then_grpo"),
                        tiny_args(out, train) + " --train.steps 2 --stage.sft.train.steps 1 --resume=true");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("stage sft finished earlier"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("stage grpo finished earlier"), std::string::npos) << r.err;
  EXPECT_EQ(MetricsLog::read_csv(out / "grpo" / "metrics.csv").size(), 2u);  // nothing ran again

  // A later stage without its predecessor's adapter stops with one line naming it.
  const auto broken = test::temp_dir("stages_missing_adapter");
  fs::create_directories(broken / "sft");
  write_file_atomic(broken / "sft" / "run.json", R"({"status": "finished"})");
  r = test::run_program(test::experiment("sft_then_grpo"), tiny_args(broken, train) + " --train.steps 1 --resume");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("stage grpo starts from stage sft's adapter, which is missing"), std::string::npos) << r.err;
}

// Under `vsr launch`, every rank runs every stage: each stage rendezvouses on its own port, and the second stage's
// two ranks start from the first stage's adapter.
TEST(Stages, SftThenGrpoRunsOnTwoProcesses) {
  const auto out = test::temp_dir("stages_two_processes");
  const auto r = test::run_cli("launch --nproc 2 -- " + test::experiment("sft_then_grpo").string() + " " +
                               tiny_args(out, test::synthetic_questions().train) + " --train.steps 2");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const std::string stage : {"sft", "grpo"}) {
    const auto info = nlohmann::json::parse(read_file(out / stage / "run.json"));
    EXPECT_EQ(info["status"], "finished") << stage;
    EXPECT_EQ(info["world_size"], 2) << stage;
    EXPECT_EQ(MetricsLog::read_csv(out / stage / "metrics.csv").size(), 2u) << stage;
  }
}

TEST(Stages, AlphaMazeTrainsSftThenGrpoOnTextOnlyMazes) {
  const auto dir = test::temp_dir("stages_alphamaze");
  auto r = test::run_cli("data maze --count 6 --maze.rows 2 --maze.cols 2 --seed 1 --out " + (dir / "train.jsonl").string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = test::run_cli("data maze --count 3 --maze.rows 2 --maze.cols 2 --seed 2 --out " + (dir / "eval.jsonl").string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto out = dir / "run";
  r = test::run_program(test::experiment("alphamaze"),
                        tiny_args(out, dir / "train.jsonl") + " --train.steps 2 --eval " + (dir / "eval.jsonl").string() +
                            " --eval.max_new_tokens 4");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto columns = MetricsLog::read_csv(out / "grpo" / "metrics.csv");
  ASSERT_EQ(columns.size(), 2u);
  const auto header = read_file(out / "grpo" / "metrics.csv").substr(0, read_file(out / "grpo" / "metrics.csv").find('\n'));
  EXPECT_NE(header.find("reward/maze_path_mean"), std::string::npos) << header;
  for (const std::string stage : {"sft", "grpo"}) {
    const auto aggregate = nlohmann::json::parse(read_file(out / stage / "eval" / "vanilla" / "aggregate.json"));
    EXPECT_TRUE(aggregate.contains("maze_accuracy")) << aggregate.dump();
    EXPECT_TRUE(aggregate.contains("overall"));
    const std::string report = read_file(out / stage / "report" / "report.md");  // the generic task columns
    EXPECT_NE(report.find("| Method | Eval mode | Overall | maze_accuracy |"), std::string::npos) << report;
  }
}

}  // namespace
}  // namespace vsr
