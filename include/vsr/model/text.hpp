#pragma once
/// @file
/// The Qwen2 decoder of Qwen2-VL (Qwen2VLModel + lm_head of transformers 4.45.1, eager attention): token embedding,
/// pre-norm layers with grouped-query attention under M-RoPE and a SiLU-gated MLP, final RMSNorm, and an lm_head that
/// is only ever applied to the positions a caller reads.

#include "vsr/model/config.hpp"
#include "vsr/model/kv_cache.hpp"
#include "vsr/model/linear.hpp"

#include <ATen/core/Tensor.h>

#include <string>
#include <utility>
#include <vector>

namespace vsr::model {

/// Intermediate tensors of one decoder forward.
struct TextTrace {
  at::Tensor cos, sin;                   ///< merged M-RoPE tables [B, L, head_dim] actually applied to q/k
  std::vector<at::Tensor> layer_outputs; ///< [B, L, hidden] residual stream after each layer
  at::Tensor final_hidden;               ///< [B, L, hidden] after the final RMSNorm
};

/// One decoder layer: x += o(attn(RMSNorm(x))); x += down(SiLU(gate(y)) * up(y)) with y = RMSNorm(x).
struct DecoderLayer {
  at::Tensor input_norm;        ///< input_layernorm.weight
  at::Tensor post_norm;         ///< post_attention_layernorm.weight
  Linear q_proj, k_proj, v_proj, o_proj;  ///< attention projections (q/k/v with bias, o without)
  Linear gate_proj, up_proj, down_proj;   ///< MLP (no biases)
};

/// The decoder with its weights.
class TextDecoder {
 public:
  /// Builds an empty decoder for `config` (weights are filled by the loader).
  explicit TextDecoder(const Qwen2VLConfig& config);

  /// embed_tokens(ids): int64 [...] -> [..., hidden].
  at::Tensor embed(const at::Tensor& input_ids) const;

  /// Runs every layer and the final norm on `inputs_embeds` [B, L, hidden] at M-RoPE `position_ids` [3, B, L].
  /// Without a cache the sequence attends causally to itself, skipping keys whose `attention_mask` [B, L] is 0
  /// (undefined = all valid); this path keeps autograd. With a cache the L new positions are appended after
  /// cache->length() (their validity from attention_mask) and attend to everything cached before them.
  /// Returns the final hidden states [B, L, hidden]; fills `trace` when given.
  at::Tensor forward(const at::Tensor& inputs_embeds, const at::Tensor& position_ids, const at::Tensor& attention_mask,
                     KvCache* cache = nullptr, TextTrace* trace = nullptr) const;

  /// The teacher-forced pass of G rows that share a prefix (a GRPO group: one prompt, G completions): the prefix
  /// `prefix_embeds` [1, P, hidden] at `prefix_positions` [3, 1, P] runs once, and the rows' own positions
  /// `rows_embeds` [G, C, hidden] at `rows_positions` [3, G, C] attend to the prefix's keys and values (expanded,
  /// so every row's gradient reaches the prefix) and causally to themselves. Returns the final hidden states of the
  /// prefix [1, P, hidden] and of the rows [G, C, hidden]: forward() on the G concatenated rows gives the same
  /// values (to float32 rounding) at P + C times the prefix's cost. Keeps autograd; no padding inside the prefix.
  std::pair<at::Tensor, at::Tensor> forward_shared_prefix(const at::Tensor& prefix_embeds,
                                                          const at::Tensor& prefix_positions,
                                                          const at::Tensor& rows_embeds,
                                                          const at::Tensor& rows_positions) const;

  /// lm_head on hidden states [..., hidden] -> float32 logits [..., vocab]. Apply it to selected positions only.
  at::Tensor logits(const at::Tensor& hidden) const;

  /// Logits at chosen positions: `hidden` [B, L, hidden], `positions` int64 [B] (one per row -> [B, vocab]) or
  /// [B, K] (-> [B, K, vocab]).
  at::Tensor logits_at(const at::Tensor& hidden, const at::Tensor& positions) const;

  /// The lm_head weight [vocab, hidden] (embed_tokens.weight when tied).
  const at::Tensor& lm_head_weight() const;

  /// embed_tokens.weight [vocab, hidden].
  at::Tensor embed_weight;
  /// The layers.
  std::vector<DecoderLayer> layers;
  /// model.norm.weight.
  at::Tensor norm_weight;
  /// lm_head.weight (undefined when tied to embed_tokens).
  at::Tensor lm_head;

  /// Every weight with its Hugging Face name ("model.layers.0.self_attn.q_proj.weight", "lm_head.weight" if untied).
  std::vector<std::pair<std::string, at::Tensor*>> named_parameters();
  /// Every Linear with its Hugging Face module name ("model.layers.0.self_attn.q_proj", ...).
  std::vector<std::pair<std::string, Linear*>> named_linears();

 private:
  std::int64_t hidden_, heads_, kv_heads_, head_dim_;
  double eps_, theta_;
  std::vector<std::int64_t> mrope_section_;
  bool tied_;
  struct Qkv {
    at::Tensor q, k, v;  // [B, heads or kv_heads, L, head_dim], M-RoPE applied to q and k
  };
  Qkv project(const DecoderLayer& layer, const at::Tensor& x, const at::Tensor& cos, const at::Tensor& sin) const;
  at::Tensor attend(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, const at::Tensor& allowed) const;
  at::Tensor attention(const DecoderLayer& layer, std::int64_t index, const at::Tensor& x, const at::Tensor& cos,
                       const at::Tensor& sin, const at::Tensor& allowed, KvCache* cache) const;
  at::Tensor mlp(const DecoderLayer& layer, const at::Tensor& h) const;
};

}  // namespace vsr::model
