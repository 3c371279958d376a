// Qwen2VL::token_log_probs (one fused lm_head + log_softmax + gather autograd node per chunk) against the plain
// composition of ATen ops: the same log-probs and gradients (hidden states, lm_head weight), as close to the float64
// truth as ATen's float32 composition is.
#include "model_support.hpp"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>
#include <torch/csrc/autograd/autograd.h>

#include <array>

namespace {

TEST(FusedLogProbs, ValuesAndGradientsEqualThePlainComposition) {
  auto model = vsr::model::Qwen2VL::from_pretrained(vsr::test::tiny_dir() / "model");
  const std::string head = model.config().tie_word_embeddings ? "model.embed_tokens.weight" : "lm_head.weight";
  at::Tensor* found = nullptr;
  for (auto& [name, p] : model.named_parameters())
    if (name == head) found = p;
  ASSERT_NE(found, nullptr) << head;
  at::Tensor& w = *found;
  ASSERT_EQ(w.size(0), model.config().vocab_size);
  w.requires_grad_(true);
  auto gen = at::make_generator<at::CPUGeneratorImpl>(3);
  const at::Tensor ids = at::randint(0, 151643, {2, 9}, gen);
  at::Tensor mask = at::zeros_like(ids);
  mask.narrow(1, 3, 6).fill_(1);
  const at::Tensor hidden0 = at::randn({2, 9, model.config().hidden_size}, gen);

  // fused (chunk 4: several chunks, the last one short)
  const at::Tensor h1 = hidden0.clone().requires_grad_(true);
  const at::Tensor lp1 = model.token_log_probs(h1, ids, mask, /*chunk=*/4);
  (lp1 * at::arange(18, at::kFloat).view({2, 9})).sum().backward();
  const at::Tensor gw1 = w.grad().clone(), gh1 = h1.grad().clone();
  w.mutable_grad() = at::Tensor();

  // The plain ATen composition in float32 (the accuracy to match) and in float64 (the truth).
  auto plain = [&](at::ScalarType dtype) {
    const at::Tensor h = hidden0.detach().to(dtype).clone().requires_grad_(true);
    const at::Tensor wd = w.detach().to(dtype).clone().requires_grad_(true);
    const at::Tensor states = h.narrow(1, 2, 6).reshape({-1, h.size(2)});
    const at::Tensor targets = ids.narrow(1, 3, 6).reshape({-1});
    const at::Tensor lp = at::log_softmax(at::linear(states, wd), -1).gather(1, targets.unsqueeze(1)).view({2, 6});
    (lp * at::arange(18, dtype).view({2, 9}).narrow(1, 3, 6)).sum().backward();
    return std::array<at::Tensor, 3>{lp.detach(), h.grad(), wd.grad()};
  };
  const auto f32 = plain(at::kFloat), f64 = plain(at::kDouble);
  // Largest error against float64, relative to the largest float64 magnitude.
  auto err = [](const at::Tensor& got, const at::Tensor& truth) {
    return ((got.to(at::kDouble) - truth).abs().max() / truth.abs().max()).item<double>();
  };
  const std::array<at::Tensor, 3> fused{lp1.narrow(1, 3, 6).detach(), gh1, gw1};
  for (int i = 0; i < 3; ++i) {
    SCOPED_TRACE(i == 0 ? "log-probs" : i == 1 ? "hidden gradient" : "weight gradient");
    EXPECT_LT(err(fused[i], f64[i]), 1e-5);
    EXPECT_LT(err(fused[i], f64[i]), 2 * err(f32[i], f64[i]) + 1e-7);  // no less accurate than ATen's float32
  }
  EXPECT_TRUE(at::equal(lp1.narrow(1, 0, 3).detach(), at::zeros({2, 3})));
  w.requires_grad_(false);
  w.mutable_grad() = at::Tensor();
}

}  // namespace
