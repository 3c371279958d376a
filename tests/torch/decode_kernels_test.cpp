// The decode-step fast paths: the few-row linear kernel (float32 and exact-bfloat16 weights) against at::linear,
// and the fused temperature sampler of generate_tokens (distribution, stop-token mask, log-probs).
#include "vsr/model/cpu_kernels.hpp"
#include "vsr/model/linear.hpp"
#include "vsr/model/sampler.hpp"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>

#include <limits>
#include <utility>
#include <vector>

namespace {

double max_rel_error(const at::Tensor& got, const at::Tensor& want) {
  return ((got - want).abs().max() / want.abs().max().clamp_min(1e-12)).item<double>();
}

TEST(DecodeKernels, FewRowLinearEqualsAtLinear) {
  at::NoGradGuard no_grad;
  auto gen = at::make_generator<at::CPUGeneratorImpl>(11);
  for (const bool bf16_exact : {false, true}) {
    at::Tensor w = at::randn({1000, 64}, gen);
    if (bf16_exact) w = w.to(at::kBFloat16).to(at::kFloat);
    const at::Tensor b = at::randn({1000}, gen);
    const vsr::model::Linear with_bias(w, b), no_bias(w);
    for (std::int64_t rows : {1, 2, 7, 8, 14, 15, 16, 17, 40}) {
      const at::Tensor x = at::randn({rows, 64}, gen);
      EXPECT_LT(max_rel_error(with_bias.forward(x), at::linear(x, w, b)), 1e-5) << rows << " " << bf16_exact;
      EXPECT_LT(max_rel_error(no_bias.forward(x.view({rows, 1, 64})), at::linear(x.view({rows, 1, 64}), w)), 1e-5);
    }
  }
}

// Every kernel this CPU has (AVX-512 row streaming, AMX tiles on the three-way bfloat16 split) against the float64
// product: the error stays at float32 summation level (relative to sum |x w|), for weights with a partial last tile
// (N % 16 != 0) and widths the AMX kernel does not take (K % 32 != 0: the AVX-512 kernel steps in).
TEST(DecodeKernels, EveryFewRowKernelMatchesTheFloat64Product) {
  at::NoGradGuard no_grad;
  auto gen = at::make_generator<at::CPUGeneratorImpl>(17);
  std::vector<bool> amx_settings{false};
  vsr::model::allow_amx_kernel(true);
  if (vsr::model::few_row_kernel() == vsr::model::FewRowKernel::kAmxBf16) amx_settings.push_back(true);
  for (const bool amx : amx_settings) {
    vsr::model::allow_amx_kernel(amx);
    if (vsr::model::few_row_kernel() == vsr::model::FewRowKernel::kAten) GTEST_SKIP() << "no AVX-512 on this CPU";
    EXPECT_EQ(vsr::model::few_row_kernel(),
              amx ? vsr::model::FewRowKernel::kAmxBf16 : vsr::model::FewRowKernel::kAvx512);
    for (const auto& [N, K] : std::vector<std::pair<std::int64_t, std::int64_t>>{{1000, 64}, {200, 1408}, {77, 48}}) {
      const at::Tensor w = (at::randn({N, K}, gen) * 0.05).to(at::kBFloat16).to(at::kFloat);
      const at::Tensor b = at::randn({N}, gen);
      const vsr::model::Linear layer(w, b);
      for (std::int64_t rows : {1, 5, 14, 16}) {
        const at::Tensor x = at::randn({rows, K}, gen) * 3;
        const at::Tensor want = at::linear(x.to(at::kDouble), w.to(at::kDouble), b.to(at::kDouble));
        const at::Tensor scale = at::linear(x.abs().to(at::kDouble), w.abs().to(at::kDouble)) + b.abs().to(at::kDouble);
        const double err = ((layer.forward(x).to(at::kDouble) - want).abs() / scale).max().item<double>();
        EXPECT_LT(err, 2e-6) << "amx " << amx << " N " << N << " K " << K << " rows " << rows;
      }
    }
  }
  vsr::model::allow_amx_kernel(true);
}

TEST(DecodeKernels, FewRowLinearFollowsInPlaceWeightUpdates) {
  at::NoGradGuard no_grad;
  at::Tensor w = at::randn({300, 32}).to(at::kBFloat16).to(at::kFloat);  // exact in bf16: the bf16 copy is used
  const vsr::model::Linear layer(w);
  const at::Tensor x = at::randn({14, 32});
  EXPECT_LT(max_rel_error(layer.forward(x), at::linear(x, w)), 1e-5);
  w.add_(1e-3);  // an optimiser step: no longer bf16-exact, and the cached copy is stale
  EXPECT_LT(max_rel_error(layer.forward(x), at::linear(x, w)), 1e-5);
  w.mul_(0).add_(0.5);  // bf16-exact again, other values
  EXPECT_LT(max_rel_error(layer.forward(x), at::linear(x, w)), 1e-6);
}

TEST(DecodeKernels, FewRowLinearOnlyWithoutAutograd) {
  at::Tensor w = at::randn({50, 16}).requires_grad_(true);
  const vsr::model::Linear layer(w);
  const at::Tensor x = at::randn({3, 16});
  const at::Tensor y = layer.forward(x);
  EXPECT_TRUE(at::equal(y, at::linear(x, w)));  // grad mode on: at::linear itself, bit for bit
  y.sum().backward();
  ASSERT_TRUE(w.grad().defined());
  EXPECT_TRUE(at::allclose(w.grad(), x.sum(0).expand({50, 16})));
}

TEST(DecodeKernels, FusedSamplerMatchesSoftmaxAndMasksStops) {
  vsr::model::SamplingOptions o;
  o.temperature = 1.5;
  o.max_new_tokens = 2;
  o.min_new_tokens = 1;  // the first token may not be a stop token
  o.stop_ids = {3};
  o.pad_id = 0;
  const at::Tensor row = at::tensor({0.5f, 1.0f, -1.0f, 2.0f, 0.0f});
  const std::int64_t n = 20000;
  const at::Tensor logits = row.unsqueeze(0).repeat({n, 1});
  auto gen = vsr::model::make_generator(5, at::kCPU);
  const auto g = vsr::model::generate_tokens(logits, [&](const at::Tensor&) { return logits; }, o, gen);
  ASSERT_EQ(g.tokens.size(1), 2);
  const at::Tensor first = g.tokens.select(1, 0).contiguous(), second = g.tokens.select(1, 1).contiguous();
  const at::Tensor scaled = row.to(at::kDouble) / 1.5;
  // step 1: stop token 3 masked, the rest renormalised
  at::Tensor want = scaled.softmax(0);
  want[3] = 0;
  want = want / want.sum();
  const at::Tensor c1 = at::bincount(first, {}, 5).to(at::kDouble) / double(n);
  EXPECT_EQ(c1[3].item<double>(), 0.0);
  EXPECT_LT((c1 - want).abs().max().item<double>(), 0.018);  // 5 sigma of 20000 draws
  // step 2: no mask (rows that drew the stop token at step 2 finished; the frequencies still follow the softmax)
  const at::Tensor c2 = at::bincount(second, {}, 5).to(at::kDouble) / double(n);
  EXPECT_LT((c2 - scaled.softmax(0)).abs().max().item<double>(), 0.018);
  // log-probs: under the unmasked, temperature-scaled distribution
  const at::Tensor lsm = (row / 1.5).log_softmax(0);
  EXPECT_TRUE(at::allclose(g.logprobs.select(1, 0), lsm.index_select(0, first), 1e-5, 1e-6));
}

TEST(DecodeKernels, FusedSamplerNeverPicksImpossibleTokens) {
  vsr::model::SamplingOptions o;
  o.max_new_tokens = 1;
  o.pad_id = 0;
  const float ninf = -std::numeric_limits<float>::infinity();
  const at::Tensor logits = at::tensor({ninf, 0.0f, ninf, ninf}).unsqueeze(0).repeat({500, 1});
  auto gen = vsr::model::make_generator(9, at::kCPU);
  const auto g = vsr::model::generate_tokens(logits, [&](const at::Tensor&) { return logits; }, o, gen);
  EXPECT_TRUE((g.tokens == 1).all().item<bool>());
  EXPECT_LT(g.logprobs.abs().max().item<float>(), 1e-6);
}

}  // namespace
