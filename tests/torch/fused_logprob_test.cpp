// Qwen2VL::token_log_probs (one fused lm_head + log_softmax + gather autograd node per chunk) against the plain
// composition of ATen ops: same log-probs, same gradients for the hidden states and the lm_head weight.
#include "model_support.hpp"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>
#include <torch/csrc/autograd/autograd.h>

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

  // plain ATen composition
  const at::Tensor h2 = hidden0.clone().requires_grad_(true);
  const at::Tensor states = h2.narrow(1, 2, 6).reshape({-1, h2.size(2)});
  const at::Tensor targets = ids.narrow(1, 3, 6).reshape({-1});
  const at::Tensor lp = at::log_softmax(at::linear(states, w), -1).gather(1, targets.unsqueeze(1)).view({2, 6});
  (lp * at::arange(18, at::kFloat).view({2, 9}).narrow(1, 3, 6)).sum().backward();

  EXPECT_TRUE(at::equal(lp1.narrow(1, 3, 6).detach(), lp.detach()));  // same kernels: bit-identical values
  EXPECT_TRUE(at::equal(lp1.narrow(1, 0, 3).detach(), at::zeros({2, 3})));
  EXPECT_TRUE(at::allclose(gh1, h2.grad(), 1e-4, 1e-6));
  EXPECT_TRUE(at::allclose(gw1, w.grad(), 1e-4, 1e-6));
  w.requires_grad_(false);
  w.mutable_grad() = at::Tensor();
}

}  // namespace
