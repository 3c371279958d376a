#include "vsr/model/sampler.hpp"

#include "vsr/core/error.hpp"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#if defined(VSR_WITH_CUDA)
#include <ATen/cuda/CUDAGeneratorImpl.h>
#endif

#include <limits>

namespace vsr::model {

namespace {

constexpr float kNegInf = -std::numeric_limits<float>::infinity();

void check_options(const SamplingOptions& o) {
  if (o.top_k < 0) fail("<config>", "sampling.top_k", "expected 0 (off) or a positive count");
  if (!(o.top_p > 0.0 && o.top_p <= 1.0)) fail("<config>", "sampling.top_p", "expected a value in (0, 1]");
  if (o.max_new_tokens < 1) fail("<config>", "sampling.max_new_tokens", "expected a positive count");
  if (o.min_new_tokens < 0 || o.min_new_tokens > o.max_new_tokens)
    fail("<config>", "sampling.min_new_tokens", "expected a count between 0 and max_new_tokens");
}

}  // namespace

at::Tensor warp_logits(const at::Tensor& logits, const SamplingOptions& o) {
  at::Tensor scores = logits.to(at::kFloat);
  if (o.temperature > 0.0 && o.temperature != 1.0) scores = scores / o.temperature;
  const std::int64_t vocab = scores.size(-1);
  if (o.top_k > 0 && o.top_k < vocab) {
    const at::Tensor kth = std::get<0>(scores.topk(o.top_k, -1)).narrow(-1, o.top_k - 1, 1);
    scores = scores.masked_fill(scores < kth, kNegInf);
  }
  if (o.top_p < 1.0) {
    // transformers' TopPLogitsWarper: sort ascending, drop the prefix whose cumulative mass is <= 1 - top_p,
    // always keeping the most likely token.
    auto [sorted, order] = scores.sort(-1, /*descending=*/false);
    at::Tensor cumulative = sorted.softmax(-1).cumsum(-1);
    at::Tensor remove_sorted = cumulative <= (1.0 - o.top_p);
    remove_sorted.narrow(-1, vocab - 1, 1).fill_(false);
    at::Tensor remove = remove_sorted.scatter(-1, order, remove_sorted);
    scores = scores.masked_fill(remove, kNegInf);
  }
  return scores;
}

at::Tensor choose_tokens(const at::Tensor& logits, const SamplingOptions& o, at::Generator& generator) {
  if (o.greedy()) return logits.argmax(-1);
  const at::Tensor probs = warp_logits(logits, o).softmax(-1);
  return at::multinomial(probs, 1, /*replacement=*/false, generator).squeeze(-1);
}

Generation generate_tokens(const at::Tensor& first_logits, const StepFunction& step, const SamplingOptions& o,
                           at::Generator& generator) {
  check_options(o);
  TORCH_CHECK(first_logits.dim() == 2, "generate_tokens: logits must be [B, V]");
  const auto device = first_logits.device();
  const std::int64_t batch = first_logits.size(0);
  const auto long_opts = at::TensorOptions().dtype(at::kLong).device(device);
  at::Tensor tokens = at::full({batch, o.max_new_tokens}, o.pad_id, long_opts);
  at::Tensor logprobs = at::zeros({batch, o.max_new_tokens}, at::TensorOptions().dtype(at::kFloat).device(device));
  at::Tensor lengths = at::zeros({batch}, long_opts);
  at::Tensor finished = at::zeros({batch}, at::TensorOptions().dtype(at::kBool).device(device));
  const at::Tensor stops = at::tensor(o.stop_ids, at::kLong).to(device);
  const at::Tensor suppressed = at::tensor(o.suppress_ids, at::kLong).to(device);
  const double scale = o.greedy() ? 1.0 : o.temperature;

  at::Tensor logits = first_logits;
  int steps = 0;
  for (int t = 0; t < o.max_new_tokens; ++t) {
    at::Tensor raw = logits.to(at::kFloat);
    at::Tensor masked = raw;
    if (t < o.min_new_tokens && stops.numel() > 0) masked = raw.index_fill(1, stops, kNegInf);
    if (suppressed.numel() > 0) masked = masked.index_fill(1, suppressed, kNegInf);
    at::Tensor chosen = choose_tokens(masked, o, generator);
    at::Tensor logp = (raw / scale).log_softmax(-1).gather(1, chosen.unsqueeze(1)).squeeze(1);
    const at::Tensor active = finished.logical_not();
    chosen = at::where(active, chosen, at::full_like(chosen, o.pad_id));
    tokens.select(1, t).copy_(chosen);
    logprobs.select(1, t).copy_(at::where(active, logp, at::zeros_like(logp)));
    lengths += active.to(at::kLong);
    if (stops.numel() > 0) finished = finished.logical_or(active.logical_and(at::isin(chosen, stops)));
    steps = t + 1;
    if (steps == o.max_new_tokens || finished.all().item<bool>()) break;
    logits = step(chosen);
  }
  return {tokens.narrow(1, 0, steps).contiguous(), logprobs.narrow(1, 0, steps).contiguous(), lengths, finished};
}

at::Generator make_generator(std::uint64_t seed, const at::Device& device) {
  if (device.is_cuda()) {
#if defined(VSR_WITH_CUDA)
    at::Generator gen = at::cuda::detail::createCUDAGenerator(device.index());
    gen.set_current_seed(seed);
    return gen;
#else
    fail("<config>", "runtime.device", "a CUDA generator was asked for in a build without CUDA");
#endif
  }
  return at::detail::createCPUGenerator(seed);
}

}  // namespace vsr::model
