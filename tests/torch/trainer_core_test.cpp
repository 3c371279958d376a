// The trainer's compiled parts against hand-computed values: AdamW, gradient clipping, the learning-rate schedule,
// checkpoints (round trip, atomic folders, pruning), the sample encoder's teacher-forcing rows, and a recipe's reward
// options.
#include "vsr/core/error.hpp"
#include "vsr/io/checkpoint_manifest.hpp"
#include "vsr/experiment.hpp"
#include "vsr/prompt/vanilla.hpp"
#include "vsr/reward/mra.hpp"
#include "vsr/model/sample_encoder.hpp"
#include "vsr/model/sampler.hpp"
#include "vsr/train/adamw.hpp"
#include "vsr/train/checkpoint.hpp"
#include "vsr/train/lora.hpp"
#include "vsr/train/options.hpp"
#include "vsr/train/session.hpp"
#include "vsr/train/sft_step.hpp"
#include "vsr/model/qwen2vl.hpp"
#include "vsr/runtime/runtime.hpp"
#include "vsr/core/run_dir.hpp"
#include "vsr/core/config.hpp"

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include "model_support.hpp"
#include "test_support.hpp"

namespace vsr::train {
namespace {

at::Tensor scalar_param(double v) { return at::full({1}, v, at::kDouble).requires_grad_(true); }

TEST(AdamW, TwoStepsMatchHandComputedUpdates) {
  at::Tensor p = scalar_param(1.0);
  AdamW opt({p}, AdamWSettings{0.9, 0.999, 1e-8, 0.01});
  // Step 1: p = 1 * (1 - 0.1 * 0.01) = 0.999; m_hat = 0.5, v_hat = 0.25 -> p -= 0.1 * 0.5 / (0.5 + 1e-8).
  p.mutable_grad() = at::full({1}, 0.5, at::kDouble);
  opt.step(0.1);
  EXPECT_NEAR(p.item<double>(), 0.999 - 0.1 * 0.5 / (0.5 + 1e-8), 1e-12);
  // Step 2 (same gradient): m = 0.095, bias 0.19 -> 0.5; v = 0.00049975, bias 0.001999 -> 0.25.
  const double before = p.item<double>();
  p.mutable_grad() = at::full({1}, 0.5, at::kDouble);
  opt.step(0.1);
  EXPECT_NEAR(p.item<double>(), before * 0.999 - 0.1 * 0.5 / (0.5 + 1e-8), 1e-12);
  EXPECT_EQ(opt.steps(), 2);
  opt.zero_grad();
  EXPECT_FALSE(p.grad().defined());
}

TEST(AdamW, SavedStateContinuesBitForBit) {
  const auto dir = test::temp_dir("adamw_state");
  at::Tensor a = at::randn({3, 4}).requires_grad_(true), b = a.detach().clone().requires_grad_(true);
  AdamW first({a}, {}), second({b}, {});
  const at::Tensor g1 = at::randn({3, 4}), g2 = at::randn({3, 4});
  a.mutable_grad() = g1.clone();
  first.step(1e-2);
  first.save(dir / "opt.safetensors");
  {
    at::NoGradGuard no_grad;
    b.copy_(a);
  }
  second.load(dir / "opt.safetensors");
  a.mutable_grad() = g2.clone();
  b.mutable_grad() = g2.clone();
  first.step(1e-2);
  second.step(1e-2);
  EXPECT_TRUE(at::equal(a, b));
  EXPECT_EQ(second.steps(), 2);
  AdamW wrong({at::zeros({2}).requires_grad_(true)}, {});
  EXPECT_THROW(wrong.load(dir / "opt.safetensors"), Error);
}

TEST(Gradients, ClipScalesToMaxNormAndLeavesNonFiniteAlone) {
  at::Tensor p = at::zeros({2}, at::kDouble).requires_grad_(true), q = at::zeros({1}, at::kDouble).requires_grad_(true);
  p.mutable_grad() = at::tensor({3.0, 0.0}, at::kDouble);
  q.mutable_grad() = at::tensor({4.0}, at::kDouble);
  EXPECT_DOUBLE_EQ(clip_gradient_norm({p, q}, 1.0), 5.0);
  EXPECT_NEAR(p.grad()[0].item<double>(), 3.0 / (5.0 + 1e-6), 1e-12);
  EXPECT_NEAR(q.grad()[0].item<double>(), 4.0 / (5.0 + 1e-6), 1e-12);
  q.mutable_grad() = at::tensor({std::nan("")}, at::kDouble);
  EXPECT_TRUE(std::isnan(clip_gradient_norm({p, q}, 1.0)));
  EXPECT_NEAR(p.grad()[0].item<double>(), 3.0 / (5.0 + 1e-6), 1e-12);  // untouched
}

TEST(Schedule, WarmupThenCosineLinearOrConstant) {
  TrainOptions o;
  o.lr = 1.0;
  o.steps = 10;
  o.warmup_steps = 2;
  o.schedule = "cosine";
  EXPECT_DOUBLE_EQ(learning_rate(o, 0), 0.5);
  EXPECT_DOUBLE_EQ(learning_rate(o, 1), 1.0);
  EXPECT_DOUBLE_EQ(learning_rate(o, 2), 1.0);
  EXPECT_NEAR(learning_rate(o, 6), 0.5, 1e-12);
  EXPECT_NEAR(learning_rate(o, 10), 0.0, 1e-12);
  o.min_lr_ratio = 0.1;
  EXPECT_NEAR(learning_rate(o, 10), 0.1, 1e-12);
  o.schedule = "linear";
  o.min_lr_ratio = 0.0;
  EXPECT_NEAR(learning_rate(o, 4), 0.75, 1e-12);
  o.schedule = "constant";
  EXPECT_DOUBLE_EQ(learning_rate(o, 9), 1.0);
  o.schedule = "exponential";
  EXPECT_THROW(o.validate(), Error);
}

TEST(Checkpoint, RoundTripPruneAndCrashLeftovers) {
  const auto run = test::temp_dir("checkpoint_run");
  auto model = model::Qwen2VL::from_pretrained(test::tiny_dir() / "model");
  LoraOptions lo;
  lo.rank = 2;
  auto adapters = LoraAdapters::create(model, lo);
  AdamW opt(adapters.parameters(), {});
  for (auto& p : adapters.parameters()) p.mutable_grad() = at::ones_like(p);
  opt.step(1e-3);
  at::Generator gen = model::make_generator(5, at::kCPU);
  TrainState state;
  for (std::int64_t step : {1, 2, 3}) {
    state.step = step;
    state.data = {0, step * 2};
    state.extra["early_stop"] = {{"best", 0.5}};
    save_checkpoint(run, adapters, opt, state, {&gen, true}, 2, "[train]\nlr = 0.001\n");
  }
  std::filesystem::create_directories(run / "checkpoints" / ".tmp-step-00000004");  // a crash mid-write
  const auto latest = latest_checkpoint(run);
  ASSERT_TRUE(latest);
  EXPECT_EQ(latest->filename(), "step-00000003");
  EXPECT_FALSE(std::filesystem::exists(run / "checkpoints" / ".tmp-step-00000004"));
  EXPECT_FALSE(std::filesystem::exists(run / "checkpoints" / "step-00000001"));  // pruned to 2
  EXPECT_TRUE(std::filesystem::exists(run / "checkpoints" / "step-00000002"));
  // The manifest lists every file with its hash; the configuration is kept beside it.
  EXPECT_EQ(io::verify_folder(*latest), std::nullopt);
  const auto manifest = io::read_manifest(*latest);
  EXPECT_EQ(manifest.step, 3);
  std::vector<std::string> listed;
  for (const auto& f : manifest.files) listed.push_back(f.path);
  EXPECT_EQ(listed, (std::vector<std::string>{"adapter_config.json", "adapter_model.safetensors", "config.ini",
                                              "optimizer.safetensors", "rng.safetensors", "trainer_state.json"}));
  EXPECT_EQ(read_file(*latest / "config.ini"), "[train]\nlr = 0.001\n");
  const auto point = choose_resume_checkpoint(run, "[train]\nlr = 0.001\n", false);
  ASSERT_TRUE(point);
  EXPECT_EQ(point->checkpoint, *latest);
  EXPECT_TRUE(point->warnings.empty());
  EXPECT_THROW(choose_resume_checkpoint(run, "[train]\nlr = 0.002\n", false), Error);
  EXPECT_EQ(choose_resume_checkpoint(run, "[train]\nlr = 0.002\n", true)->warnings.size(), 1u);
  // A checkpoint of an older vsr (no manifest) is taken unverified, with a warning saying so.
  std::filesystem::remove(*latest / "manifest.json");
  const auto legacy = choose_resume_checkpoint(run, "[train]\nlr = 0.002\n", false);
  ASSERT_TRUE(legacy);
  EXPECT_EQ(legacy->checkpoint, *latest);
  ASSERT_EQ(legacy->warnings.size(), 1u);
  EXPECT_NE(legacy->warnings[0].find("has no manifest.json (written by an older vsr): resuming from it unverified"),
            std::string::npos);
  const at::Tensor expected_draw = at::rand({4}, gen);

  auto model2 = model::Qwen2VL::from_pretrained(test::tiny_dir() / "model");
  auto adapters2 = LoraAdapters::create(model2, lo);
  AdamW opt2(adapters2.parameters(), {});
  at::Generator gen2 = model::make_generator(99, at::kCPU);
  const auto back = load_checkpoint(*latest, adapters2, opt2, {&gen2, true});
  EXPECT_EQ(back.step, 3);
  EXPECT_EQ(back.data.offset, 6);
  EXPECT_EQ(back.extra["early_stop"]["best"].get<double>(), 0.5);
  EXPECT_EQ(opt2.steps(), 1);
  for (std::size_t i = 0; i < adapters.parameters().size(); ++i)
    EXPECT_TRUE(at::equal(adapters.parameters()[i], adapters2.parameters()[i]));
  EXPECT_TRUE(at::equal(at::rand({4}, gen2), expected_draw));
}

TEST(SampleEncoder, CompletionRowsAreRightPaddedWithMaskOnCompletions) {
  const auto tok = text::Tokenizer::from_dir(test::tiny_dir() / "tokenizer");
  auto model = model::Qwen2VL::from_pretrained(test::tiny_dir() / "model");
  model::SampleEncoder enc(tok, vision::ProcessorOptions{}, model.config());
  model::MultimodalInputs prompt;
  prompt.input_ids = at::tensor(std::vector<std::int64_t>{10, 11, 12}, at::kLong).view({1, 3});
  prompt.attention_mask = at::ones({1, 3}, at::kLong);
  const std::vector<std::vector<std::int64_t>> completions{{20, 21}, {30}, {}};
  const auto batch = enc.with_completions(prompt, completions);
  const std::int64_t pad = enc.pad_id();
  EXPECT_TRUE(at::equal(batch.inputs.input_ids,
                        at::tensor(std::vector<std::int64_t>{10, 11, 12, 20, 21, 10, 11, 12, 30, pad, 10, 11, 12, pad, pad}, at::kLong).view({3, 5})));
  EXPECT_TRUE(at::equal(batch.inputs.attention_mask,
                        at::tensor(std::vector<std::int64_t>{1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 0, 0}, at::kLong).view({3, 5})));
  EXPECT_TRUE(at::equal(batch.mask, at::tensor(std::vector<float>{0, 0, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0}, at::kFloat).view({3, 5})));
  const auto ids = enc.answer_ids("3");
  EXPECT_EQ(ids.back(), *tok.token_to_id("<|im_end|>"));
  EXPECT_EQ(enc.decode(ids), "3");
  model::VideoOptions odd;
  odd.frames = 3;
  EXPECT_THROW(model::SampleEncoder(tok, vision::ProcessorOptions{}, model.config(), odd), Error);
}

}  // namespace
}  // namespace vsr::train

namespace vsr::model {
namespace {

TEST(Sampler, SuppressedIdsAreNeverSampled) {
  // Token 2 dominates the logits but is suppressed (as the trainer suppresses vision placeholders in rollouts).
  const at::Tensor logits = at::tensor(std::vector<float>{0.0f, 1.0f, 50.0f, 1.0f}).view({1, 4}).repeat({64, 1});
  SamplingOptions o;
  o.max_new_tokens = 3;
  o.suppress_ids = {2};
  o.pad_id = 0;
  auto gen = make_generator(1, at::kCPU);
  const auto out = generate_tokens(logits, [&](const at::Tensor&) { return logits; }, o, gen);
  EXPECT_FALSE(out.tokens.eq(2).any().item<bool>());
  o.suppress_ids.clear();
  o.temperature = 0.0;
  EXPECT_TRUE(generate_tokens(logits, [&](const at::Tensor&) { return logits; }, o, gen).tokens.eq(2).all().item<bool>());
}

}  // namespace
}  // namespace vsr::model

namespace vsr::train {
namespace {

/// One synthetic scene's questions in `dir` and the arguments of a run on the tiny model writing `dir`/run.
void tiny_run(const std::filesystem::path& dir, RunArguments& args) {
  auto r = test::run_cli("data synth --scenes 1 --seed 2 --out " + (dir / "scenes").string() +
                         " --synth.width 56 --synth.height 42 --synth.seconds_per_turn 1");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = test::run_cli("data build --scannet " + (dir / "scenes").string() + " --out " + (dir / "q.jsonl").string() +
                    " --data.dataset synthetic --data.video_root " + (dir / "scenes" / "videos").string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  args.model = (test::tiny_dir() / "model").string();
  args.tokenizer = (test::tiny_dir() / "tokenizer").string();
  args.train = (dir / "q.jsonl").string();
  args.out = (dir / "run").string();
}

TEST(Session, NonFiniteLossOrGradientSkipsTheUpdate) {
  const auto dir = test::temp_dir("session_nan");
  RunArguments args;
  ASSERT_NO_FATAL_FAILURE(tiny_run(dir, args));
  RuntimeOptions runtime;
  runtime.threads = 2;
  TrainOptions train;
  train.steps = 3;
  train.lr = 0.1;
  LoraOptions lora;
  lora.rank = 2;
  model::VideoOptions video;
  video.frames = 2;
  Config cfg("test");
  Session s(args, runtime, train, lora, video, vision::ProcessorOptions{}, model::SamplingOptions{}, cfg, {});
  std::vector<at::Tensor> before;
  for (const auto& p : s.adapters().parameters()) before.push_back(p.detach().clone());
  auto unchanged = [&] {
    for (std::size_t i = 0; i < before.size(); ++i)
      if (!at::equal(before[i], s.adapters().parameters()[i])) return false;
    return true;
  };
  for (auto& p : s.adapters().parameters()) p.mutable_grad() = at::full_like(p, std::nan(""));
  auto out = s.update(true);
  EXPECT_TRUE(out.skipped);
  EXPECT_TRUE(std::isnan(out.grad_norm));
  EXPECT_TRUE(unchanged());
  for (auto& p : s.adapters().parameters()) p.mutable_grad() = at::ones_like(p);
  out = s.update(false);  // the step's loss was not finite
  EXPECT_TRUE(out.skipped);
  EXPECT_TRUE(unchanged());
  for (auto& p : s.adapters().parameters()) p.mutable_grad() = at::ones_like(p);
  out = s.update(true);
  EXPECT_FALSE(out.skipped);
  EXPECT_FALSE(unchanged());
  EXPECT_EQ(s.step(), 3);
  EXPECT_NE(read_file(dir / "run" / "log.txt").find("step 1 skipped"), std::string::npos);
  EXPECT_NE(read_file(dir / "run" / "log.txt").find("step 2 skipped"), std::string::npos);
}

TEST(Session, FullWeightsTrainTheVisionTowerAndWriteTheMergedModel) {
  const auto dir = test::temp_dir("session_full_weights");
  RunArguments args;
  ASSERT_NO_FATAL_FAILURE(tiny_run(dir, args));
  RuntimeOptions runtime;
  runtime.threads = 1;
  TrainOptions train;
  train.steps = 2;
  train.lr = 1e-2;
  train.checkpoint_every = 0;
  train.full_weights = true;
  LoraOptions lora;
  lora.rank = 2;
  model::VideoOptions video;
  video.frames = 2;
  Config cfg("test");
  {
    Session s(args, runtime, train, lora, video, vision::ProcessorOptions{}, model::SamplingOptions{}, cfg, {});
    SftSteps<prompt::Vanilla> steps;
    for (int i = 0; i < 2; ++i) EXPECT_EQ(steps.step(s, algo::Sft{}, prompt::Vanilla{}).get("skipped"), 0.0);
    s.finish();
  }
  // Every kind of base weight moved: the vision patch embedding, a vision block, the embeddings, a final norm.
  auto trained = model::Qwen2VL::from_pretrained(dir / "run" / "model");
  auto base_copy = model::Qwen2VL::from_pretrained(args.model);
  std::map<std::string, at::Tensor> before;
  for (auto& [name, t] : base_copy.named_parameters()) before[name] = *t;
  int changed = 0, total = 0;
  for (auto& [name, t] : trained.named_parameters()) {
    ++total;
    ASSERT_TRUE(before.count(name)) << name;
    if (!at::equal(*t, before[name])) ++changed;
  }
  EXPECT_EQ(changed, total);
  // Resuming such a run is refused (checkpoints hold adapters only), and so are periodic checkpoints.
  args.resume = true;
  EXPECT_THROW(Session(args, runtime, train, lora, video, vision::ProcessorOptions{}, model::SamplingOptions{}, cfg,
                       {}),
               vsr::Error);
  train.checkpoint_every = 1;
  EXPECT_THROW(train.validate(), vsr::Error);
}

TEST(Recipe, RewardOptionsAreDeclaredOnceAndCheckedWhenApplied) {
  // Accuracy and Mra share [reward] answer_rule: one key sets both (declaring it twice would make it ambiguous).
  using Recipe = Experiment<algo::Grpo, prompt::Vanilla, reward::Sum<reward::Accuracy, reward::Mra>>;
  Recipe recipe;
  Config cfg("t");
  recipe.add_options(cfg);
  EXPECT_EQ(std::get<0>(recipe.reward.parts).options.rule(), eval::AnswerRule::kBenchmark);
  cfg.parse_ini("[reward]\nanswer_rule = lenient\nmra_weight = 0.5\n", "t.ini");
  recipe.apply();
  EXPECT_EQ(std::get<0>(recipe.reward.parts).options.rule(), eval::AnswerRule::kLenient);
  EXPECT_EQ(std::get<1>(recipe.reward.parts).options.rule(), eval::AnswerRule::kLenient);
  EXPECT_EQ(recipe.reward.weights[1], 0.5);

  Recipe bad;
  Config bad_cfg("t");
  bad.add_options(bad_cfg);
  bad_cfg.parse_ini("[reward]\nanswer_rule = first_number\n", "t.ini");
  try {
    bad.apply();
    ADD_FAILURE() << "no error for answer_rule = first_number";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("reward.answer_rule"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace vsr::train
