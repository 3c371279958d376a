// The algorithms' step logic on the fake trainer core (fake_session.hpp), in milliseconds: one GRPO step on
// scripted rollouts moves the logits by the gradient computed by hand; every GRPO-family recipe and SFT learn the toy
// task; DAPO's dynamic sampling drops a flat group and samples another question.
#include "fake_session.hpp"

#include "vsr/algo/grpo.hpp"
#include "vsr/algo/sft.hpp"
#include "vsr/algo/variants.hpp"
#include "vsr/kl/in_reward.hpp"
#include "vsr/kl/k1.hpp"
#include "vsr/kl/k3.hpp"
#include "vsr/kl/none.hpp"
#include "vsr/prompt/vanilla.hpp"
#include "vsr/reward/accuracy.hpp"
#include "vsr/reward/sum.hpp"
#include "vsr/train/grpo_step.hpp"
#include "vsr/train/sft_step.hpp"

#include <gtest/gtest.h>

#include "test_support.hpp"

namespace vsr {
namespace {

using Reward = reward::Sum<reward::Accuracy>;

/// Toy questions: answer the digit `truths[i]` (a text answer, scored by exact match).
std::vector<data::Sample> digits(const std::vector<std::string>& truths) {
  std::vector<data::Sample> out;
  for (std::size_t i = 0; i < truths.size(); ++i) {
    data::Sample s;
    s.id = "q" + std::to_string(i);
    s.question_type = "digit";
    s.answer_type = "text";
    s.question = "Which digit?";
    s.ground_truth = truths[i];
    out.push_back(s);
  }
  return out;
}

Reward accuracy() {
  Reward r;
  r.weights = {1.0};
  return r;
}

// Vocabulary "0", "1", stop (token 2), two positions; uniform logits p = (1/3, 1/3, 1/3); G = 4 scripted completions
// of the question "1": [1, stop] -> "1" (reward 1), [0, stop] -> "0", [1, 1] -> "11" (truncated), [stop] -> ""
// (rewards 0). Advantages: mean 0.25, unbiased std 0.5, A = (r - 0.25) / (0.5 + 1e-4) = (3c, -c, -c, -c) with
// c = 0.25 / 0.5001. At mu = 1 the ratio is 1, so the per-sequence-mean loss has gradient
//   -(1/4) sum_i A_i (1/|o_i|) sum_t (e_{o_it} - p)   on the logits of position t.
// Position 0: -(1/4) [3c/2 (e1 - p) - c/2 (e0 - p) - c/2 (e1 - p) - c (e2 - p)] = -(1/4) c (-1/3, 7/6, -5/6).
// Position 1: -(1/4) [3c/2 (e2 - p) - c/2 (e2 - p) - c/2 (e1 - p)]             = -(1/4) c (-1/6, -2/3, 5/6).
// SGD at lr 1 moves theta by minus these: c (-1/12, 7/24, -5/24) and c (-1/24, -1/6, 5/24).
TEST(FakeSession, OneGrpoStepMovesTheLogitsByTheHandComputedGradient) {
  test::FakeSession s(digits({"1"}), 3, 2, /*lr=*/1.0, /*batch=*/1, /*accum=*/1, 7, test::temp_dir("fake_grpo"));
  s.script_next_rollout({{1, 2}, {0, 2}, {1, 1}, {2}});
  algo::Grpo grpo;
  grpo.options.num_generations = 4;
  train::GrpoSteps<algo::Grpo, prompt::Vanilla, Reward, kl::None> steps;
  const auto stats = steps.step(s, grpo, prompt::Vanilla{}, accuracy(), kl::None{});
  const double c = 0.25 / 0.5001;
  const at::Tensor theta = s.logits()[0];
  const double expected[2][3] = {{-c / 12, 7 * c / 24, -5 * c / 24}, {-c / 24, -c / 6, 5 * c / 24}};
  for (int t = 0; t < 2; ++t)
    for (int v = 0; v < 3; ++v) EXPECT_NEAR(theta[t][v].item<double>(), expected[t][v], 1e-6) << t << " " << v;
  EXPECT_DOUBLE_EQ(stats.get("reward/total_mean"), 0.25);
  EXPECT_NEAR(stats.get("loss"), 0.0, 1e-6);  // ratio 1: the loss is -mean(A) = 0
  EXPECT_EQ(s.step(), 1);
}

// The KL in the reward (kl::InReward<K1>, beta 0.1): the reference is the uniform start, the policy puts logits
// (ln 2, 0, 0) on position 0 (p = 1/2, 1/4, 1/4) and stays uniform at position 1. Summed k1 = log p - log p_ref per
// completion: [1, stop] ln(3/4), [0, stop] ln(3/2), [1, 1] ln(3/4), [stop] ln(3/4); the penalty's mean is
// 0.1 (3 ln(3/4) + ln(3/2)) / 4. Rewards (1, 0, 0, 0) minus the penalties give the advantages; the loss has no KL.
TEST(FakeSession, KlInTheRewardSubtractsTheHandComputedPenalty) {
  test::FakeSession s(digits({"1"}), 3, 2, /*lr=*/1.0, 1, 1, 7, test::temp_dir("fake_kl_reward"));
  at::Tensor theta = at::zeros({1, 2, 3}, at::kDouble);
  theta[0][0][0] = std::log(2.0);
  s.set_logits(theta);
  s.script_next_rollout({{1, 2}, {0, 2}, {1, 1}, {2}});
  algo::Grpo grpo;
  grpo.options.num_generations = 4;
  kl::InReward<kl::K1> kl;
  kl.options.beta = 0.1;
  train::GrpoSteps<algo::Grpo, prompt::Vanilla, Reward, kl::InReward<kl::K1>> steps;
  const auto stats = steps.step(s, grpo, prompt::Vanilla{}, accuracy(), kl);
  const double penalty[4] = {0.1 * std::log(0.75), 0.1 * std::log(1.5), 0.1 * std::log(0.75), 0.1 * std::log(0.75)};
  EXPECT_NEAR(stats.get("kl_penalty_mean"), (penalty[0] + penalty[1] + penalty[2] + penalty[3]) / 4.0, 1e-6);
  EXPECT_DOUBLE_EQ(stats.get("reward/total_mean"), 0.25);  // the logged reward is before the penalty
  EXPECT_NEAR(stats.get("loss"), 0.0, 1e-6);               // ratio 1, advantages summing to 0, no KL term
}

template <class A>
double learned(const char* name) {
  test::FakeSession s(digits({"0", "1", "2", "1"}), 4, 2, /*lr=*/0.5, /*batch=*/2, /*accum=*/1, 11,
                      test::temp_dir(std::string("fake_learn_") + name));
  A algo;
  algo.options.num_generations = 8;
  train::GrpoSteps<A, prompt::Vanilla, Reward, kl::None> steps;
  for (int i = 0; i < 400; ++i) (void)steps.step(s, algo, prompt::Vanilla{}, accuracy(), kl::None{});
  double p = 0.0;
  for (std::int64_t q = 0; q < 4; ++q) p += s.p_correct(q) / 4.0;
  return p;
}

// From uniform logits, P(digit then stop) = 1/16; every recipe of the GRPO family must learn the four answers within
// 400 steps of about a millisecond each (measured: 0.78 for Dr. GRPO, whose unscaled advantages move slowest, to
// 0.99 for DAPO).
TEST(FakeSession, EveryGrpoFamilyRecipeLearnsTheToyTask) {
  EXPECT_GT(learned<algo::Grpo>("grpo"), 0.5);
  EXPECT_GT(learned<algo::Dapo>("dapo"), 0.5);
  EXPECT_GT(learned<algo::DrGrpo>("dr_grpo"), 0.5);
  EXPECT_GT(learned<algo::Gspo>("gspo"), 0.5);
  EXPECT_GT(learned<algo::Cispo>("cispo"), 0.5);
  EXPECT_GT(learned<algo::Rloo>("rloo"), 0.5);
  EXPECT_GT(learned<algo::ReinforcePp>("reinforce_pp"), 0.5);
  EXPECT_GT(learned<algo::VsGrpoEq1>("vsgrpo_eq1"), 0.5);
  EXPECT_GT(learned<algo::SpatialR1>("spatial_r1"), 0.5);
}

TEST(FakeSession, SftLearnsTheAnswers) {
  test::FakeSession s(digits({"0", "1", "2", "1"}), 4, 2, 0.5, 2, 1, 3, test::temp_dir("fake_sft"));
  algo::Sft sft;
  train::SftSteps<prompt::Vanilla> steps;
  for (int i = 0; i < 300; ++i) (void)steps.step(s, sft, prompt::Vanilla{});
  for (std::int64_t q = 0; q < 4; ++q) EXPECT_GT(s.p_correct(q), 0.8) << q;
}

// Question 0's logits make it answer "1" forever (never the stop token): all 8 rollouts score 0, a flat group. DAPO's
// filter drops it and takes question 1 in an extra round, whose logits give "1" or stop first with probability 1/2
// each (rewards 1 for "1" then stop, else 0: with this seed they differ, so the group is kept).
TEST(FakeSession, DynamicSamplingDropsAFlatGroupAndSamplesAnotherQuestion) {
  test::FakeSession s(digits({"0", "1"}), 4, 2, 0.1, 1, 1, 5, test::temp_dir("fake_dapo"));
  at::Tensor theta = at::zeros({2, 2, 4}, at::kDouble);  // [question, position, token]
  theta[0].select(1, 1).fill_(50.0);
  theta[1].select(1, 0).fill_(-50.0);
  theta[1].select(1, 2).fill_(-50.0);
  s.set_logits(theta);
  algo::Dapo dapo;
  dapo.options.num_generations = 8;
  train::GrpoSteps<algo::Dapo, prompt::Vanilla, Reward, kl::None> steps;
  const auto stats = steps.step(s, dapo, prompt::Vanilla{}, accuracy(), kl::None{});
  EXPECT_EQ(stats.get("filter/dropped_groups"), 1.0);
  EXPECT_EQ(stats.get("filter/extra_rounds"), 1.0);
  EXPECT_EQ(stats.get("filter/trained_groups"), 1.0);
  EXPECT_TRUE(at::equal(s.logits()[0], theta[0]));  // the dropped question's logits did not move
}

}  // namespace
}  // namespace vsr
