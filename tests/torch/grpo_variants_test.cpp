// Tests of the GRPO family's parts against hand-computed values: advantage estimators (group norm, group centred,
// leave-one-out, batch norm), importance-ratio levels (token, GSPO's sequence mean, vsGRPO eq. 1's sequence sum)
// with their gradients, clip-higher, dual clip, CISPO, and the variants' composition and settings.
#include "vsr/algo/variants.hpp"
#include "vsr/core/config.hpp"
#include "vsr/core/error.hpp"
#include "vsr/kl/none.hpp"

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

using namespace vsr;

static_assert(Algorithm<algo::Dapo> && Algorithm<algo::Gspo> && Algorithm<algo::Cispo> && Algorithm<algo::Rloo> &&
              Algorithm<algo::ReinforcePp> && Algorithm<algo::DrGrpo> && Algorithm<algo::VsGrpoEq1>);

namespace {

at::Tensor d(std::initializer_list<double> v) { return at::tensor(std::vector<double>(v), at::kDouble); }
double at_(const at::Tensor& t, std::int64_t i) { return t.reshape({-1})[i].item<double>(); }

/// One sequence of two tokens whose log-ratios to the rollout policy are +0.2 and -0.1; l = [log 0.5, log 0.25].
struct TwoTokens {
  at::Tensor logp = at::log(d({0.5, 0.25})).unsqueeze(0).requires_grad_(true);
  at::Tensor old = (at::log(d({0.5, 0.25})) - d({0.2, -0.1})).unsqueeze(0);
  at::Tensor mask = at::ones({1, 2}, at::kDouble);
  algo::GrpoBatch batch(double advantage) { return {logp, old, {}, d({advantage}), mask}; }
};

/// The loss of `batch` under `settings`, and the gradient with respect to the log-probs.
std::pair<double, at::Tensor> loss_and_grad(TwoTokens& t, double advantage, const algo::GrpoLossSettings& settings) {
  if (t.logp.grad().defined()) t.logp.mutable_grad().zero_();
  const auto out = algo::grpo_loss(t.batch(advantage), {}, settings);
  out.loss.backward();
  return {out.loss.item<double>(), t.logp.grad().clone()};
}

}  // namespace

TEST(GrpoVariants, AdvantageEstimatorsHandValues) {
  const at::Tensor r = d({1, 0, 0, 1, 2, 2, 2, 2});
  const auto centred = algo::estimate_advantages(r, 4, algo::AdvantageEstimator::GroupCentred);
  EXPECT_DOUBLE_EQ(at_(centred.advantages, 0), 0.5);
  EXPECT_DOUBLE_EQ(at_(centred.advantages, 1), -0.5);
  EXPECT_DOUBLE_EQ(at_(centred.advantages, 4), 0.0);
  // RLOO: r_i minus the mean of the other three: 1 - 1/3, 0 - 2/3.
  const auto loo = algo::estimate_advantages(r, 4, algo::AdvantageEstimator::LeaveOneOut);
  EXPECT_NEAR(at_(loo.advantages, 0), 2.0 / 3.0, 1e-15);
  EXPECT_NEAR(at_(loo.advantages, 1), -2.0 / 3.0, 1e-15);
  EXPECT_DOUBLE_EQ(at_(loo.advantages, 7), 0.0);
  // REINFORCE++: over the batch, mean 10/8 = 1.25, unbiased variance 5.5/7 (+ 1e-8 under the root, as verl's
  // masked_whiten); the flat second group is no longer 0.
  const auto batch = algo::estimate_advantages(r, 4, algo::AdvantageEstimator::BatchNorm);
  const double std = std::sqrt(5.5 / 7.0 + 1e-8);
  EXPECT_NEAR(at_(batch.advantages, 0), -0.25 / std, 1e-15);
  EXPECT_NEAR(at_(batch.advantages, 1), -1.25 / std, 1e-15);
  EXPECT_NEAR(at_(batch.advantages, 4), 0.75 / std, 1e-15);
  // Weighted by tokens: the first completion has 2 tokens, the rest 1; mean 11/9, variance 25/36 over 9 tokens.
  const auto tokens = algo::estimate_advantages(r, 4, algo::AdvantageEstimator::BatchNorm, 1e-4,
                                                d({2, 1, 1, 1, 1, 1, 1, 1}));
  EXPECT_NEAR(at_(tokens.advantages, 0), (1.0 - 11.0 / 9.0) / std::sqrt(25.0 / 36.0 + 1e-8), 1e-15);
  EXPECT_NEAR(at_(tokens.advantages, 1), (0.0 - 11.0 / 9.0) / std::sqrt(25.0 / 36.0 + 1e-8), 1e-15);
  EXPECT_THROW(algo::estimate_advantages(r, 4, algo::AdvantageEstimator::BatchNorm, 1e-4, d({1, 2})), Error);
  // Whitening one half of the batch with the moments of both halves (two micro-batches or ranks) equals whitening
  // the whole batch.
  const at::Tensor w = d({2, 1, 1, 1, 1, 1, 1, 1});
  const auto first = algo::batch_moments(r.slice(0, 0, 4), w.slice(0, 0, 4));
  const auto second = algo::batch_moments(r.slice(0, 4, 8), w.slice(0, 4, 8));
  const algo::BatchMoments both{first.count + second.count, first.sum + second.sum, first.sum_sq + second.sum_sq};
  const auto half = algo::estimate_advantages(r.slice(0, 4, 8), 4, algo::AdvantageEstimator::BatchNorm, 1e-4,
                                              w.slice(0, 4, 8), &both);
  EXPECT_NEAR(at_(half.advantages, 0), at_(tokens.advantages, 4), 1e-12);
  // Every estimator reports the same group statistics.
  EXPECT_DOUBLE_EQ(batch.zero_std_fraction, 0.5);
  EXPECT_DOUBLE_EQ(loo.reward_mean, 1.25);
  // GroupNorm is group_advantages with the std.
  const auto norm = algo::estimate_advantages(r, 4, algo::AdvantageEstimator::GroupNorm);
  EXPECT_TRUE(at::equal(norm.advantages, algo::group_advantages(r, 4).advantages));
  EXPECT_THROW(algo::estimate_advantages(d({1, 2, 3}), 2, algo::AdvantageEstimator::LeaveOneOut), Error);
  // Spatial-R1's task norm: group-centred, divided by each row's question-type scale + eps. Groups {1, 0, 0, 1} and
  // {2, 2, 3, 3} centred are {.5, -.5, -.5, .5} and {-.5, -.5, .5, .5}; per-row scales 0.5, 0.5, 0.5, 0.5 and 0.2,
  // 0.2, 0.8, 0.8 (two question types in the second group).
  const auto task = algo::estimate_advantages(d({1, 0, 0, 1, 2, 2, 3, 3}), 4, algo::AdvantageEstimator::TaskNorm, 1e-4,
                                              {}, nullptr, d({0.5, 0.5, 0.5, 0.5, 0.2, 0.2, 0.8, 0.8}));
  EXPECT_NEAR(at_(task.advantages, 0), 0.5 / (0.5 + 1e-4), 1e-15);
  EXPECT_NEAR(at_(task.advantages, 1), -0.5 / (0.5 + 1e-4), 1e-15);
  EXPECT_NEAR(at_(task.advantages, 4), -0.5 / (0.2 + 1e-4), 1e-15);
  EXPECT_NEAR(at_(task.advantages, 6), 0.5 / (0.8 + 1e-4), 1e-15);
  EXPECT_THROW(algo::estimate_advantages(r, 4, algo::AdvantageEstimator::TaskNorm), Error);  // no scale given
  // Lite PPO: group-centred {.5, -.5, -.5, .5, 0, 0, 0, 0} over the batch's unbiased std, sqrt(5.5 / 7) (mean 1.25,
  // squared deviations 4 x 0.5625 + 2 x 1.5625 + 2 x 0.0625 = 5.5); with the moments of a larger batch (two halves
  // given separately) the same.
  const auto lite = algo::estimate_advantages(r, 4, algo::AdvantageEstimator::GroupMeanBatchStd);
  EXPECT_NEAR(at_(lite.advantages, 0), 0.5 / (std::sqrt(5.5 / 7.0) + 1e-4), 1e-15);
  EXPECT_NEAR(at_(lite.advantages, 1), -0.5 / (std::sqrt(5.5 / 7.0) + 1e-4), 1e-15);
  EXPECT_DOUBLE_EQ(at_(lite.advantages, 4), 0.0);
  const auto whole = algo::batch_moments(r);
  const auto lite_half = algo::estimate_advantages(r.slice(0, 0, 4), 4, algo::AdvantageEstimator::GroupMeanBatchStd,
                                                   1e-4, {}, &whole);
  EXPECT_NEAR(at_(lite_half.advantages, 3), at_(lite.advantages, 3), 1e-15);
  // The scale a type gets: the unbiased std of its rewards from summed moments; {1, 0, 0.5, 0.5}: sqrt(0.5 / 3).
  EXPECT_NEAR(algo::moments_std(algo::batch_moments(d({1, 0, 0.5, 0.5}))), std::sqrt(0.5 / 3.0), 1e-15);
  EXPECT_DOUBLE_EQ(algo::moments_std(algo::batch_moments(d({3}))), 0.0);
}

TEST(GrpoVariants, RatioLevelsValuesAndGradients) {
  TwoTokens t;
  algo::GrpoLossSettings s;  // symmetric clip 0.2, per-sequence mean
  // Token: exp(0.2) = 1.2214 is clipped to 1.2 (A > 0, no gradient); exp(-0.1) = 0.9048 is not.
  auto [token, token_grad] = loss_and_grad(t, 1.0, s);
  EXPECT_NEAR(token, -(1.2 + std::exp(-0.1)) / 2, 1e-15);
  EXPECT_DOUBLE_EQ(at_(token_grad, 0), 0.0);
  EXPECT_NEAR(at_(token_grad, 1), -std::exp(-0.1) / 2, 1e-15);
  // GSPO: rho = exp(mean) = exp(0.05), inside the clip; d rho / d l_t = rho / |o|.
  s.ratio = algo::RatioLevel::SequenceMean;
  auto [gspo, gspo_grad] = loss_and_grad(t, 1.0, s);
  EXPECT_NEAR(gspo, -std::exp(0.05), 1e-15);
  EXPECT_NEAR(at_(gspo_grad, 0), -std::exp(0.05) / 2, 1e-15);
  EXPECT_NEAR(at_(gspo_grad, 1), -std::exp(0.05) / 2, 1e-15);
  // vsGRPO eq. 1: rho = exp(sum) = exp(0.1); d rho / d l_t = rho (no 1 / |o|).
  s.ratio = algo::RatioLevel::SequenceSum;
  auto [eq1, eq1_grad] = loss_and_grad(t, 1.0, s);
  EXPECT_NEAR(eq1, -std::exp(0.1), 1e-15);
  EXPECT_NEAR(at_(eq1_grad, 0), -std::exp(0.1), 1e-15);
  EXPECT_NEAR(at_(eq1_grad, 1), -std::exp(0.1), 1e-15);
  // A sequence ratio beyond the clip range: clipped for the whole sequence (exp(0.1) > 1.05).
  s.clip_eps_low = s.clip_eps_high = 0.05;
  auto [clipped, clipped_grad] = loss_and_grad(t, 1.0, s);
  EXPECT_NEAR(clipped, -1.05, 1e-15);
  EXPECT_DOUBLE_EQ(at_(clipped_grad.abs().sum(), 0), 0.0);
}

TEST(GrpoVariants, ClipHigherAndDualClip) {
  TwoTokens t;
  algo::GrpoLossSettings s;
  s.clip_eps_high = 0.28;  // DAPO: exp(0.2) = 1.2214 < 1.28 is no longer clipped
  auto [higher, grad] = loss_and_grad(t, 1.0, s);
  EXPECT_NEAR(higher, -(std::exp(0.2) + std::exp(-0.1)) / 2, 1e-15);
  EXPECT_NEAR(at_(grad, 0), -std::exp(0.2) / 2, 1e-15);
  // Dual clip, A = -1: ratios 4 and 2. PPO's loss is max(rho, clip(rho)) = 4 and 2; c = 3 caps the first at 3.
  at::Tensor logp = at::log(d({4.0, 2.0})).unsqueeze(0).requires_grad_(true);
  const algo::GrpoBatch b{logp, at::zeros({1, 2}, at::kDouble), {}, d({-1.0}), at::ones({1, 2}, at::kDouble)};
  algo::GrpoLossSettings dual;
  dual.aggregation = algo::LossAggregation::Bnpo;
  EXPECT_NEAR(algo::grpo_loss(b, {}, dual).loss.item<double>(), (4.0 + 2.0) / 2, 1e-14);
  dual.dual_clip = 3.0;
  const auto out = algo::grpo_loss(b, {}, dual);
  EXPECT_NEAR(out.loss.item<double>(), (3.0 + 2.0) / 2, 1e-14);
  EXPECT_DOUBLE_EQ(out.stats.dual_clip_fraction, 0.5);
  out.loss.backward();
  EXPECT_DOUBLE_EQ(at_(logp.grad(), 0), 0.0);         // the capped token has no gradient
  EXPECT_NEAR(at_(logp.grad(), 1), 2.0 / 2, 1e-14);  // d(-rho A)/dl = rho for A = -1, over 2 tokens
  dual.dual_clip = 0.5;
  EXPECT_THROW(algo::grpo_loss(b, {}, dual), Error);
}

TEST(GrpoVariants, CispoKeepsTheGradientOfClippedTokens) {
  TwoTokens t;
  algo::GrpoLossSettings s;
  s.surrogate = algo::Surrogate::Cispo;
  s.clip_eps_low = 1.0;  // no lower bound (MiniMax-M1)
  s.clip_eps_high = 0.28;
  s.aggregation = algo::LossAggregation::Bnpo;
  // Per token -sg(w) A l with w = [exp(0.2), exp(-0.1)], l = [log 0.5, log 0.25]; the token mean of two.
  auto [loss, grad] = loss_and_grad(t, 1.0, s);
  EXPECT_NEAR(loss, -(std::exp(0.2) * std::log(0.5) + std::exp(-0.1) * std::log(0.25)) / 2, 1e-15);
  EXPECT_NEAR(at_(grad, 0), -std::exp(0.2) / 2, 1e-15);
  EXPECT_NEAR(at_(grad, 1), -std::exp(-0.1) / 2, 1e-15);
  // Above 1 + eps_high the weight is clipped but, unlike PPO's clip, the token keeps a gradient of -1.1 / 2.
  s.clip_eps_high = 0.1;
  auto [capped, capped_grad] = loss_and_grad(t, 1.0, s);
  EXPECT_NEAR(at_(capped_grad, 0), -1.1 / 2, 1e-15);
  EXPECT_NEAR(capped, -(1.1 * std::log(0.5) + std::exp(-0.1) * std::log(0.25)) / 2, 1e-15);
  const auto stats = algo::grpo_loss(t.batch(1.0), {}, s).stats;
  EXPECT_DOUBLE_EQ(stats.clip_high, 0.5);
  s.ratio = algo::RatioLevel::SequenceMean;
  EXPECT_THROW(algo::grpo_loss(t.batch(1.0), {}, s), Error);
}

TEST(GrpoVariants, VariantsComposeTheirParts) {
  EXPECT_EQ(algo::Grpo::parts(),
            "advantage=group ratio=token clip=symmetric aggregation=from_options filter=none truncation=keep");
  EXPECT_EQ(algo::Dapo::parts(),
            "advantage=group ratio=token clip=higher aggregation=token_mean filter=dynamic_sampling truncation=keep");
  algo::Dapo dapo;
  auto s = dapo.loss_settings();
  EXPECT_EQ(s.aggregation, algo::LossAggregation::Bnpo);
  EXPECT_DOUBLE_EQ(s.clip_eps_low, 0.2);
  EXPECT_DOUBLE_EQ(s.clip_eps_high, 0.28);
  algo::Gspo gspo;
  EXPECT_EQ(gspo.loss_settings().ratio, algo::RatioLevel::SequenceMean);
  EXPECT_EQ(algo::VsGrpoEq1{}.loss_settings().ratio, algo::RatioLevel::SequenceSum);
  EXPECT_EQ(algo::Cispo{}.loss_settings().surrogate, algo::Surrogate::Cispo);
  algo::DrGrpo dr;
  dr.options.max_len = 16;
  EXPECT_EQ(dr.loss_settings().aggregation, algo::LossAggregation::DrGrpo);
  EXPECT_EQ(dr.loss_settings().max_len, 16);
  // Dr. GRPO's advantages ignore grpo.scale_std; RLOO's are leave-one-out.
  dr.options.num_generations = 2;
  EXPECT_DOUBLE_EQ(at_(dr.advantages(d({3, 1})).advantages, 0), 1.0);
  EXPECT_EQ(algo::SpatialR1::parts(),
            "advantage=task_norm ratio=token clip=symmetric aggregation=from_options filter=none truncation=keep");
  algo::Rloo rloo;
  rloo.options.num_generations = 2;
  EXPECT_DOUBLE_EQ(at_(rloo.advantages(d({3, 1})).advantages, 0), 2.0);
  // The plain GRPO keeps the vsGRPO configs' run-time switches.
  algo::Grpo grpo;
  grpo.options.loss_aggregation = "dr_grpo";
  EXPECT_EQ(grpo.loss_settings().aggregation, algo::LossAggregation::DrGrpo);
}

TEST(GrpoVariants, VariantSettingsSitBetweenConfigFileAndCommandLine) {
  const auto file = std::filesystem::temp_directory_path() / "vsr_variant_settings.ini";
  std::ofstream(file) << "[grpo]\nclip_eps = 0.2\nnum_generations = 6\n";
  {
    Config cfg("gspo");
    cfg.add_recipe_settings(algo::Gspo::kSettings, "algorithm gspo");
    auto& o = cfg.add<algo::GrpoOptions>();
    const char* argv[] = {"gspo", "--config", file.c_str()};
    ASSERT_TRUE(cfg.parse(3, argv));
    EXPECT_DOUBLE_EQ(o.clip_eps, 3e-4);      // the variant's value beats the file
    EXPECT_DOUBLE_EQ(o.clip_eps_high, 4e-4);
    EXPECT_EQ(o.num_generations, 6);         // the file still sets what the variant leaves alone
  }
  {
    Config cfg("gspo");
    cfg.add_recipe_settings(algo::Gspo::kSettings, "algorithm gspo");
    auto& o = cfg.add<algo::GrpoOptions>();
    const char* argv[] = {"gspo", "--config", file.c_str(), "--grpo.clip_eps", "0.1"};
    ASSERT_TRUE(cfg.parse(5, argv));
    EXPECT_DOUBLE_EQ(o.clip_eps, 0.1);  // the command line beats the variant
  }
  algo::GrpoOptions bad;
  bad.clip_eps = 1.5;
  EXPECT_THROW(bad.validate(), Error);
  bad.clip_eps = 0.2;
  bad.dual_clip = 1.0;
  try {
    bad.validate();
    FAIL() << "dual_clip 1 accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.field(), "grpo.dual_clip");
  }
}
