#pragma once
/// @file
/// Qwen2-VL (Qwen2VLForConditionalGeneration of transformers 4.45.1; Wang et al. 2024, arXiv 2409.12191): the vision
/// tower, the decoder, checkpoint loading, and the entry points a sampler and a GRPO trainer call: teacher-forced
/// forward + token log-probs (autograd), and KV-cached prefill / decode steps for batched generation.

#include "vsr/model/config.hpp"
#include "vsr/model/kv_cache.hpp"
#include "vsr/model/linear.hpp"
#include "vsr/model/rope.hpp"
#include "vsr/model/text.hpp"
#include "vsr/model/vision.hpp"

#include <ATen/core/Tensor.h>

#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace vsr::model {

/// One batch of prompts (or prompt + completion sequences) with their images and videos, as the processor makes them.
struct MultimodalInputs {
  at::Tensor input_ids;            ///< int64 [B, L] (or [L]); left-padded, pads expanded to t*h*w/4 tokens each
  at::Tensor attention_mask;       ///< [B, L] 1 = token, 0 = padding; undefined = all ones
  at::Tensor pixel_values;         ///< float [N, C*2*14*14]: every image of the batch, in reading order
  at::Tensor image_grid_thw;       ///< int64 [n_images, 3]
  at::Tensor pixel_values_videos;  ///< float [N', C*2*14*14]: every video of the batch, in reading order
  at::Tensor video_grid_thw;       ///< int64 [n_videos, 3]
};

/// Intermediates of one forward (conformance checks, debugging).
struct ForwardTrace {
  VisionTrace image;          ///< vision tower on the images (empty when none)
  VisionTrace video;          ///< vision tower on the videos (empty when none)
  RopeIndex rope;             ///< M-RoPE position ids [3, B, L] and deltas [B]
  at::Tensor inputs_embeds;   ///< [B, L, hidden] token embeddings with vision features scattered in
  TextTrace text;             ///< decoder intermediates
};

/// Output of greedy().
struct GreedyOutput {
  at::Tensor tokens;       ///< int64 [B, S]: generated tokens (after eos, a row holds the pad/eos filler)
  at::Tensor step_logits;  ///< float32 [B, S, vocab] when asked for, else undefined
};

/// The Qwen2-VL model.
class Qwen2VL {
 public:
  /// Loads `dir` (config.json + *.safetensors with Hugging Face names), converting every weight to `dtype` (BF16 on
  /// disk -> float32 is exact) on `device`. vsr::Error naming the tensor and the file on a missing, unexpected or
  /// wrongly shaped weight. When tie_word_embeddings holds, a stored lm_head.weight is ignored.
  static Qwen2VL from_pretrained(const std::filesystem::path& dir, at::ScalarType dtype = at::kFloat,
                                 at::Device device = at::kCPU);
  /// Builds the model from named tensors (same contract as from_pretrained; `source` names them in errors).
  static Qwen2VL from_tensors(const Qwen2VLConfig& config, const std::map<std::string, at::Tensor>& weights,
                              at::ScalarType dtype = at::kFloat, at::Device device = at::kCPU,
                              const std::string& source = "<tensors>");

  /// The configuration.
  const Qwen2VLConfig& config() const { return config_; }
  /// Compute dtype of the weights.
  at::ScalarType dtype() const { return dtype_; }
  /// Device of the weights.
  at::Device device() const { return device_; }
  /// The vision tower.
  VisionTower& visual() { return visual_; }
  /// The vision tower.
  const VisionTower& visual() const { return visual_; }
  /// The decoder.
  TextDecoder& text() { return text_; }
  /// The decoder.
  const TextDecoder& text() const { return text_; }

  /// M-RoPE position ids and deltas of `inputs` (get_rope_index with the attention mask).
  RopeIndex rope_index(const MultimodalInputs& inputs) const;
  /// embed_tokens(input_ids) with the vision tower's image then video features written, in order, into the
  /// <|image_pad|> / <|video_pad|> positions. vsr::Error if the pad counts and the features disagree.
  at::Tensor embed_inputs(const MultimodalInputs& inputs, ForwardTrace* trace = nullptr) const;

  /// Teacher-forced forward without a cache: final hidden states [B, L, hidden]. Keeps autograd (training path).
  at::Tensor forward(const MultimodalInputs& inputs, ForwardTrace* trace = nullptr) const;

  /// forward() for G rows that begin with the same `prompt_length` tokens and the same pictures (a GRPO group:
  /// one prompt, G completions; each row's images / videos given once per row, as SampleEncoder stacks them): the
  /// prompt, vision tower included, runs once and the rows' remaining tokens attend to it
  /// (TextDecoder::forward_shared_prefix). Returns [G, L, hidden] equal to forward(rows) to float32 rounding
  /// wherever a row's attention_mask is 1; the prompt's states are shared (expanded). vsr::Error when the rows do
  /// not share the prompt, or when it has padding.
  at::Tensor forward_shared_prompt(const MultimodalInputs& rows, std::int64_t prompt_length) const;

  /// A cache for `batch` rows and `capacity` positions in the model's dtype and device.
  KvCache new_cache(std::int64_t batch, std::int64_t capacity) const;
  /// Prefill: runs the prompt batch into an empty cache of the same batch size (stores its rope deltas) and returns
  /// the final hidden states [B, L, hidden]. No autograd.
  at::Tensor prefill(const MultimodalInputs& inputs, KvCache& cache, ForwardTrace* trace = nullptr) const;
  /// One decode step: appends `tokens` int64 [B] (one per row) at index cache.length(), position
  /// cache.length() + delta on all three axes; returns the final hidden states [B, hidden]. No autograd.
  at::Tensor decode_step(const at::Tensor& tokens, KvCache& cache) const;

  /// float32 logits at chosen positions: `hidden` [B, L, hidden], `positions` int64 [B] -> [B, vocab] or [B, K] ->
  /// [B, K, vocab]. `hidden` [B, hidden] (a decode step) with undefined positions -> [B, vocab].
  at::Tensor logits_at(const at::Tensor& hidden, const at::Tensor& positions = {}) const;
  /// float32 log-probabilities of the tokens themselves: out[b, t] = log p(input_ids[b, t] | input_ids[b, <t]) where
  /// `target_mask` [B, L] is set (t >= 1), 0 elsewhere. Only the masked positions' logits are computed, `chunk` rows
  /// of the vocabulary projection at a time. Differentiable when `hidden` is.
  at::Tensor token_log_probs(const at::Tensor& hidden, const at::Tensor& input_ids, const at::Tensor& target_mask,
                             std::int64_t chunk = 256) const;

  /// Greedy decoding with the KV cache (argmax; a row is finished once it emits one of config().eos_token_ids and is
  /// then filled with pad_token_id or the first eos id; stops when all rows are finished or after `max_new_tokens`),
  /// as Hugging Face `generate(do_sample=False)`.
  GreedyOutput greedy(const MultimodalInputs& inputs, std::int64_t max_new_tokens, bool keep_logits = false) const;

  /// Every weight with its Hugging Face name (shared handles: set requires_grad or copy into them in place).
  std::vector<std::pair<std::string, at::Tensor*>> named_parameters();
  /// Every Linear with its Hugging Face module name, for attaching LoRA adapters.
  std::vector<std::pair<std::string, Linear*>> named_linears();

 private:
  explicit Qwen2VL(const Qwen2VLConfig& config);
  Qwen2VLConfig config_;
  VisionTower visual_;
  TextDecoder text_;
  at::ScalarType dtype_ = at::kFloat;
  at::Device device_ = at::kCPU;
};

/// The Hugging Face name and shape of every weight a checkpoint of `config` holds (lm_head.weight only when the
/// embeddings are untied): the loading contract of Qwen2VL::from_pretrained.
std::map<std::string, std::vector<std::int64_t>> expected_weight_shapes(const Qwen2VLConfig& config);

/// Randomly initialised weights for `config` as transformers initialises Qwen2-VL (normal(0, `std`) for linear and
/// embedding weights, zero biases, unit norm weights), from a seeded generator: for benchmarks, tests and toy
/// base models.
std::map<std::string, at::Tensor> random_weights(const Qwen2VLConfig& config, std::uint64_t seed, double std = 0.02);

}  // namespace vsr::model
