// Tests of the KL estimators and the GRPO / SFT / DPO losses against hand-computed values, plus a
// finite-difference gradient check of the GRPO loss.
#include "vsr/algo/dpo.hpp"
#include "vsr/algo/grpo.hpp"
#include "vsr/algo/sft.hpp"
#include "vsr/concepts.hpp"
#include "vsr/core/error.hpp"
#include "vsr/kl/k1.hpp"
#include "vsr/kl/k2.hpp"
#include "vsr/kl/k3.hpp"
#include "vsr/kl/k3_clamped.hpp"
#include "vsr/kl/none.hpp"

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <cmath>

using namespace vsr;

static_assert(KlSetting<kl::None> && KlSetting<kl::K1> && KlSetting<kl::K2> && KlSetting<kl::K3> &&
              KlSetting<kl::K3Clamped>);
static_assert(!kl::None::kNeedsReference && kl::K3::kNeedsReference);
// A setting that needs a reference must give a per-token estimate.
struct NoEstimator {
  static constexpr std::string_view kName = "broken";
  static constexpr bool kNeedsReference = true;
  double beta() const { return 1.0; }
};
static_assert(!KlSetting<int> && !KlSetting<NoEstimator> && !KlSetting<kl::KlOptions>);
static_assert(Algorithm<algo::Grpo> && Algorithm<algo::Sft> && Algorithm<algo::Dpo> && !Algorithm<kl::K3>);
static_assert(ComponentOptions<algo::GrpoOptions> && ComponentOptions<algo::SftOptions> &&
              ComponentOptions<algo::DpoOptions> && ComponentOptions<kl::KlOptions>);

namespace {

at::Tensor d(std::initializer_list<double> v) { return at::tensor(std::vector<double>(v), at::kDouble); }
at::Tensor d2(std::vector<std::vector<double>> rows) {
  std::vector<at::Tensor> out;
  for (const auto& r : rows) out.push_back(at::tensor(r, at::kDouble));
  return at::stack(out);
}
double at_(const at::Tensor& t, std::int64_t i) { return t.reshape({-1})[i].item<double>(); }

}  // namespace

TEST(Kl, EstimatorsHandValues) {
  // l = policy, r = reference; r - l = [-0.5, 1.0].
  const at::Tensor l = d({-1.0, -2.0}), r = d({-1.5, -1.0});
  const at::Tensor k1 = kl::k1(l, r), k3 = kl::k3(l, r);
  EXPECT_DOUBLE_EQ(at_(k1, 0), 0.5);
  EXPECT_DOUBLE_EQ(at_(k1, 1), -1.0);
  EXPECT_NEAR(at_(k3, 0), 0.10653065971263342, 1e-15);  // exp(-0.5) + 0.5 - 1
  EXPECT_NEAR(at_(k3, 1), 0.7182818284590451, 1e-15);   // e - 2
  // k2 = (l - r)^2 / 2: 0.125 and 0.5; its gradient is l - r.
  at::Tensor lg = l.clone().requires_grad_(true);
  const at::Tensor k2 = kl::k2(lg, r);
  EXPECT_DOUBLE_EQ(at_(k2, 0), 0.125);
  EXPECT_DOUBLE_EQ(at_(k2, 1), 0.5);
  k2.sum().backward();
  EXPECT_DOUBLE_EQ(at_(lg.grad(), 0), 0.5);
  EXPECT_DOUBLE_EQ(at_(lg.grad(), 1), -1.0);
  kl::K2 k2_setting;
  k2_setting.options.beta = 0.1;
  EXPECT_DOUBLE_EQ(at_(k2_setting.per_token(l, r), 1), 0.5);
  EXPECT_DOUBLE_EQ(k2_setting.beta(), 0.1);
  // Clamped: r - l clamped to [-0.8, 0.8] -> exp(0.8) - 1.8; then the value to [-0.3, 0.3].
  const at::Tensor c = kl::k3_clamped(l, r, 0.8, 0.0);
  EXPECT_NEAR(at_(c, 0), 0.10653065971263342, 1e-15);
  EXPECT_NEAR(at_(c, 1), 0.42554092849246783, 1e-15);
  const at::Tensor cv = kl::k3_clamped(l, r, 0.8, 0.3);
  EXPECT_NEAR(at_(cv, 0), 0.10653065971263342, 1e-15);
  EXPECT_DOUBLE_EQ(at_(cv, 1), 0.3);
  // Equal policy and reference: every estimator is 0.
  EXPECT_EQ(at_(kl::k3(l, l).abs().max(), 0), 0.0);
  // float32 inputs give float32.
  EXPECT_EQ(kl::k3(l.to(at::kFloat), r.to(at::kFloat)).scalar_type(), at::kFloat);
  EXPECT_THROW(kl::k3(l, at::Tensor()), Error);
  EXPECT_THROW(kl::k3(l, d({1.0})), Error);
}

TEST(Kl, K3GradientIsOneMinusRatio) {
  // d/dl [exp(r - l) - (r - l) - 1] = 1 - exp(r - l); the reference gets no gradient.
  at::Tensor l = d({-1.0, -2.0}).requires_grad_(true);
  at::Tensor r = d({-1.5, -1.0}).requires_grad_(true);
  kl::k3(l, r).sum().backward();
  EXPECT_NEAR(at_(l.grad(), 0), 1.0 - std::exp(-0.5), 1e-15);
  EXPECT_NEAR(at_(l.grad(), 1), 1.0 - std::exp(1.0), 1e-15);
  EXPECT_FALSE(r.grad().defined());
}

TEST(Grpo, AdvantagesUnbiasedStdAndZeroStdGroup) {
  // Group 1: rewards 1,0,0,1: mean 0.5, unbiased std sqrt(1/3); group 2: all 2 (std 0).
  const auto g = algo::group_advantages(d({1, 0, 0, 1, 2, 2, 2, 2}), 4);
  const double a = 0.5 / (std::sqrt(1.0 / 3.0) + 1e-4);
  EXPECT_NEAR(a, 0.8658754297607016, 1e-15);
  const double want[] = {a, -a, -a, a, 0, 0, 0, 0};
  for (int i = 0; i < 8; ++i) EXPECT_NEAR(at_(g.advantages, i), want[i], 1e-12) << i;
  EXPECT_DOUBLE_EQ(g.zero_std_fraction, 0.5);
  EXPECT_DOUBLE_EQ(g.reward_mean, 1.25);
  EXPECT_NEAR(g.reward_std_mean, std::sqrt(1.0 / 3.0) / 2, 1e-12);
  // Dr. GRPO: no division by the std.
  const auto dr = algo::group_advantages(d({1, 0, 0, 1, 2, 2, 2, 2}), 4, /*scale_std=*/false);
  const double want_dr[] = {0.5, -0.5, -0.5, 0.5, 0, 0, 0, 0};
  for (int i = 0; i < 8; ++i) EXPECT_DOUBLE_EQ(at_(dr.advantages, i), want_dr[i]) << i;
  // Group of 2 with rewards 3, 1: mean 2, std sqrt(2) (unbiased; the biased one would be 1).
  const auto two = algo::group_advantages(d({3, 1}), 2);
  EXPECT_NEAR(at_(two.advantages, 0), 1.0 / (std::sqrt(2.0) + 1e-4), 1e-12);
  EXPECT_THROW(algo::group_advantages(d({1, 2, 3}), 2), Error);
  EXPECT_THROW(algo::group_advantages(d({1, 2}), 1), Error);
}

TEST(Grpo, EqualRewardsInFloatGiveExactlyZeroAdvantages) {
  // A group of equal float rewards (e.g. equal rewards minus equal KL penalties) has no signal: its advantages are
  // exactly 0. The float mean of equal values can be an ulp off them, which (r - mean) / (std + 1e-4) would blow up to
  // ~1e-3 (seen with kl::InReward on identical rollouts).
  for (const float v : {-2.281790256500244e-4f, 0.1f, 1.0f / 3.0f, 2.2817902f, -7.77e-5f}) {
    for (const std::int64_t g : {3, 7, 8, 14}) {
      const auto out = algo::group_advantages(at::full({2 * g}, v, at::kFloat), g);
      EXPECT_EQ(out.advantages.abs().max().item<float>(), 0.0f) << v << " x " << g;
      EXPECT_DOUBLE_EQ(out.zero_std_fraction, 1.0);
    }
  }
}

TEST(Grpo, AggregationModesOnRaggedBatch) {
  // Row 0 has 3 tokens (1,2,3), row 1 has 2 (4,5); masked-out values are garbage, even inf.
  const double inf = std::numeric_limits<double>::infinity();
  const at::Tensor x = d2({{1, 2, 3, inf}, {4, 5, 100, inf}});
  const at::Tensor m = d2({{1, 1, 1, 0}, {1, 1, 0, 0}});
  EXPECT_DOUBLE_EQ(algo::aggregate_tokens(x, m, algo::LossAggregation::Grpo).item<double>(), 3.25);   // (2 + 4.5) / 2
  EXPECT_DOUBLE_EQ(algo::aggregate_tokens(x, m, algo::LossAggregation::Bnpo).item<double>(), 3.0);    // 15 / 5
  EXPECT_DOUBLE_EQ(algo::aggregate_tokens(x, m, algo::LossAggregation::DrGrpo).item<double>(), 2.5);  // 15 / (2*3)
  EXPECT_DOUBLE_EQ(algo::aggregate_tokens(x, m, algo::LossAggregation::DrGrpo, 4).item<double>(), 1.875);  // 15 / 8
  // A row without tokens counts as one token in "grpo" (no nan).
  const at::Tensor m0 = d2({{1, 1, 1, 0}, {0, 0, 0, 0}});
  EXPECT_DOUBLE_EQ(algo::aggregate_tokens(x, m0, algo::LossAggregation::Grpo).item<double>(), 1.0);  // (2 + 0) / 2
  EXPECT_EQ(algo::parse_loss_aggregation("dr_grpo"), algo::LossAggregation::DrGrpo);
  EXPECT_EQ(algo::loss_aggregation_name(algo::LossAggregation::Bnpo), "bnpo");
  try {
    algo::parse_loss_aggregation("mean");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.field(), "grpo.loss_aggregation");
  }
}

TEST(Grpo, ClippingForPositiveAndNegativeAdvantages) {
  // One token per sequence, old log-prob 0, so the ratio is exp(logp): 1.5, 0.5, 0.5, 1.5; A = 1, 1, -1, -1.
  at::Tensor logp = at::log(d({1.5, 0.5, 0.5, 1.5})).view({4, 1}).requires_grad_(true);
  algo::GrpoBatch b{logp, at::zeros({4, 1}, at::kDouble), {}, d({1, 1, -1, -1}), at::ones({4, 1}, at::kDouble)};
  const auto out = algo::grpo_loss(b, {}, {});
  // Per token: -min(rA, clip(r)A) = -1.2 (A>0, r>1.2 clipped), -0.5, +0.8 (A<0, r<0.8 clipped), +1.5.
  EXPECT_NEAR(out.loss.item<double>(), (-1.2 - 0.5 + 0.8 + 1.5) / 4, 1e-12);
  out.loss.backward();
  // Clipped tokens get no gradient; the others -A * r / 4.
  EXPECT_DOUBLE_EQ(at_(logp.grad(), 0), 0.0);
  EXPECT_NEAR(at_(logp.grad(), 1), -0.5 / 4, 1e-12);
  EXPECT_DOUBLE_EQ(at_(logp.grad(), 2), 0.0);
  EXPECT_NEAR(at_(logp.grad(), 3), 1.5 / 4, 1e-12);
  EXPECT_DOUBLE_EQ(out.stats.clip_low, 0.25);
  EXPECT_DOUBLE_EQ(out.stats.clip_high, 0.25);
  EXPECT_DOUBLE_EQ(out.stats.clip_fraction, 0.5);
  EXPECT_NEAR(out.stats.ratio_mean, 1.0, 1e-12);
  EXPECT_DOUBLE_EQ(out.stats.advantage_mean, 0.0);
  EXPECT_DOUBLE_EQ(out.stats.tokens, 4.0);
  EXPECT_DOUBLE_EQ(out.stats.kl_mean, 0.0);
}

TEST(Grpo, OnPolicyLossIsMinusMeanAdvantagePlusBetaKl) {
  // old = logp (ratio 1): the surrogate is -A per token; with K3 the KL adds beta * k3 per token.
  const at::Tensor logp = d2({{-1.0, -2.0}, {-0.5, -3.0}});
  const at::Tensor ref = d2({{-1.5, -1.0}, {-0.5, -3.0}});
  const at::Tensor mask = d2({{1, 1}, {1, 0}});
  algo::GrpoBatch b{logp, {}, ref, d({2.0, -1.0}), mask};
  algo::Grpo grpo;
  const auto none = grpo.loss(b, kl::None{});
  EXPECT_NEAR(none.loss.item<double>(), (-2.0 + 1.0) / 2, 1e-12);
  kl::K3 k3;
  k3.options.beta = 0.5;
  const auto with = grpo.loss(b, k3);
  const double kl_row0 = (0.10653065971263342 + 0.7182818284590451) / 2;  // row 1's token has r = l
  EXPECT_NEAR(with.loss.item<double>(), (-2.0 + 0.5 * kl_row0 + 1.0) / 2, 1e-12);
  EXPECT_NEAR(with.stats.kl_mean, kl_row0 / 2, 1e-12);
  EXPECT_NEAR(with.stats.policy_loss, -0.5, 1e-12);
  // The policy's options reach the math: bnpo over 3 tokens.
  grpo.options.loss_aggregation = "bnpo";
  EXPECT_NEAR(grpo.loss(b, kl::None{}).loss.item<double>(), (-2.0 - 2.0 + 1.0) / 3, 1e-12);
  grpo.options.loss_aggregation = "sum";
  EXPECT_THROW(grpo.loss(b, kl::None{}), Error);
  // A KL setting that needs a reference fails without one.
  algo::GrpoBatch no_ref{logp, {}, {}, d({2.0, -1.0}), mask};
  grpo.options.loss_aggregation = "grpo";
  EXPECT_THROW(grpo.loss(no_ref, k3), Error);
}

TEST(Grpo, FiniteDifferenceGradient) {
  // Ragged batch in float64; old log-probs put every ratio at least 0.05 away from the clip edges 0.8 / 1.2.
  const at::Tensor mask = d2({{1, 1, 1, 0, 0}, {1, 1, 1, 1, 1}, {0, 1, 1, 1, 0}});
  const at::Tensor logp0 =
      d2({{-0.3, -1.2, -2.0, -0.7, -1.0}, {-0.9, -0.1, -1.7, -2.4, -0.6}, {-1.1, -0.4, -0.8, -1.6, -2.2}});
  const at::Tensor log_ratio =
      d2({{0.05, -0.1, 0.3, 0.0, 0.0}, {-0.4, 0.12, -0.05, 0.09, 0.5}, {0.0, -0.15, 0.02, 0.4, 0.0}});
  const at::Tensor old = logp0 - log_ratio;
  const at::Tensor ref = logp0 + d2({{0.2, -0.3, 0.1, 0, 0}, {0.4, 0.0, -0.2, 0.3, -0.1}, {0, 0.25, -0.35, 0.05, 0}});
  const at::Tensor adv = d({0.7, -1.3, 0.4});
  kl::K3 k3;
  k3.options.beta = 0.1;
  for (const char* mode : {"grpo", "bnpo", "dr_grpo"}) {
    algo::Grpo grpo;
    grpo.options.loss_aggregation = mode;
    auto loss_of = [&](const at::Tensor& lp) { return grpo.loss({lp, old, ref, adv, mask}, k3).loss; };
    at::Tensor lp = logp0.clone().requires_grad_(true);
    loss_of(lp).backward();
    const at::Tensor grad = lp.grad();
    const double h = 1e-6;
    for (std::int64_t i = 0; i < 3; ++i)
      for (std::int64_t t = 0; t < 5; ++t) {
        at::Tensor up = logp0.clone(), down = logp0.clone();
        up[i][t] += h;
        down[i][t] -= h;
        const double fd = (loss_of(up).item<double>() - loss_of(down).item<double>()) / (2 * h);
        EXPECT_NEAR(grad[i][t].item<double>(), fd, 1e-8) << mode << " [" << i << "," << t << "]";
        if (mask[i][t].item<double>() == 0) EXPECT_EQ(grad[i][t].item<double>(), 0.0);
      }
  }
}

TEST(Sft, MeanOverAnswerTokens) {
  const at::Tensor logp = d2({{-1.0, -2.0, -3.0}, {-0.5, -9.0, -9.0}});
  const at::Tensor mask = d2({{0, 1, 1}, {1, 0, 0}});
  algo::Sft sft;
  const auto out = sft.loss(logp, mask);
  EXPECT_NEAR(out.loss.item<double>(), (2.0 + 3.0 + 0.5) / 3, 1e-12);
  EXPECT_DOUBLE_EQ(out.tokens, 3.0);
  sft.options.per_sequence = true;
  EXPECT_NEAR(sft.loss(logp, mask).loss.item<double>(), (2.5 + 0.5) / 2, 1e-12);
  at::Tensor lp = logp.clone().requires_grad_(true);
  algo::sft_loss(lp, mask).loss.backward();
  EXPECT_NEAR(at_(lp.grad(), 1), -1.0 / 3, 1e-12);  // raising an answer token's log-prob lowers the loss
  EXPECT_EQ(at_(lp.grad(), 0), 0.0);                // prompt tokens get nothing
}

TEST(Dpo, LossValueAndGradientSigns) {
  // h = beta * ((l_w - r_w) - (l_l - r_l)) = 0.1 * (0.5 - (-0.2)) = 0.07.
  at::Tensor lw = d({-1.0}).requires_grad_(true), ll = d({-2.0}).requires_grad_(true);
  algo::Dpo dpo;
  const auto out = dpo.loss({lw, ll, d({-1.5}), d({-1.8})});
  EXPECT_NEAR(out.loss.item<double>(), 0.6587595555486971, 1e-12);  // log(1 + exp(-0.07))
  out.loss.backward();
  EXPECT_NEAR(at_(lw.grad(), 0), -0.04825071423336103, 1e-12);  // -beta * sigmoid(-h): raise the chosen answer
  EXPECT_NEAR(at_(ll.grad(), 0), 0.04825071423336103, 1e-12);   // and lower the rejected one
  EXPECT_NEAR(out.stats.chosen_reward, 0.05, 1e-12);
  EXPECT_NEAR(out.stats.rejected_reward, -0.02, 1e-12);
  EXPECT_NEAR(out.stats.margin, 0.07, 1e-12);
  EXPECT_DOUBLE_EQ(out.stats.accuracy, 1.0);
  // Policy equal to the reference: log 2.
  EXPECT_NEAR(algo::dpo_loss({d({-1, -2}), d({-3, -1}), d({-1, -2}), d({-3, -1})}, 0.1).loss.item<double>(),
              std::log(2.0), 1e-12);
  EXPECT_THROW(algo::dpo_loss({d({-1}), d({-1, -2}), d({-1}), d({-1})}, 0.1), Error);
  EXPECT_THROW(algo::dpo_loss({d({-1}), d({-1}), d({-1}), d({-1})}, 0.0), Error);
}
