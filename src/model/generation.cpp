#include "vsr/model/generation.hpp"

#include "vsr/core/error.hpp"

#include <ATen/ATen.h>

namespace vsr::model {

namespace {

/// Runs the sampler from the last prompt position of `hidden`, advancing `cache` one token per step.
Generation sample_from(const Qwen2VL& model, const at::Tensor& first_logits, KvCache& cache,
                       const SamplingOptions& options, at::Generator& generator) {
  const StepFunction step = [&](const at::Tensor& tokens) { return model.logits_at(model.decode_step(tokens, cache)); };
  return generate_tokens(first_logits, step, options, generator);
}

at::Tensor last_position_logits(const Qwen2VL& model, const at::Tensor& hidden) {
  const std::int64_t batch = hidden.size(0), length = hidden.size(1);
  return model.logits_at(hidden, at::full({batch}, length - 1, at::TensorOptions().dtype(at::kLong).device(hidden.device())));
}

}  // namespace

Generation generate(const Qwen2VL& model, const MultimodalInputs& prompts, const SamplingOptions& options,
                    at::Generator& generator) {
  at::NoGradGuard no_grad;
  const at::Tensor ids = prompts.input_ids.dim() == 1 ? prompts.input_ids.unsqueeze(0) : prompts.input_ids;
  KvCache cache = model.new_cache(ids.size(0), ids.size(1) + options.max_new_tokens);
  const at::Tensor hidden = model.prefill(prompts, cache);
  return sample_from(model, last_position_logits(model, hidden), cache, options, generator);
}

Generation sample_group(const Qwen2VL& model, const MultimodalInputs& prompt, std::int64_t group_size,
                        const SamplingOptions& options, at::Generator& generator) {
  at::NoGradGuard no_grad;
  const at::Tensor ids = prompt.input_ids.dim() == 1 ? prompt.input_ids.unsqueeze(0) : prompt.input_ids;
  if (ids.size(0) != 1) fail("<inputs>", "input_ids", "sample_group takes one prompt (a batch of one)");
  if (group_size < 1) fail("<config>", "grpo.group_size", "expected a positive number of rollouts");
  KvCache single = model.new_cache(1, ids.size(1) + options.max_new_tokens);
  const at::Tensor hidden = model.prefill(prompt, single);
  const at::Tensor first = last_position_logits(model, hidden).expand({group_size, -1}).contiguous();
  KvCache group = single.repeat_rows(group_size);
  return sample_from(model, first, group, options, generator);
}

SamplingOptions with_model_stops(SamplingOptions options, const Qwen2VL& model) {
  if (options.stop_ids.empty()) options.stop_ids = model.config().eos_token_ids;
  const auto& c = model.config();
  if (c.pad_token_id) options.pad_id = *c.pad_token_id;
  else if (options.pad_id < 0 && c.bos_token_id) options.pad_id = *c.bos_token_id;
  else if (options.pad_id < 0 && !options.stop_ids.empty()) options.pad_id = options.stop_ids.front();
  return options;
}

}  // namespace vsr::model
