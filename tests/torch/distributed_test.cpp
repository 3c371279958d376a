// Data-parallel training and evaluation through `vsr launch` (c10d Gloo on CPU) on the tiny model: two processes
// with per-rank batch b end with the same adapter as one process with batch 2b (SFT, and GRPO with the grpo and
// bnpo loss aggregations); a two-process evaluation writes the same predictions.jsonl as a single process; bad
// launcher environments and a resume at another world size fail with one clear line.
#include "vsr/core/error.hpp"
#include "vsr/core/metrics_log.hpp"
#include "vsr/core/run_dir.hpp"
#include "vsr/runtime/tensor_io.hpp"
#include "vsr/train/distributed.hpp"

#include <ATen/ATen.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "test_support.hpp"

namespace vsr {
namespace {

namespace fs = std::filesystem;

/// Synthetic scenes and questions (built once).
const fs::path& dataset() {
  static const fs::path dir = [] {
    const auto d = test::temp_dir("distributed_data");
    auto r = test::run_cli("data synth --scenes 2 --seed 5 --out " + (d / "scenes").string() +
                           " --synth.width 112 --synth.height 84 --synth.seconds_per_turn 2");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    r = test::run_cli("data build --scannet " + (d / "scenes").string() + " --out " + (d / "train.jsonl").string() +
                      " --data.dataset synthetic --data.video_root " + (d / "scenes" / "videos").string());
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return d;
  }();
  return dir;
}

fs::path tiny(const char* part) { return test::data_dir() / "qwen2vl-tiny" / part; }

std::string train_args(const fs::path& out) {
  return "--config " + (fs::path(VSR_SOURCE_DIR) / "configs" / "tiny_train.ini").string() + " --model " +
         tiny("model").string() + " --tokenizer " + tiny("tokenizer").string() + " --train " +
         (dataset() / "train.jsonl").string() + " --out " + out.string() + " --runtime.threads 1";
}

/// `vsr launch --nproc n -- program args`.
test::CliResult launch(int n, const fs::path& program, const std::string& args) {
  return test::run_cli("launch --nproc " + std::to_string(n) + " -- " + program.string() + " " + args);
}

/// ||a - b|| / ||b|| over all adapter tensors together (Frobenius); the tensor names must agree. (AdamW's first
/// steps move each weight by about lr * sign(gradient), so an element whose gradient is at float noise level may
/// differ by more; the norm is the stable measure.)
double adapter_difference(const fs::path& a, const fs::path& b) {
  const auto ta = load_safetensors(a / "adapter" / "adapter_model.safetensors");
  const auto tb = load_safetensors(b / "adapter" / "adapter_model.safetensors");
  EXPECT_EQ(ta.size(), tb.size());
  double diff = 0.0, scale = 0.0;
  for (const auto& [name, x] : tb) {
    const auto it = ta.find(name);
    if (it == ta.end()) {
      ADD_FAILURE() << "missing " << name;
      continue;
    }
    diff += (it->second.to(at::kDouble) - x.to(at::kDouble)).pow(2).sum().item<double>();
    scale += x.to(at::kDouble).pow(2).sum().item<double>();
  }
  return std::sqrt(diff / std::max(scale, 1e-300));
}

double metric(const fs::path& run, const std::string& column, std::size_t row) {
  const auto rows = MetricsLog::read_csv(run / "metrics.csv");
  return row < rows.size() ? MetricsLog::value(rows[row], column) : std::nan("");
}

/// The adapter of one process with batch 2 minus the adapter of two processes with batch 1 moves like it.
void expect_same_training(const std::string& program, const std::string& extra, const std::string& name) {
  const auto single = test::temp_dir(name + "_single"), pair = test::temp_dir(name + "_pair");
  auto r = test::run_program(test::experiment(program), train_args(single) + " --train.batch_size 2" + extra);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = launch(2, test::experiment(program), train_args(pair) + " --train.batch_size 1" + extra);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // Both runs moved the adapter (a zero gradient would make this test vacuous) and moved it alike.
  EXPECT_GT(metric(single, "grad_norm", 0), 1e-6);
  // Float reduction order alone: measured 1.1e-5 (sft) and 3.8e-7 (per-sequence) on the synthetic videos of the
  // one-thread encoder (2026-12-03). Adam is scale-invariant, so a wrong loss share shows in loss and grad_norm below.
  const double difference = adapter_difference(pair, single);
  EXPECT_LT(difference, 5e-5) << name;
  std::printf("%s: adapter relative difference %.3g\n", name.c_str(), difference);
  for (std::size_t step = 0; step < 2; ++step) {
    EXPECT_NEAR(metric(pair, "loss", step), metric(single, "loss", step), 1e-5 * (1 + std::abs(metric(single, "loss", step))))
        << name << " step " << step + 1;
    EXPECT_NEAR(metric(pair, "grad_norm", step), metric(single, "grad_norm", step), 1e-4 * metric(single, "grad_norm", step))
        << name << " step " << step + 1;
  }
  // The checkpoint and run.json remember the world size.
  const auto state = nlohmann::json::parse(read_file(pair / "checkpoints" / "step-00000002" / "trainer_state.json"));
  EXPECT_EQ(state["world_size"], 2);
  EXPECT_EQ(nlohmann::json::parse(read_file(pair / "run.json"))["world_size"], 2);
}

/// An adapter trained a few SFT steps: GRPO from it has a KL gradient (policy != reference) and shorter answers.
const fs::path& warm_adapter() {
  static const fs::path dir = [] {
    const auto out = test::temp_dir("distributed_warm");
    const auto r = test::run_program(test::experiment("table2_sft"), train_args(out) + " --train.steps 6 --train.lr 1e-2");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return out / "adapter";
  }();
  return dir;
}

TEST(Distributed, SftOnTwoProcessesEqualsOneProcessWithTheGlobalBatch) {
  expect_same_training("table2_sft", " --train.steps 2", "sft");
  expect_same_training("table2_sft", " --train.steps 2 --sft.per_sequence", "sft_per_sequence");
}

TEST(Distributed, GrpoOnTwoProcessesEqualsOneProcessWithTheGlobalBatch) {
  // Rollouts are seeded per question, so they are the same at any world size even when sampled at temperature 1.
  // On the tiny model every completion runs to max_new_tokens, so the three aggregations weight the ranks alike
  // here (the dr_grpo run still exercises the longest-row allreduce); weighting by token counts that differ between
  // ranks is what the SFT token-mean test checks (its answers differ in length).
  const std::string grpo = " --train.steps 2 --grpo.num_generations 3 --kl.beta 0.5 --init-adapter " +
                           warm_adapter().string();
  expect_same_training("table2_vsgrpo_v", grpo + " --grpo.loss_aggregation grpo", "grpo");
  expect_same_training("table2_vsgrpo_v", grpo + " --grpo.loss_aggregation bnpo", "bnpo");
  expect_same_training("table2_vsgrpo_v", grpo + " --grpo.loss_aggregation dr_grpo", "dr_grpo");
  // REINFORCE++ whitens over the whole batch: the two ranks' rewards and token counts are summed first.
  expect_same_training("reinforce_pp", grpo, "reinforce_pp");
  // Spatial-R1's per-type scales come from every rank's rewards (one broadcast per rank, summed in rank order). On the
  // tiny model the rewards are flat, so this checks that the ranks agree and nothing hangs, not the pooled scale
  // (that is Experiments.SpatialR1Scales..., over two micro-batches).
  expect_same_training("spatial_r1", grpo, "spatial_r1");
}

TEST(Distributed, DynamicSamplingKeepsTheGlobalLossShare) {
  // DAPO's filter leaves the ranks with different numbers of groups (one rank's question flat, the other's not).
  // Without extra rounds (grpo.max_resample_rounds 0) the groups kept are those one process keeps from the global
  // batch, so the two runs must train alike: a rank left with nothing contributes 0 to the global loss share, and a
  // step where no rank trains leaves AdamW's moments alone on every rank, as in one process.
  // Sampling at temperature 1 turns float-order differences (~1e-8) into another token now and then (seen once in
  // 8 steps: a tail token of one completion, same reward and length), after which the runs part. So steps are
  // compared up to the first whose gradient norm differs, and before it there must be steps with uneven ranks: with
  // a wrong loss share the first uneven step itself would differ. When every step agrees, so must the adapters
  // (which also checks the steps where no rank trained).
  const auto& base = test::warmed_counting_base();
  const std::string args = "--config " + (fs::path(VSR_SOURCE_DIR) / "configs" / "tiny_train.ini").string() +
                           " --model " + base.model.string() + " --tokenizer " + tiny("tokenizer").string() +
                           " --train " + base.questions.string() +
                           " --runtime.threads 1 --train.steps 10 --train.lr 2e-3 --train.checkpoint_every 0"
                           " --grpo.num_generations 4 --sampling.max_new_tokens 4";
  const auto single = test::temp_dir("dapo_single"), pair = test::temp_dir("dapo_pair");
  auto r = test::run_program(test::experiment("dapo"),
                             args + " --grpo.max_resample_rounds 0 --train.batch_size 2 --out " + single.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = launch(2, test::experiment("dapo"), args + " --grpo.max_resample_rounds 0 --train.batch_size 1 --out " + pair.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  int uneven = 0, matched = 0, idle = 0;  // idle: steps where no rank trained
  for (std::size_t step = 0; step < 10; ++step) {
    const double norm = metric(single, "grad_norm", step);
    if (std::abs(metric(pair, "grad_norm", step) - norm) > 1e-5 * norm + 1e-9) break;
    EXPECT_NEAR(metric(pair, "loss", step), metric(single, "loss", step), 1e-5 * (1 + std::abs(metric(single, "loss", step))))
        << "step " << step + 1;
    ++matched;
    const double trained = metric(single, "filter/trained_groups", step);
    uneven += trained == 1.0;
    idle += trained == 0.0;
  }
  std::printf("dapo: %d of 10 steps agree, %d of them with uneven ranks, %d with no rank training\n", matched, uneven,
              idle);
  EXPECT_GE(matched, 3);
  EXPECT_GT(uneven, 0) << "no step with uneven ranks agreed (a wrong loss share, or a vacuous test)";
  if (matched == 10) EXPECT_LT(adapter_difference(pair, single), 5e-5);
  // With extra rounds every rank samples as many rounds as the emptiest one needs: the job neither hangs nor
  // desynchronises its collectives.
  const auto rounds = test::temp_dir("dapo_rounds");
  r = launch(2, test::experiment("dapo"), args + " --grpo.max_resample_rounds 2 --train.batch_size 1 --out " + rounds.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(read_file(rounds / "run.json"))["status"], "finished");
}

TEST(Distributed, ResumeAtAnotherWorldSizeFailsClearly) {
  const auto out = test::temp_dir("distributed_resume");
  auto r = launch(2, test::experiment("table2_sft"), train_args(out) + " --train.steps 2");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = test::run_program(test::experiment("table2_sft"), train_args(out) + " --train.steps 4 --resume");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("world_size"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("2 processes"), std::string::npos) << r.err;
}

TEST(Distributed, TwoProcessEvaluationWritesTheSinglePredictions) {
  const std::string args = "eval --model " + tiny("model").string() + " --tokenizer " + tiny("tokenizer").string() +
                           " --records " + (dataset() / "train.jsonl").string() +
                           " --runtime.threads 1 --eval.limit 7 --eval.batch_size 2 --eval.max_new_tokens 6 --out ";
  const auto single = test::temp_dir("distributed_eval_single"), pair = test::temp_dir("distributed_eval_pair");
  auto r = test::run_cli(args + single.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = test::run_cli("launch --nproc 2 -- " + std::string(VSR_CLI_PATH) + " " + args + pair.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(read_file(pair / "predictions.jsonl"), read_file(single / "predictions.jsonl"));
  EXPECT_EQ(read_file(pair / "aggregate.json"), read_file(single / "aggregate.json"));
  EXPECT_FALSE(fs::exists(pair / "predictions.rank0.jsonl"));
  EXPECT_FALSE(fs::exists(pair / "predictions.rank1.jsonl"));
}

TEST(Distributed, LauncherStopsEveryoneWhenOneProcessFails) {
  // Rank 1 fails at once, rank 0 would sleep for a minute: the launcher returns rank 1's status promptly.
  const auto r = test::run_cli("launch --nproc 2 -- /bin/sh -c 'if [ \"$RANK\" = 1 ]; then exit 3; fi; sleep 60'");
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("stopping the other 1"), std::string::npos) << r.err;
  const auto bad = test::run_cli("launch --nproc 0 -- /bin/true");
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.err.find("nproc"), std::string::npos) << bad.err;
}

/// What became of a launch whose rank 1 hurt itself.
struct HitLaunch {
  test::CliResult result;
  bool hit = false;          ///< rank 1 ran the action (both ranks had reached the training loop)
  double after_hit_s = 0.0;  ///< seconds from the action to the launcher's exit
};

/// `vsr launch --nproc 2` of a long SFT run whose rank 1 runs `action` on itself (kill -9, kill -STOP) once rank 0
/// has written checkpoint 1 (both ranks are then in the training loop; no checkpoint is pruned, so the marker stays).
HitLaunch launch_and_hit_rank_1(const std::string& name, const std::string& action, const std::string& launcher_options,
                                const std::string& extra) {
  const auto out = test::temp_dir(name);
  const auto marker = out / "checkpoints" / "step-00000001" / "manifest.json", hit = out.parent_path() / (name + ".hit");
  // The watcher gives up after 2 minutes, so it never outlives a run that ended some other way.
  const std::string wrapper = "/bin/sh -c 'if [ \"$RANK\" = 1 ]; then (i=0; until [ -f " + marker.string() +
                              " ] || [ $i -ge 2400 ]; do sleep 0.05; i=$((i+1)); done; [ -f " + marker.string() +
                              " ] && date +%s.%N > " + hit.string() + " && " + action +
                              " $$) & fi; exec \"$0\" \"$@\"' ";
  HitLaunch out_result;
  out_result.result = test::run_cli("launch --nproc 2 " + launcher_options + " -- " + wrapper +
                                    test::experiment("table2_sft").string() + " " + train_args(out) +
                                    " --train.steps 100000 --train.checkpoint_every 1 --train.keep_checkpoints 1000000" +
                                    extra);
  const double end = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  if (fs::exists(hit)) {
    out_result.hit = true;
    out_result.after_hit_s = end - std::stod(read_file(hit));
  }
  return out_result;
}

TEST(Distributed, ADeadRankMakesTheOthersExitWithinTheTimeout) {
  // Rank 1 is killed mid-run. Rank 0 notices by itself (its next collective fails: the peer is gone), long before
  // the launcher's 60 s SIGKILL; the launcher names the dead rank.
  const auto run = launch_and_hit_rank_1("distributed_dead", "kill -9", "--stop-timeout 60", "");
  const auto& r = run.result;
  ASSERT_TRUE(run.hit) << r.err;
  EXPECT_EQ(r.exit_code, 137) << r.err;  // the first failure's status: killed by signal 9
  EXPECT_NE(r.err.find("vsr launch: rank 1 (pid "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("was killed by signal 9"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("rank 0 of 2: the collective failed: another rank died or did not answer"), std::string::npos)
      << r.err;
  EXPECT_LT(run.after_hit_s, 30.0) << r.err;  // the launcher's own SIGKILL would come at 60 s
  std::printf("dead rank: the job ended %.1f s after rank 1 was killed\n", run.after_hit_s);
}

TEST(Distributed, AHungRankMakesTheOthersExitAfterTheCollectiveTimeout) {
  // Rank 1 stops (SIGSTOP: alive, silent). Rank 0 gives up after runtime.collective_timeout_s = 4 s; the launcher
  // then stops rank 1 (SIGTERM, then SIGKILL after 2 s: a stopped process only dies to SIGKILL) and names it.
  const auto run =
      launch_and_hit_rank_1("distributed_hung", "kill -STOP", "--stop-timeout 2", " --runtime.collective_timeout_s 4");
  const auto& r = run.result;
  ASSERT_TRUE(run.hit) << r.err;
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("rank 0 of 2: the collective failed: another rank died or did not answer within "
                       "collective_timeout_s = 4 s"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("vsr launch: rank 0 (pid "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("vsr launch: rank 1 (pid "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("did not exit within 2 s of SIGTERM (hung?): killed"), std::string::npos) << r.err;
  EXPECT_GT(run.after_hit_s, 3.5) << r.err;  // not before the collective timeout
  EXPECT_LT(run.after_hit_s, 30.0) << r.err;
  std::printf("hung rank: the job ended %.1f s after rank 1 stopped\n", run.after_hit_s);
}

/// Sets environment variables for one scope.
struct ScopedEnv {
  std::vector<std::string> names;
  ScopedEnv(std::initializer_list<std::pair<const char*, const char*>> vars) {
    for (const auto& [k, v] : vars) {
      names.emplace_back(k);
      setenv(k, v, 1);
    }
  }
  ~ScopedEnv() {
    for (const auto& k : names) unsetenv(k.c_str());
  }
};

TEST(Distributed, EnvironmentIsParsedAndBadValuesNameTheVariable) {
  {
    const auto env = train::DistributedEnv::from_environment();
    EXPECT_EQ(env.world_size, 1);
    train::Distributed single;
    EXPECT_FALSE(single.active());
    EXPECT_EQ(single.all_reduce_sum(std::vector<double>{1.5, 2.0}), (std::vector<double>{1.5, 2.0}));
  }
  {
    ScopedEnv e{{"WORLD_SIZE", "4"}, {"RANK", "2"}, {"LOCAL_RANK", "0"}, {"MASTER_ADDR", "node7"}, {"MASTER_PORT", "29555"}};
    const auto env = train::DistributedEnv::from_environment();
    EXPECT_EQ(env.world_size, 4);
    EXPECT_EQ(env.rank, 2);
    EXPECT_EQ(env.local_rank, 0);
    EXPECT_EQ(env.master_addr, "node7");
    EXPECT_EQ(env.master_port, 29555);
  }
  const auto message = [](std::initializer_list<std::pair<const char*, const char*>> vars) -> std::string {
    ScopedEnv e(vars);
    try {
      train::DistributedEnv::from_environment();
    } catch (const Error& error) {
      return error.what();
    }
    return "no error";
  };
  EXPECT_NE(message({{"WORLD_SIZE", "two"}}).find("WORLD_SIZE"), std::string::npos);
  EXPECT_NE(message({{"WORLD_SIZE", "2"}, {"RANK", "2"}, {"MASTER_ADDR", "h"}, {"MASTER_PORT", "1"}}).find("RANK"),
            std::string::npos);
  EXPECT_NE(message({{"WORLD_SIZE", "2"}, {"RANK", "0"}, {"MASTER_PORT", "29500"}}).find("MASTER_ADDR"),
            std::string::npos);
  EXPECT_NE(message({{"WORLD_SIZE", "2"}, {"RANK", "0"}, {"MASTER_ADDR", "h"}, {"MASTER_PORT", "70000"}}).find("MASTER_PORT"),
            std::string::npos);
}

TEST(Distributed, RendezvousTimesOutWithAClearError) {
  // Rank 1 of 2 whose rank 0 never comes: the store connection gives up after the timeout.
  train::DistributedEnv env;
  env.world_size = 2;
  env.rank = 1;
  env.master_port = 1;  // nothing listens on port 1
  try {
    train::Distributed dist(env, "cpu", std::chrono::milliseconds(1500));
    ADD_FAILURE() << "expected a rendezvous error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("<distributed>"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace vsr
