#include "vsr/model/sampler.hpp"

#include "vsr/core/error.hpp"
#include "vsr/runtime/parallel.hpp"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#if defined(VSR_WITH_CUDA)
#include <ATen/cuda/CUDAGeneratorImpl.h>
#endif


#include <algorithm>
#include <cmath>
#include <limits>
#include <mutex>

namespace vsr::model {

namespace {

constexpr float kNegInf = -std::numeric_limits<float>::infinity();

void check_options(const SamplingOptions& o) {
  if (o.top_k < 0) fail("<config>", "sampling.top_k", "expected 0 (off) or a positive count");
  if (!(o.top_p > 0.0 && o.top_p <= 1.0)) fail("<config>", "sampling.top_p", "expected a value in (0, 1]");
  if (o.max_new_tokens < 1) fail("<config>", "sampling.max_new_tokens", "expected a positive count");
  if (o.min_new_tokens < 0 || o.min_new_tokens > o.max_new_tokens)
    fail("<config>", "sampling.min_new_tokens", "expected a count between 0 and max_new_tokens");
  if (o.pad_id < 0) fail("<config>", "sampling.pad_id", "expected a padding id (with_model_stops takes the model's)");
}

/// One categorical draw per row of `probs` [B, V] (float32 CPU, rows summing to ~1, zeros allowed) by inversion: a
/// uniform u per row (drawn in row order from `generator`), then the first token whose cumulative probability
/// exceeds u * (row sum), the ids in `excluded` left out of both (the draw is then from the distribution renormalised
/// without them, as masking them to -inf before the softmax gives). Exactly categorical up to float rounding of the
/// cumulative sum (accumulated in double); one random number per row where torch 1.13's multinomial draws an
/// exponential per vocabulary entry. When `logp` is given it receives log(probs[b, chosen]) (float32 [B]).
at::Tensor sample_rows_cpu(const at::Tensor& probs_in, at::Generator& generator,
                           const std::vector<std::int64_t>& excluded = {}, at::Tensor* logp = nullptr) {
  const at::Tensor probs = probs_in.contiguous();
  const std::int64_t rows = probs.size(0), vocab = probs.size(1);
  std::vector<double> u(static_cast<std::size_t>(rows));
  {
    auto* gen = at::check_generator<at::CPUGeneratorImpl>(generator);
    std::lock_guard<std::mutex> lock(gen->mutex_);
    for (double& x : u) x = static_cast<double>(gen->random64() >> 11) * 0x1.0p-53;  // [0, 1), 53 bits
  }
  std::vector<std::int64_t> skip;
  for (std::int64_t id : excluded)
    if (id >= 0 && id < vocab) skip.push_back(id);
  std::sort(skip.begin(), skip.end());
  skip.erase(std::unique(skip.begin(), skip.end()), skip.end());
  at::Tensor out = at::empty({rows}, at::TensorOptions().dtype(at::kLong));
  at::Tensor lp = at::empty({rows}, at::TensorOptions().dtype(at::kFloat));
  const float* p = probs.data_ptr<float>();
  std::int64_t* o = out.data_ptr<std::int64_t>();
  float* l = lp.data_ptr<float>();
  // Blocked inversion: per-block sums (independent accumulators, so the compiler vectorises them), a walk over the
  // block sums, then a walk inside the one block where the target falls.
  constexpr std::int64_t kBlock = 256;
  const std::int64_t blocks = (vocab + kBlock - 1) / kBlock;
  vsr::parallel_for(0, rows, 1, [&](std::int64_t begin, std::int64_t end) {
    std::vector<double> block_sum(static_cast<std::size_t>(blocks));
    for (std::int64_t r = begin; r < end; ++r) {
      const float* row = p + r * vocab;
      for (std::int64_t b = 0; b < blocks; ++b) {
        const std::int64_t lo = b * kBlock, hi = std::min(vocab, lo + kBlock);
        double acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
        std::int64_t i = lo;
        for (; i + 8 <= hi; i += 8)
          for (int k = 0; k < 8; ++k) acc[k] += row[i + k] > 0.0f ? row[i + k] : 0.0f;
        for (; i < hi; ++i) acc[0] += row[i] > 0.0f ? row[i] : 0.0f;
        block_sum[static_cast<std::size_t>(b)] = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
      }
      for (std::int64_t id : skip)
        if (row[id] > 0.0f) block_sum[static_cast<std::size_t>(id / kBlock)] -= row[id];
      double total = 0;
      for (double v : block_sum) total += v;
      const double target = u[static_cast<std::size_t>(r)] * total;
      double cum = 0;
      std::int64_t pick = -1, last_positive = -1;
      for (std::int64_t b = 0; b < blocks && pick < 0; ++b) {
        const double bs = block_sum[static_cast<std::size_t>(b)];
        if (cum + bs <= target && b + 1 < blocks) {
          cum += bs;
          continue;
        }
        // The target falls in this block (or this is the last block): walk its tokens.
        const std::int64_t lo = b * kBlock, hi = std::min(vocab, lo + kBlock);
        for (std::int64_t i = lo; i < hi; ++i) {
          if (row[i] <= 0.0f || std::binary_search(skip.begin(), skip.end(), i)) continue;
          last_positive = i;
          cum += row[i];
          if (cum > target) {
            pick = i;
            break;
          }
        }
      }
      if (pick < 0 && last_positive < 0)  // rounding pushed the target past a block: the last possible token
        for (std::int64_t i = vocab - 1; i >= 0 && last_positive < 0; --i)
          if (row[i] > 0.0f && !std::binary_search(skip.begin(), skip.end(), i)) last_positive = i;
      if (pick < 0) pick = last_positive >= 0 ? last_positive : 0;
      o[r] = pick;
      l[r] = static_cast<float>(std::log(static_cast<double>(row[pick])));
    }
  });
  if (logp != nullptr) *logp = lp;
  return out;
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
  if (probs.device().is_cpu() && probs.scalar_type() == at::kFloat && probs.dim() == 2) return sample_rows_cpu(probs, generator);
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

  // Plain temperature sampling on the CPU (the GRPO rollout case): one softmax, then the draw, the stop-token mask
  // and the chosen token's log-prob straight from it, with no [B, V] temporaries beyond the softmax itself.
  const bool fused = !o.greedy() && o.top_k == 0 && o.top_p >= 1.0 && device.is_cpu();
  std::vector<std::int64_t> stops_and_suppressed = o.stop_ids;
  stops_and_suppressed.insert(stops_and_suppressed.end(), o.suppress_ids.begin(), o.suppress_ids.end());

  at::Tensor logits = first_logits;
  int steps = 0;
  for (int t = 0; t < o.max_new_tokens; ++t) {
    at::Tensor raw = logits.to(at::kFloat);
    at::Tensor chosen, logp;
    if (fused) {
      const at::Tensor probs = (scale == 1.0 ? raw : raw / scale).softmax(-1);
      chosen = sample_rows_cpu(probs, generator, t < o.min_new_tokens ? stops_and_suppressed : o.suppress_ids, &logp);
    } else {
      at::Tensor masked = raw;
      if (t < o.min_new_tokens && stops.numel() > 0) masked = raw.index_fill(1, stops, kNegInf);
      if (suppressed.numel() > 0) masked = masked.index_fill(1, suppressed, kNegInf);
      chosen = choose_tokens(masked, o, generator);
      logp = (scale == 1.0 ? raw : raw / scale).log_softmax(-1).gather(1, chosen.unsqueeze(1)).squeeze(1);
    }
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
