// Tests of the token sampler: warpers against hand-computed masks, categorical sampling against the softmax
// distribution, greedy decoding, stop tokens, min_new_tokens and log-probs.
#include "vsr/core/error.hpp"
#include "vsr/model/sampler.hpp"

#include <ATen/ATen.h>
#include <gtest/gtest.h>

using vsr::model::SamplingOptions;

namespace {
at::Tensor row(std::vector<float> v) { return at::tensor(v).unsqueeze(0); }
}  // namespace

TEST(Sampler, TopKKeepsKLargest) {
  SamplingOptions o;
  o.top_k = 2;
  const auto w = vsr::model::warp_logits(row({1, 4, 3, 2}), o);
  EXPECT_TRUE(std::isinf(w[0][0].item<float>()));
  EXPECT_FLOAT_EQ(w[0][1].item<float>(), 4);
  EXPECT_FLOAT_EQ(w[0][2].item<float>(), 3);
  EXPECT_TRUE(std::isinf(w[0][3].item<float>()));
}

TEST(Sampler, TopPKeepsSmallestSetReachingMass) {
  // probabilities 0.5, 0.3, 0.15, 0.05: top_p 0.75 keeps {0.5, 0.3}; top_p 0.8 keeps {0.5, 0.3} (0.95 cut at <= 0.2)
  SamplingOptions o;
  o.top_p = 0.75;
  const auto logits = row({std::log(0.5f), std::log(0.3f), std::log(0.15f), std::log(0.05f)});
  auto kept = vsr::model::warp_logits(logits, o).isfinite();
  EXPECT_TRUE(kept.equal(at::tensor({1, 1, 0, 0}).to(at::kBool).unsqueeze(0)));
  o.top_p = 0.81;  // mass of the dropped tail must be <= 0.19: only 0.05 can go... and 0.15+0.05=0.2 > 0.19
  kept = vsr::model::warp_logits(logits, o).isfinite();
  EXPECT_TRUE(kept.equal(at::tensor({1, 1, 1, 0}).to(at::kBool).unsqueeze(0)));
  o.top_p = 0.01;  // always keeps the most likely token
  kept = vsr::model::warp_logits(logits, o).isfinite();
  EXPECT_TRUE(kept.equal(at::tensor({1, 0, 0, 0}).to(at::kBool).unsqueeze(0)));
}

TEST(Sampler, CategoricalSampleMatchesSoftmax) {
  SamplingOptions o;
  o.temperature = 2.0;
  const auto logits = at::tensor({0.0f, 1.0f, 2.0f, 3.0f, -1.0f}).unsqueeze(0).repeat({20000, 1});
  auto gen = vsr::model::make_generator(7, at::kCPU);
  const auto chosen = vsr::model::choose_tokens(logits, o, gen);
  const auto counts = at::bincount(chosen, {}, 5).to(at::kDouble) / 20000.0;
  const auto want = (logits[0].to(at::kDouble) / 2.0).softmax(0);
  // 20000 draws: the standard error of each frequency is < 0.0036; allow 5 sigma.
  EXPECT_LT((counts - want).abs().max().item<double>(), 0.018);
}

TEST(Sampler, SameSeedSameSample) {
  SamplingOptions o;
  const auto logits = at::randn({4, 50});
  auto g1 = vsr::model::make_generator(3, at::kCPU), g2 = vsr::model::make_generator(3, at::kCPU);
  EXPECT_TRUE(vsr::model::choose_tokens(logits, o, g1).equal(vsr::model::choose_tokens(logits, o, g2)));
}

namespace {
/// A toy model: the next token is (last + 1) mod V with near certainty.
struct CountingModel {
  int64_t vocab = 6;
  at::Tensor operator()(const at::Tensor& tokens) const {
    auto next = (tokens + 1).remainder(vocab);
    return at::one_hot(next, vocab).to(at::kFloat) * 20.0f;
  }
};
}  // namespace

TEST(Sampler, GreedyStopsPerRowAndPads) {
  SamplingOptions o;
  o.temperature = 0;
  o.max_new_tokens = 6;
  o.stop_ids = {4};
  o.pad_id = 0;
  CountingModel model;
  const auto first = model(at::tensor({0, 2}, at::kLong));  // row 0 starts at 1, row 1 at 3
  auto gen = vsr::model::make_generator(1, at::kCPU);
  const auto g = vsr::model::generate_tokens(first, model, o, gen);
  EXPECT_TRUE(g.tokens.equal(at::tensor({1, 2, 3, 4, 3, 4, 0, 0}, at::kLong).view({2, 4}))) << g.tokens;
  EXPECT_TRUE(g.lengths.equal(at::tensor({4, 2}, at::kLong)));
  EXPECT_TRUE(g.finished.all().item<bool>());
  // log-probs of near-certain tokens are ~0, and exactly 0 after a row finished
  EXPECT_LT(g.logprobs.abs().max().item<float>(), 1e-6);
  EXPECT_EQ(g.logprobs[1][3].item<float>(), 0.0f);
}

TEST(Sampler, MinNewTokensMasksStopTokens) {
  SamplingOptions o;
  o.temperature = 0;
  o.max_new_tokens = 5;
  o.min_new_tokens = 5;
  o.stop_ids = {1};
  o.pad_id = 0;
  const auto logits = at::tensor({0.0f, 5.0f, 1.0f}).unsqueeze(0);  // token 1 (stop) is the argmax
  auto gen = vsr::model::make_generator(1, at::kCPU);
  const auto g = vsr::model::generate_tokens(logits, [&](const at::Tensor&) { return logits; }, o, gen);
  EXPECT_TRUE(g.tokens.equal(at::full({1, 5}, 2, at::kLong)));
  EXPECT_FALSE(g.finished.item<bool>());
  // log-prob of token 2 under the unmasked softmax
  const float want = at::tensor({0.0f, 5.0f, 1.0f}).log_softmax(0)[2].item<float>();
  EXPECT_NEAR(g.logprobs[0][0].item<float>(), want, 1e-6);
}

TEST(Sampler, BadOptionsNameTheKey) {
  SamplingOptions o;
  o.top_p = 1.5;
  auto gen = vsr::model::make_generator(1, at::kCPU);
  try {
    vsr::model::generate_tokens(at::zeros({1, 3}), [](const at::Tensor& t) { return t; }, o, gen);
    FAIL();
  } catch (const vsr::Error& e) {
    EXPECT_EQ(e.field(), "sampling.top_p");
  }
}

TEST(Sampler, UnsetPadIdIsAnErrorNamingIt) {
  SamplingOptions o;  // pad_id -1: no vocabulary's padding id is assumed
  auto gen = vsr::model::make_generator(1, at::kCPU);
  try {
    vsr::model::generate_tokens(at::zeros({1, 3}), [](const at::Tensor& t) { return t; }, o, gen);
    FAIL();
  } catch (const vsr::Error& e) {
    EXPECT_EQ(e.field(), "sampling.pad_id");
  }
}
