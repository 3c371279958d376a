// Tests of per-token log-probabilities against hand-computed values and autograd against a finite difference.
#include "vsr/model/token_logprobs.hpp"

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <cmath>

TEST(TokenLogprobs, HandComputed) {
  // logits (0, ln 2, ln 5): probabilities 1/8, 2/8, 5/8
  const auto logits = at::tensor({0.0, std::log(2.0), std::log(5.0)}, at::kDouble).to(at::kFloat).view({1, 1, 3});
  EXPECT_NEAR(vsr::model::token_logprobs(logits, at::tensor({2}, at::kLong).view({1, 1})).item<float>(),
              std::log(5.0 / 8.0), 1e-6);
  EXPECT_NEAR(vsr::model::token_logprobs(logits, at::tensor({0}, at::kLong).view({1, 1})).item<float>(),
              std::log(1.0 / 8.0), 1e-6);
  const double h = -(1.0 / 8 * std::log(1.0 / 8) + 2.0 / 8 * std::log(2.0 / 8) + 5.0 / 8 * std::log(5.0 / 8));
  EXPECT_NEAR(vsr::model::token_entropy(logits).item<float>(), h, 1e-6);
}

TEST(TokenLogprobs, EqualsLogSoftmaxGatherAndDifferentiates) {
  at::manual_seed(0);
  auto logits = at::randn({2, 5, 11}, at::kDouble).requires_grad_(true);
  const auto targets = at::randint(0, 11, {2, 5}, at::kLong);
  const auto want = logits.log_softmax(-1).gather(-1, targets.unsqueeze(-1)).squeeze(-1);
  const auto got = vsr::model::token_logprobs(logits.to(at::kFloat), targets);
  EXPECT_TRUE(at::allclose(got.to(at::kDouble), want, 1e-5, 1e-6));
  // gradient of sum(logp) w.r.t. one logit vs a central finite difference
  auto lp = vsr::model::token_logprobs(logits, targets).sum();
  lp.backward();
  const double eps = 1e-4;
  auto plus = logits.detach().clone(), minus = logits.detach().clone();
  plus[1][3][4] += eps;
  minus[1][3][4] -= eps;
  const double fd = (vsr::model::token_logprobs(plus, targets).sum().item<double>() -
                     vsr::model::token_logprobs(minus, targets).sum().item<double>()) / (2 * eps);
  EXPECT_NEAR(logits.grad()[1][3][4].item<double>(), fd, 1e-3);
}

TEST(TokenLogprobs, MaskedSumCountsOnlyMaskedTokens) {
  const auto v = at::tensor({1.0f, 2.0f, 4.0f, 8.0f}).view({2, 2});
  const auto m = at::tensor({1, 0, 1, 1}).view({2, 2});
  EXPECT_TRUE(vsr::model::masked_sum(v, m).equal(at::tensor({1.0f, 12.0f})));
}
