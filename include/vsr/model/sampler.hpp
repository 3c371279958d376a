#pragma once
/// @file
/// The token sampler of generation and GRPO rollouts: greedy, temperature, top-k and top-p (nucleus) sampling with
/// stop tokens, min/max new tokens and a seedable generator, over a batch of sequences. It is model-agnostic: the
/// model is a step function that takes the tokens just chosen and returns the next logits, so the same loop drives
/// Qwen2-VL with its KV cache and the unit tests' toy models. Semantics follow transformers' `generate`
/// (TemperatureLogitsWarper, TopKLogitsWarper, TopPLogitsWarper, in that order; EOS masked below min_new_tokens).

#include "vsr/core/config.hpp"

#include <ATen/core/Generator.h>
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <functional>
#include <vector>

namespace vsr::model {

/// Options of the `[sampling]` section.
struct SamplingOptions {
  static constexpr const char* kSection = "sampling";
  double temperature = 1.0;          ///< softmax temperature; 0 means greedy (the paper samples rollouts at 1.0)
  int top_k = 0;                     ///< keep the k most likely tokens; 0 = all
  double top_p = 1.0;                ///< keep the smallest set of tokens whose probability reaches top_p; 1 = all
  int max_new_tokens = 256;          ///< generation length limit
  int min_new_tokens = 0;            ///< stop tokens are masked until this many tokens were generated
  std::vector<std::int64_t> stop_ids;  ///< a row finishes when it samples one of these (e.g. <|im_end|>, <|endoftext|>)
  std::vector<std::int64_t> suppress_ids;  ///< never sampled (vision placeholders: a sampled <|video_pad|> would be
                                           ///< read as a video slot when the completion is fed back for training)
  /// Written after a row has finished. -1: not set; with_model_stops() then takes the model config's pad_token_id,
  /// else its bos_token_id (Qwen2-VL's <|endoftext|>), else its first eos id: no vocabulary's ids are assumed.
  std::int64_t pad_id = -1;

  /// Declares temperature, top_k, top_p, max_new_tokens, min_new_tokens.
  void describe(OptionSet& set) {
    set.add("temperature", temperature, "softmax temperature (0 = greedy)")
        .add("top_k", top_k, "keep the k most likely tokens (0 = all)")
        .add("top_p", top_p, "nucleus sampling mass (1 = all)")
        .add("max_new_tokens", max_new_tokens, "most tokens generated per sequence")
        .add("min_new_tokens", min_new_tokens, "stop tokens are masked before this many tokens");
  }

  /// True when sampling reduces to argmax.
  bool greedy() const { return temperature <= 0.0; }
};

/// What a generation returns, for a batch of B sequences and at most T new tokens.
struct Generation {
  at::Tensor tokens;    ///< int64 [B, T]: chosen tokens, pad_id after a row finished (the stop token itself is kept)
  at::Tensor logprobs;  ///< float32 [B, T]: log-prob of each chosen token under the temperature-scaled, un-truncated
                        ///< distribution log_softmax(logits / T) (plain log_softmax when greedy); 0 after finishing
  at::Tensor lengths;   ///< int64 [B]: generated tokens per row, the stop token included
  at::Tensor finished;  ///< bool [B]: whether the row stopped on a stop token (false: it hit max_new_tokens)
};

/// The model, seen by the sampler: given the tokens chosen at this step (int64 [B]) it advances every row by one
/// position and returns the logits for the next token (float [B, V]).
using StepFunction = std::function<at::Tensor(const at::Tensor& tokens)>;

/// Applies temperature, top-k and top-p to logits [B, V]: removed tokens get -inf. Exposed for tests.
at::Tensor warp_logits(const at::Tensor& logits, const SamplingOptions& options);

/// Chooses one token per row from logits [B, V] (argmax when greedy, else a categorical sample of the warped logits).
at::Tensor choose_tokens(const at::Tensor& logits, const SamplingOptions& options, at::Generator& generator);

/// Runs generation from the logits after the prompt (`first_logits`, [B, V]), calling `step` for every further token
/// until every row has finished or max_new_tokens is reached.
Generation generate_tokens(const at::Tensor& first_logits, const StepFunction& step, const SamplingOptions& options,
                           at::Generator& generator);

/// A random generator for `device` seeded with `seed` (CPU, or the CUDA device in a CUDA build).
at::Generator make_generator(std::uint64_t seed, const at::Device& device);

}  // namespace vsr::model
