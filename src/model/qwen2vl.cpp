// Qwen2-VL forward passes: multimodal embedding, teacher-forced forward, KV-cached prefill/decode, log-probs.
#include "vsr/model/qwen2vl.hpp"

#include "fused_logprob.hpp"

#include "vsr/core/error.hpp"

#include <ATen/ATen.h>

namespace vsr::model {

namespace {

constexpr const char* kInput = "<model input>";

// input_ids as int64 [B, L] on `device`.
at::Tensor batch_ids(const at::Tensor& ids, at::Device device) {
  if (!ids.defined() || ids.dim() < 1 || ids.dim() > 2) fail(kInput, "input_ids", "expected an int64 [B, L] tensor");
  const at::Tensor t = ids.dim() == 1 ? ids.unsqueeze(0) : ids;
  return t.to(device, at::kLong);
}

at::Tensor batch_mask(const at::Tensor& mask, const at::Tensor& ids) {
  if (!mask.defined()) return {};
  const at::Tensor m = mask.dim() == 1 ? mask.unsqueeze(0) : mask;
  if (m.sizes() != ids.sizes()) fail(kInput, "attention_mask", "expected the shape of input_ids");
  return m.to(ids.device(), at::kLong);
}

}  // namespace

RopeIndex Qwen2VL::rope_index(const MultimodalInputs& inputs) const {
  const at::Tensor ids = batch_ids(inputs.input_ids, device_);
  return get_rope_index(config_, ids, inputs.image_grid_thw, inputs.video_grid_thw,
                        batch_mask(inputs.attention_mask, ids));
}

at::Tensor Qwen2VL::embed_inputs(const MultimodalInputs& inputs, ForwardTrace* trace) const {
  const at::Tensor ids = batch_ids(inputs.input_ids, device_);
  at::Tensor embeds = text_.embed(ids);
  auto scatter = [&](const at::Tensor& pixels, const at::Tensor& grid, std::int64_t token, const char* what,
                     VisionTrace* vt) {
    const at::Tensor mask = ids == token;
    const std::int64_t pads = mask.sum().item<std::int64_t>();
    if (!pixels.defined()) {
      if (pads != 0)
        fail(kInput, what, std::to_string(pads) + " pad tokens in input_ids but no pixel values were given");
      return;
    }
    const at::Tensor features = visual_.forward(pixels.to(device_), grid, vt);
    if (features.size(0) != pads)
      fail(kInput, what, "the vision tower gave " + std::to_string(features.size(0)) + " features for " +
                             std::to_string(pads) + " pad tokens in input_ids");
    embeds = embeds.masked_scatter(mask.unsqueeze(-1).expand_as(embeds), features.to(embeds.scalar_type()));
  };
  scatter(inputs.pixel_values, inputs.image_grid_thw, config_.image_token_id, "pixel_values",
          trace ? &trace->image : nullptr);
  scatter(inputs.pixel_values_videos, inputs.video_grid_thw, config_.video_token_id, "pixel_values_videos",
          trace ? &trace->video : nullptr);
  if (trace) trace->inputs_embeds = embeds;
  return embeds;
}

at::Tensor Qwen2VL::forward(const MultimodalInputs& inputs, ForwardTrace* trace) const {
  const at::Tensor ids = batch_ids(inputs.input_ids, device_);
  const at::Tensor mask = batch_mask(inputs.attention_mask, ids);
  RopeIndex rope = rope_index(inputs);
  const at::Tensor embeds = embed_inputs(inputs, trace);
  if (trace) trace->rope = rope;
  return text_.forward(embeds, rope.position_ids, mask, nullptr, trace ? &trace->text : nullptr);
}

namespace {

/// The pictures of row 0 when each of the G rows carries the same number of them (grids [G * n, 3]).
void first_row_pictures(const at::Tensor& pixels, const at::Tensor& grid, std::int64_t G, const char* what,
                        at::Tensor& pixels_out, at::Tensor& grid_out) {
  if (!pixels.defined() || !grid.defined()) return;
  if (grid.size(0) % G != 0) fail(kInput, what, "the rows do not carry the same number of pictures");
  grid_out = grid.narrow(0, 0, grid.size(0) / G);
  const std::int64_t patches = grid_out.prod(1).sum().item<std::int64_t>();
  pixels_out = pixels.narrow(0, 0, patches);
}

}  // namespace

at::Tensor Qwen2VL::forward_shared_prompt(const MultimodalInputs& rows, std::int64_t prompt_length) const {
  const at::Tensor ids = batch_ids(rows.input_ids, device_);
  const std::int64_t G = ids.size(0), L = ids.size(1), P = prompt_length;
  if (P < 1 || P > L) fail(kInput, "prompt_length", "expected 1 .. " + std::to_string(L));
  const at::Tensor prompt_ids = ids.narrow(0, 0, 1).narrow(1, 0, P);
  if (!at::equal(ids.narrow(1, 0, P), prompt_ids.expand({G, P})))
    fail(kInput, "input_ids", "the rows do not begin with the same " + std::to_string(P) + " prompt tokens");
  const at::Tensor mask = batch_mask(rows.attention_mask, ids);
  if (mask.defined() && !mask.narrow(1, 0, P).eq(1).all().item<bool>())
    fail(kInput, "attention_mask", "the shared prompt has padding");
  MultimodalInputs prompt;
  prompt.input_ids = prompt_ids;
  first_row_pictures(rows.pixel_values, rows.image_grid_thw, G, "pixel_values", prompt.pixel_values,
                     prompt.image_grid_thw);
  first_row_pictures(rows.pixel_values_videos, rows.video_grid_thw, G, "pixel_values_videos",
                     prompt.pixel_values_videos, prompt.video_grid_thw);
  const RopeIndex rope = rope_index(prompt);
  const at::Tensor prefix = embed_inputs(prompt);
  if (P == L) return text_.forward(prefix, rope.position_ids, {}).expand({G, P, -1});
  // Text after the prompt: index + rope delta on all three M-RoPE axes (as KV-cached decoding places it).
  const at::Tensor after = at::arange(P, L, ids.options()) + rope.rope_deltas.to(ids.device());
  const at::Tensor positions = after.view({1, 1, L - P}).expand({3, G, L - P});
  const auto [hp, hr] =
      text_.forward_shared_prefix(prefix, rope.position_ids, text_.embed(ids.narrow(1, P, L - P)), positions);
  return at::cat({hp.expand({G, P, -1}), hr}, 1);
}

KvCache Qwen2VL::new_cache(std::int64_t batch, std::int64_t capacity) const {
  return KvCache(config_.num_hidden_layers, batch, config_.num_key_value_heads, config_.head_dim(), capacity, dtype_,
                 device_);
}

at::Tensor Qwen2VL::prefill(const MultimodalInputs& inputs, KvCache& cache, ForwardTrace* trace) const {
  at::NoGradGuard no_grad;
  const at::Tensor ids = batch_ids(inputs.input_ids, device_);
  if (cache.length() != 0 || cache.batch_size() != ids.size(0))
    fail(kInput, "cache", "prefill needs an empty cache with one row per prompt");
  const at::Tensor mask = batch_mask(inputs.attention_mask, ids);
  RopeIndex rope = rope_index(inputs);
  const at::Tensor embeds = embed_inputs(inputs, trace);
  cache.set_rope_deltas(rope.rope_deltas);
  if (trace) trace->rope = rope;
  return text_.forward(embeds, rope.position_ids, mask, &cache, trace ? &trace->text : nullptr);
}

at::Tensor Qwen2VL::decode_step(const at::Tensor& tokens, KvCache& cache) const {
  at::NoGradGuard no_grad;
  const std::int64_t B = cache.batch_size();
  if (!tokens.defined() || tokens.numel() != B) fail(kInput, "tokens", "expected one token per cache row");
  const at::Tensor ids = tokens.reshape({B, 1}).to(device_, at::kLong);
  const at::Tensor positions = cache.next_position_ids(1);
  return text_.forward(text_.embed(ids), positions, {}, &cache).squeeze(1);
}

at::Tensor Qwen2VL::logits_at(const at::Tensor& hidden, const at::Tensor& positions) const {
  if (!positions.defined()) {
    if (hidden.dim() == 2) return text_.logits(hidden);
    fail(kInput, "positions", "needed for [B, L, hidden] states");
  }
  return text_.logits_at(hidden, positions);
}

at::Tensor Qwen2VL::token_log_probs(const at::Tensor& hidden, const at::Tensor& input_ids,
                                    const at::Tensor& target_mask, std::int64_t chunk) const {
  const at::Tensor ids = batch_ids(input_ids, hidden.device());
  if (hidden.dim() != 3 || hidden.size(0) != ids.size(0) || hidden.size(1) != ids.size(1))
    fail(kInput, "hidden", "expected [B, L, hidden] matching input_ids");
  const at::Tensor mask = (target_mask.dim() == 1 ? target_mask.unsqueeze(0) : target_mask).to(hidden.device()) != 0;
  if (mask.sizes() != ids.sizes()) fail(kInput, "target_mask", "expected the shape of input_ids");
  if (mask.select(1, 0).any().item<bool>()) fail(kInput, "target_mask", "position 0 has no prefix to predict it");
  const at::Tensor where = mask.nonzero();  // [M, 2] (b, t)
  const at::Tensor b = where.select(1, 0), t = where.select(1, 1);
  const at::Tensor states = hidden.index({b, t - 1});  // [M, hidden]: the state that predicts token t
  const at::Tensor targets = ids.index({b, t});
  const at::Tensor values = detail::fused_token_log_probs(states, text_.lm_head_weight(), targets, chunk);
  return at::zeros(ids.sizes(), values.options()).index_put({b, t}, values);
}

GreedyOutput Qwen2VL::greedy(const MultimodalInputs& inputs, std::int64_t max_new_tokens, bool keep_logits) const {
  at::NoGradGuard no_grad;
  const at::Tensor ids = batch_ids(inputs.input_ids, device_);
  const std::int64_t B = ids.size(0), L = ids.size(1);
  KvCache cache = new_cache(B, L + max_new_tokens);
  const at::Tensor hidden = prefill(inputs, cache);
  at::Tensor logits = logits_at(hidden, at::full({B}, L - 1, ids.options()));
  // As generate(): rows stop at any eos id; finished rows are filled with pad_token_id (or the first eos id).
  const at::Tensor eos = at::tensor(config_.eos_token_ids, at::kLong).to(device_);
  const std::int64_t fill = config_.pad_token_id ? *config_.pad_token_id
                            : config_.eos_token_ids.empty() ? 0
                                                            : config_.eos_token_ids.front();
  std::vector<at::Tensor> tokens, step_logits;
  at::Tensor finished = at::zeros({B}, ids.options().dtype(at::kBool));
  for (std::int64_t step = 0; step < max_new_tokens; ++step) {
    if (keep_logits) step_logits.push_back(logits);
    const at::Tensor next = at::where(finished, at::full({B}, fill, ids.options()), logits.argmax(-1));
    tokens.push_back(next);
    if (eos.numel() > 0) finished = finished | at::isin(next, eos);
    if (step + 1 == max_new_tokens || finished.all().item<bool>()) break;
    logits = logits_at(decode_step(next, cache));
  }
  GreedyOutput out;
  out.tokens = tokens.empty() ? at::zeros({B, 0}, ids.options()) : at::stack(tokens, 1);
  if (keep_logits && !step_logits.empty()) out.step_logits = at::stack(step_logits, 1);
  return out;
}

}  // namespace vsr::model
