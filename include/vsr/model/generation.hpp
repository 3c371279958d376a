#pragma once
/// @file
/// Sampling from Qwen2-VL: a batch of prompts (one prefill, then one decode step per token through the sampler),
/// and GRPO's rollout group: G continuations of one prompt that share its prefill, so the vision tower and the
/// prompt run once per question, not G times (vsGRPO samples G = 14 rollouts per question).

#include "vsr/model/qwen2vl.hpp"
#include "vsr/model/sampler.hpp"

#include <ATen/core/Generator.h>

namespace vsr::model {

/// Continuations of every row of `prompts` (left-padded batch) with the KV cache; tokens, log-probs, lengths.
Generation generate(const Qwen2VL& model, const MultimodalInputs& prompts, const SamplingOptions& options,
                    at::Generator& generator);

/// `group_size` continuations of the single prompt `prompt` (a batch of one): the prompt is prefilled once and its
/// cache repeated `group_size` times before sampling.
Generation sample_group(const Qwen2VL& model, const MultimodalInputs& prompt, std::int64_t group_size,
                        const SamplingOptions& options, at::Generator& generator);

/// The model's stop tokens (its config's eos ids) when `options` names none; `options` unchanged otherwise.
SamplingOptions with_model_stops(SamplingOptions options, const Qwen2VL& model);

}  // namespace vsr::model
