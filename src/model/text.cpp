// The Qwen2 decoder of Qwen2-VL with M-RoPE, grouped-query attention and an optional KV cache.
#include "vsr/model/text.hpp"

#include "cached_attention.hpp"
#include "skinny_linear.hpp"

#include "ops.hpp"
#include "vsr/core/error.hpp"
#include "vsr/model/rope.hpp"

#include <ATen/ATen.h>

#include <cmath>

namespace vsr::model {

namespace {
constexpr const char* kInput = "<model input>";
}

TextDecoder::TextDecoder(const Qwen2VLConfig& config)
    : hidden_(config.hidden_size),
      heads_(config.num_attention_heads),
      kv_heads_(config.num_key_value_heads),
      head_dim_(config.head_dim()),
      eps_(config.rms_norm_eps),
      theta_(config.rope_theta),
      mrope_section_(config.mrope_section),
      tied_(config.tie_word_embeddings) {
  if (kv_heads_ <= 0 || heads_ % kv_heads_ != 0)
    fail("config.json", "num_key_value_heads", "must divide num_attention_heads");
  layers.resize(static_cast<std::size_t>(config.num_hidden_layers));
}

at::Tensor TextDecoder::embed(const at::Tensor& input_ids) const { return at::embedding(embed_weight, input_ids); }

const at::Tensor& TextDecoder::lm_head_weight() const { return tied_ ? embed_weight : lm_head; }

TextDecoder::Qkv TextDecoder::project(const DecoderLayer& layer, const at::Tensor& x, const at::Tensor& cos,
                                      const at::Tensor& sin) const {
  const std::int64_t B = x.size(0), L = x.size(1);
  at::Tensor q = layer.q_proj.forward(x).view({B, L, heads_, head_dim_}).transpose(1, 2);
  at::Tensor k = layer.k_proj.forward(x).view({B, L, kv_heads_, head_dim_}).transpose(1, 2);
  at::Tensor v = layer.v_proj.forward(x).view({B, L, kv_heads_, head_dim_}).transpose(1, 2);
  q = q * cos + detail::rotate_half(q) * sin;
  k = k * cos + detail::rotate_half(k) * sin;
  return {q, k, v};
}

at::Tensor TextDecoder::attend(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                               const at::Tensor& allowed) const {
  const std::int64_t B = q.size(0), L = q.size(2), S = k.size(2), rep = heads_ / kv_heads_;
  if (const at::Tensor fast = detail::cached_attention(q, k, v, allowed, 1.0 / std::sqrt(static_cast<double>(head_dim_)));
      fast.defined())
    return fast;
  // Query head j uses kv head j / rep (repeat_kv): group the rep query heads of each kv head along the rows.
  const at::Tensor qg = q.reshape({B, kv_heads_, rep * L, head_dim_});
  at::Tensor scores = at::matmul(qg, k.transpose(2, 3)) / std::sqrt(static_cast<double>(head_dim_));
  scores = scores.view({B, kv_heads_, rep, L, S}).masked_fill(allowed.logical_not(), detail::lowest(q.scalar_type()));
  const at::Tensor probs = at::softmax(scores, -1, at::kFloat).to(q.scalar_type());
  return at::matmul(probs.view({B, kv_heads_, rep * L, S}), v)
      .view({B, heads_, L, head_dim_})
      .transpose(1, 2)
      .reshape({B, L, hidden_});
}

at::Tensor TextDecoder::attention(const DecoderLayer& layer, std::int64_t index, const at::Tensor& x,
                                  const at::Tensor& cos, const at::Tensor& sin, const at::Tensor& allowed,
                                  KvCache* cache) const {
  auto [q, k, v] = project(layer, x, cos, sin);
  if (cache) std::tie(k, v) = cache->write(index, k, v);
  return layer.o_proj.forward(attend(q, k, v, allowed));
}

at::Tensor TextDecoder::mlp(const DecoderLayer& layer, const at::Tensor& h) const {
  const at::Tensor y = detail::rms_norm(h, layer.post_norm, eps_);
  return layer.down_proj.forward(at::silu(layer.gate_proj.forward(y)) * layer.up_proj.forward(y));
}

std::pair<at::Tensor, at::Tensor> TextDecoder::forward_shared_prefix(const at::Tensor& prefix_embeds,
                                                                     const at::Tensor& prefix_positions,
                                                                     const at::Tensor& rows_embeds,
                                                                     const at::Tensor& rows_positions) const {
  if (!prefix_embeds.defined() || prefix_embeds.dim() != 3 || prefix_embeds.size(0) != 1 ||
      prefix_embeds.size(2) != hidden_)
    fail(kInput, "prefix_embeds", "expected a [1, P, " + std::to_string(hidden_) + "] tensor");
  if (!rows_embeds.defined() || rows_embeds.dim() != 3 || rows_embeds.size(2) != hidden_)
    fail(kInput, "rows_embeds", "expected a [G, C, " + std::to_string(hidden_) + "] tensor");
  const std::int64_t P = prefix_embeds.size(1), G = rows_embeds.size(0), C = rows_embeds.size(1);
  const auto device = prefix_embeds.device();
  const auto dtype = prefix_embeds.scalar_type();
  auto cos_sin = [&](const at::Tensor& positions) {
    const CosSin merged =
        merge_mrope_sections(mrope_cos_sin_per_axis(positions.to(device), head_dim_, theta_), mrope_section_);
    return std::pair{merged.cos.to(dtype).unsqueeze(1), merged.sin.to(dtype).unsqueeze(1)};
  };
  const auto [cos_p, sin_p] = cos_sin(prefix_positions);
  const auto [cos_r, sin_r] = cos_sin(rows_positions);
  const auto long_opts = at::TensorOptions().dtype(at::kLong).device(device);
  // Prefix: causal over itself. Rows: every prefix key, then causal over their own positions.
  const at::Tensor allowed_p = (at::arange(P, long_opts).unsqueeze(0) <= at::arange(P, long_opts).unsqueeze(1))
                                   .view({1, 1, 1, P, P});
  const at::Tensor key = at::arange(P + C, long_opts).unsqueeze(0), query = at::arange(C, long_opts).unsqueeze(1);
  const at::Tensor allowed_r = ((key < P) | (key - P <= query)).view({1, 1, 1, C, P + C});

  at::Tensor hp = prefix_embeds, hr = rows_embeds;
  for (const DecoderLayer& layer : layers) {
    const Qkv p = project(layer, detail::rms_norm(hp, layer.input_norm, eps_), cos_p, sin_p);
    const Qkv r = project(layer, detail::rms_norm(hr, layer.input_norm, eps_), cos_r, sin_r);
    const at::Tensor keys = at::cat({p.k.expand({G, -1, -1, -1}), r.k}, 2);
    const at::Tensor values = at::cat({p.v.expand({G, -1, -1, -1}), r.v}, 2);
    hp = hp + layer.o_proj.forward(attend(p.q, p.k, p.v, allowed_p));
    hr = hr + layer.o_proj.forward(attend(r.q, keys, values, allowed_r));
    hp = hp + mlp(layer, hp);
    hr = hr + mlp(layer, hr);
  }
  return {detail::rms_norm(hp, norm_weight, eps_), detail::rms_norm(hr, norm_weight, eps_)};
}

at::Tensor TextDecoder::forward(const at::Tensor& inputs_embeds, const at::Tensor& position_ids,
                                const at::Tensor& attention_mask, KvCache* cache, TextTrace* trace) const {
  if (!embed_weight.defined()) fail("", "model", "the decoder has no weights");
  if (!inputs_embeds.defined() || inputs_embeds.dim() != 3 || inputs_embeds.size(2) != hidden_)
    fail(kInput, "inputs_embeds", "expected a [B, L, " + std::to_string(hidden_) + "] tensor");
  const std::int64_t B = inputs_embeds.size(0), L = inputs_embeds.size(1);
  if (!position_ids.defined() || position_ids.dim() != 3 || position_ids.size(0) != 3 || position_ids.size(1) != B ||
      position_ids.size(2) != L)
    fail(kInput, "position_ids", "expected an int64 [3, B, L] tensor");
  if (attention_mask.defined() && (attention_mask.dim() != 2 || attention_mask.size(0) != B || attention_mask.size(1) != L))
    fail(kInput, "attention_mask", "expected a [B, L] tensor");
  const auto device = inputs_embeds.device();
  const auto dtype = inputs_embeds.scalar_type();

  std::int64_t start = 0;
  at::Tensor valid;  // bool [B, S]: real keys
  if (cache) {
    if (cache->batch_size() != B) fail(kInput, "cache", "the cache has a different number of rows");
    start = cache->length();
    cache->begin_append(L, attention_mask);
    valid = cache->pending_key_valid();
  } else {
    valid = attention_mask.defined() ? attention_mask.to(device) != 0
                                     : at::ones({B, L}, at::TensorOptions().dtype(at::kBool).device(device));
  }
  const std::int64_t S = start + L;
  const auto long_opts = at::TensorOptions().dtype(at::kLong).device(device);
  const at::Tensor causal =
      at::arange(S, long_opts).unsqueeze(0) <= at::arange(start, start + L, long_opts).unsqueeze(1);  // [L, S]
  const at::Tensor allowed = (causal.unsqueeze(0) & valid.unsqueeze(1)).view({B, 1, 1, L, S});

  const CosSin per_axis = mrope_cos_sin_per_axis(position_ids.to(device), head_dim_, theta_);
  const CosSin merged = merge_mrope_sections(per_axis, mrope_section_);
  const at::Tensor cos = merged.cos.to(dtype).unsqueeze(1), sin = merged.sin.to(dtype).unsqueeze(1);
  if (trace) {
    trace->cos = merged.cos;
    trace->sin = merged.sin;
    trace->layer_outputs.clear();
  }

  at::Tensor h = inputs_embeds;
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const DecoderLayer& layer = layers[i];
    h = h + attention(layer, static_cast<std::int64_t>(i), detail::rms_norm(h, layer.input_norm, eps_), cos, sin,
                      allowed, cache);
    h = h + mlp(layer, h);
    if (trace) trace->layer_outputs.push_back(h);
  }
  if (cache) cache->commit();
  h = detail::rms_norm(h, norm_weight, eps_);
  if (trace) trace->final_hidden = h;
  return h;
}

at::Tensor TextDecoder::logits(const at::Tensor& hidden) const {
  const at::Tensor fast = detail::skinny_linear(hidden, lm_head_weight(), {});
  if (fast.defined()) return fast;
  return at::linear(hidden, lm_head_weight()).to(at::kFloat);
}

at::Tensor TextDecoder::logits_at(const at::Tensor& hidden, const at::Tensor& positions) const {
  if (!hidden.defined() || hidden.dim() != 3) fail(kInput, "hidden", "expected a [B, L, hidden] tensor");
  const std::int64_t B = hidden.size(0), H = hidden.size(2);
  const at::Tensor pos = positions.to(hidden.device(), at::kLong);
  if (pos.dim() == 0 || pos.size(0) != B || pos.dim() > 2) fail(kInput, "positions", "expected int64 [B] or [B, K]");
  if (pos.numel() > 0 && (pos.min().item<std::int64_t>() < 0 || pos.max().item<std::int64_t>() >= hidden.size(1)))
    fail(kInput, "positions", "out of range");
  const at::Tensor idx = pos.dim() == 1 ? pos.view({B, 1}) : pos;
  const at::Tensor picked = hidden.gather(1, idx.unsqueeze(-1).expand({B, idx.size(1), H}));
  const at::Tensor out = logits(picked);
  return pos.dim() == 1 ? out.squeeze(1) : out;
}

std::vector<std::pair<std::string, at::Tensor*>> TextDecoder::named_parameters() {
  std::vector<std::pair<std::string, at::Tensor*>> out;
  out.emplace_back("model.embed_tokens.weight", &embed_weight);
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const std::string p = "model.layers." + std::to_string(i) + ".";
    auto& l = layers[i];
    out.emplace_back(p + "input_layernorm.weight", &l.input_norm);
    out.emplace_back(p + "post_attention_layernorm.weight", &l.post_norm);
    for (auto& [name, lin] : std::vector<std::pair<std::string, Linear*>>{{"self_attn.q_proj", &l.q_proj},
                                                                           {"self_attn.k_proj", &l.k_proj},
                                                                           {"self_attn.v_proj", &l.v_proj},
                                                                           {"self_attn.o_proj", &l.o_proj},
                                                                           {"mlp.gate_proj", &l.gate_proj},
                                                                           {"mlp.up_proj", &l.up_proj},
                                                                           {"mlp.down_proj", &l.down_proj}}) {
      out.emplace_back(p + name + ".weight", &lin->weight());
      if (name == "self_attn.q_proj" || name == "self_attn.k_proj" || name == "self_attn.v_proj")
        out.emplace_back(p + name + ".bias", &lin->bias());
    }
  }
  out.emplace_back("model.norm.weight", &norm_weight);
  if (!tied_) out.emplace_back("lm_head.weight", &lm_head);
  return out;
}

std::vector<std::pair<std::string, Linear*>> TextDecoder::named_linears() {
  std::vector<std::pair<std::string, Linear*>> out;
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const std::string p = "model.layers." + std::to_string(i) + ".";
    auto& l = layers[i];
    out.emplace_back(p + "self_attn.q_proj", &l.q_proj);
    out.emplace_back(p + "self_attn.k_proj", &l.k_proj);
    out.emplace_back(p + "self_attn.v_proj", &l.v_proj);
    out.emplace_back(p + "self_attn.o_proj", &l.o_proj);
    out.emplace_back(p + "mlp.gate_proj", &l.gate_proj);
    out.emplace_back(p + "mlp.up_proj", &l.up_proj);
    out.emplace_back(p + "mlp.down_proj", &l.down_proj);
  }
  return out;
}

}  // namespace vsr::model
