// The GRPO variants against the formulas verl publishes, on one fixed ragged batch. The reference below is an
// independent scalar implementation following verl 0.7.1 (PyPI wheel verl-0.7.1-py2.py3-none-any.whl):
//   verl/trainer/ppo/core_algos.py  compute_grpo_outcome_advantage (norm_adv_by_std_in_grpo true / false),
//                                   compute_rloo_outcome_advantage, compute_reinforce_plus_plus_outcome_advantage,
//                                   compute_policy_loss_vanilla (clip_ratio_low / high, dual clip c = 3),
//                                   compute_policy_loss_gspo, compute_policy_loss_cispo, agg_loss
//   verl/utils/torch_functional.py  masked_whiten, masked_var
// Values must agree to 1e-12 (1e-7 where verl's seq-mean-token-mean adds 1e-8 to the token count), gradients
// (vsr's autograd against central differences of the reference, with verl's stop-gradients held fixed) to 1e-6.
// Where vsr and verl differ on purpose, the batch avoids the difference: verl's vanilla loss always dual-clips at
// c = 3 (no ratio here exceeds 3); verl normalises over the whole global batch (here one micro-batch).
#include "vsr/algo/variants.hpp"
#include "vsr/kl/none.hpp"

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <string>
#include <vector>

using namespace vsr;

namespace {

using Matrix = std::vector<std::vector<double>>;

constexpr int kB = 6, kT = 5, kG = 3;
const std::vector<int> kLengths{5, 3, 4, 2, 5, 1};
const std::vector<double> kRewards{1.0, 0.0, 0.5, 0.2, 0.9, 0.4};

/// The fixed batch: log-probs in [-0.7, -0.3], log-ratios 0.35 sin(b + 2t) (ratios 0.70 to 1.42), zero off the mask.
Matrix fixed_logp() {
  Matrix l(kB, std::vector<double>(kT, 0.0));
  for (int b = 0; b < kB; ++b)
    for (int t = 0; t < kLengths[b]; ++t) l[b][t] = -0.3 - 0.1 * ((b * 7 + t * 3) % 5);
  return l;
}
Matrix fixed_old() {
  Matrix o = fixed_logp();
  for (int b = 0; b < kB; ++b)
    for (int t = 0; t < kLengths[b]; ++t) o[b][t] -= 0.35 * std::sin(b + 2.0 * t);
  return o;
}
bool on(int b, int t) { return t < kLengths[b]; }

// ---- advantages (core_algos.py) ----
std::vector<double> grpo_advantages(bool norm_by_std, double eps) {
  std::vector<double> a(kB);
  for (int g = 0; g < kB / kG; ++g) {
    double mean = 0.0, var = 0.0;
    for (int i = 0; i < kG; ++i) mean += kRewards[g * kG + i] / kG;
    for (int i = 0; i < kG; ++i) var += std::pow(kRewards[g * kG + i] - mean, 2) / (kG - 1);  // torch.std
    for (int i = 0; i < kG; ++i)
      a[g * kG + i] = norm_by_std ? (kRewards[g * kG + i] - mean) / (std::sqrt(var) + eps) : kRewards[g * kG + i] - mean;
  }
  return a;
}
std::vector<double> rloo_advantages() {
  std::vector<double> a(kB);
  for (int g = 0; g < kB / kG; ++g) {
    double mean = 0.0;
    for (int i = 0; i < kG; ++i) mean += kRewards[g * kG + i] / kG;
    for (int i = 0; i < kG; ++i) a[g * kG + i] = kRewards[g * kG + i] * kG / (kG - 1.0) - mean * kG / (kG - 1.0);
  }
  return a;
}
// Outcome rewards as token-level returns (gamma 1), whitened over the masked tokens (masked_whiten).
std::vector<double> reinforce_pp_advantages() {
  double n = 0.0, sum = 0.0, sq = 0.0;
  for (int b = 0; b < kB; ++b)
    for (int t = 0; t < kLengths[b]; ++t) n += 1.0, sum += kRewards[b];
  const double mean = sum / n;
  for (int b = 0; b < kB; ++b)
    for (int t = 0; t < kLengths[b]; ++t) sq += std::pow(kRewards[b] - mean, 2);
  const double var = sq / n * (n / (n - 1.0));
  std::vector<double> a(kB);
  for (int b = 0; b < kB; ++b) a[b] = (kRewards[b] - mean) / std::sqrt(var + 1e-8);
  return a;
}

// ---- per-token policy losses; `frozen` holds the log-probs behind verl's stop-gradients ----
struct Clip {
  double low, high;
};
Matrix vanilla_losses(const Matrix& l, const Matrix& old, const std::vector<double>& a, Clip c) {
  Matrix out(kB, std::vector<double>(kT, 0.0));
  for (int b = 0; b < kB; ++b)
    for (int t = 0; t < kLengths[b]; ++t) {
      const double ratio = std::exp(std::clamp(l[b][t] - old[b][t], -20.0, 20.0));
      const double pg1 = -a[b] * ratio, pg2 = -a[b] * std::clamp(ratio, 1 - c.low, 1 + c.high);
      const double clip1 = std::max(pg1, pg2), pg3 = -a[b] * 3.0;
      out[b][t] = a[b] < 0 ? std::min(pg3, clip1) : clip1;
    }
  return out;
}
Matrix gspo_losses(const Matrix& l, const Matrix& frozen, const Matrix& old, const std::vector<double>& a, Clip c) {
  Matrix out(kB, std::vector<double>(kT, 0.0));
  for (int b = 0; b < kB; ++b) {
    double seq = 0.0;
    for (int t = 0; t < kLengths[b]; ++t) seq += (frozen[b][t] - old[b][t]) / kLengths[b];
    for (int t = 0; t < kLengths[b]; ++t) {
      const double s = std::exp(std::min(10.0, l[b][t] - frozen[b][t] + seq));  // sg[s_i] * pi / sg[pi]
      out[b][t] = std::max(-a[b] * s, -a[b] * std::clamp(s, 1 - c.low, 1 + c.high));
    }
  }
  return out;
}
Matrix cispo_losses(const Matrix& l, const Matrix& frozen, const Matrix& old, const std::vector<double>& a, Clip c) {
  Matrix out(kB, std::vector<double>(kT, 0.0));
  for (int b = 0; b < kB; ++b)
    for (int t = 0; t < kLengths[b]; ++t) {
      const double ratio = std::exp(std::clamp(frozen[b][t] - old[b][t], -20.0, 20.0));
      out[b][t] = -std::clamp(ratio, 1 - c.low, 1 + c.high) * a[b] * l[b][t];
    }
  return out;
}

// ---- agg_loss ----
double token_mean(const Matrix& x) {
  double sum = 0.0, n = 0.0;
  for (int b = 0; b < kB; ++b)
    for (int t = 0; t < kLengths[b]; ++t) sum += x[b][t], n += 1.0;
  return sum / n;
}
double seq_mean_token_mean(const Matrix& x) {
  double sum = 0.0;
  for (int b = 0; b < kB; ++b) {
    double s = 0.0;
    for (int t = 0; t < kLengths[b]; ++t) s += x[b][t];
    sum += s / (kLengths[b] + 1e-8);
  }
  return sum / kB;
}
double seq_mean_token_sum_norm(const Matrix& x, double scale) {
  double sum = 0.0;
  for (int b = 0; b < kB; ++b)
    for (int t = 0; t < kLengths[b]; ++t) sum += x[b][t];
  return sum / kB / scale;
}

at::Tensor tensor(const Matrix& m) {
  std::vector<at::Tensor> rows;
  for (const auto& r : m) rows.push_back(at::tensor(r, at::kDouble));
  return at::stack(rows);
}
at::Tensor mask_tensor() {
  Matrix m(kB, std::vector<double>(kT, 0.0));
  for (int b = 0; b < kB; ++b)
    for (int t = 0; t < kLengths[b]; ++t) m[b][t] = 1.0;
  return tensor(m);
}

/// vsr's loss and gradient for `variant` against the reference `loss_of(l, frozen)` and its advantages.
template <class Variant>
void expect_matches(Variant variant, const std::vector<double>& reference_advantages,
                    const std::function<double(const Matrix&, const Matrix&)>& loss_of, double value_tolerance) {
  SCOPED_TRACE(std::string(Variant::kName));
  variant.options.num_generations = kG;
  variant.options.std_eps = 1e-6;  // verl's epsilon
  const at::Tensor lengths = at::tensor(std::vector<double>(kLengths.begin(), kLengths.end()), at::kDouble);
  const auto adv = variant.advantages(at::tensor(kRewards, at::kDouble), lengths).advantages;
  for (int b = 0; b < kB; ++b) EXPECT_NEAR(adv[b].template item<double>(), reference_advantages[b], 1e-12) << b;

  const Matrix l = fixed_logp(), old = fixed_old();
  at::Tensor logp = tensor(l).requires_grad_(true);
  const auto out = variant.loss({logp, tensor(old), {}, adv, mask_tensor()}, kl::None{});
  const double want = loss_of(l, l);
  EXPECT_NEAR(out.loss.template item<double>(), want, value_tolerance * std::max(1.0, std::abs(want)));
  out.loss.backward();
  const double h = 1e-6;
  for (int b = 0; b < kB; ++b)
    for (int t = 0; t < kT; ++t) {
      double fd = 0.0;
      if (on(b, t)) {
        Matrix up = l, down = l;
        up[b][t] += h;
        down[b][t] -= h;
        fd = (loss_of(up, l) - loss_of(down, l)) / (2 * h);
      }
      EXPECT_NEAR(logp.grad()[b][t].template item<double>(), fd, 1e-6) << "d loss / d l[" << b << "][" << t << "]";
    }
  EXPECT_GT(logp.grad().abs().sum().template item<double>(), 0.1);  // the batch trains (not all clipped)
}

}  // namespace

TEST(GrpoReference, DapoIsVerlVanillaWithClipHigherAndTokenMean) {
  algo::Dapo dapo;  // clip_eps 0.2, clip_eps_high 0.28 (its kSettings)
  dapo.options.clip_eps = 0.2;
  dapo.options.clip_eps_high = 0.28;
  const auto a = grpo_advantages(true, 1e-6);
  const Matrix old = fixed_old();
  expect_matches(dapo, a, [&](const Matrix& l, const Matrix&) { return token_mean(vanilla_losses(l, old, a, {0.2, 0.28})); },
                 1e-12);
}

TEST(GrpoReference, DrGrpoIsVerlWithoutStdAndSeqMeanTokenSumNorm) {
  algo::DrGrpo dr;
  dr.options.max_len = kT;  // verl's loss_scale_factor
  const auto a = grpo_advantages(false, 1e-6);
  const Matrix old = fixed_old();
  expect_matches(dr, a,
                 [&](const Matrix& l, const Matrix&) { return seq_mean_token_sum_norm(vanilla_losses(l, old, a, {0.2, 0.2}), kT); },
                 1e-12);
}

TEST(GrpoReference, GspoIsVerlsSequenceRatioWithSeqMeanTokenMean) {
  // GSPO's 3e-4 / 4e-4 would clip every sequence of this batch; the ratio's value and gradient are checked at 0.2,
  // where some sequences clip and some do not. vsr differentiates the sequence ratio itself; verl uses the token
  // form sg[s_i] pi / sg[pi]: the gradients must agree.
  algo::Gspo gspo;
  gspo.options.clip_eps = 0.2;
  gspo.options.clip_eps_high = 0.2;
  const auto a = grpo_advantages(true, 1e-6);
  const Matrix old = fixed_old();
  expect_matches(gspo, a,
                 [&](const Matrix& l, const Matrix& frozen) {
                   return seq_mean_token_mean(gspo_losses(l, frozen, old, a, {0.2, 0.2}));
                 },
                 1e-7);
}

TEST(GrpoReference, CispoIsVerlsDetachedClippedWeight) {
  algo::Cispo cispo;  // clip_eps 1 (no lower bound), clip_eps_high 0.28 (its kSettings)
  cispo.options.clip_eps = 1.0;
  cispo.options.clip_eps_high = 0.28;
  const auto a = grpo_advantages(true, 1e-6);
  const Matrix old = fixed_old();
  expect_matches(cispo, a,
                 [&](const Matrix& l, const Matrix& frozen) { return token_mean(cispo_losses(l, frozen, old, a, {1.0, 0.28})); },
                 1e-12);
}

TEST(GrpoReference, RlooIsVerlsLeaveOneOutWithSeqMeanTokenMean) {
  const auto a = rloo_advantages();
  const Matrix old = fixed_old();
  expect_matches(algo::Rloo{}, a,
                 [&](const Matrix& l, const Matrix&) { return seq_mean_token_mean(vanilla_losses(l, old, a, {0.2, 0.2})); },
                 1e-7);
}

TEST(GrpoReference, ReinforcePpIsVerlsTokenWhitenedReturns) {
  const auto a = reinforce_pp_advantages();
  const Matrix old = fixed_old();
  expect_matches(algo::ReinforcePp{}, a,
                 [&](const Matrix& l, const Matrix&) { return token_mean(vanilla_losses(l, old, a, {0.2, 0.2})); },
                 1e-12);
}
