#pragma once
/// @file
/// Rotary position embeddings of Qwen2-VL (transformers 4.45.1, modeling_qwen2_vl.py): the vision tower's 2-D rotary
/// table and attention blocks, and the decoder's multimodal rotary embedding (M-RoPE, Qwen2-VL report arXiv
/// 2409.12191 section 2.1): position ids from `get_rope_index`, per-axis cos/sin, and the section merge.

#include "vsr/model/config.hpp"

#include <ATen/core/Tensor.h>

#include <vector>

namespace vsr::model {

/// A pair of rotary tables.
struct CosSin {
  at::Tensor cos;  ///< cosines
  at::Tensor sin;  ///< sines
};

/// Output of get_rope_index.
struct RopeIndex {
  at::Tensor position_ids;  ///< int64 [3, B, L]: (t, h, w) ids; padded positions hold 1 (as 4.45.1)
  at::Tensor rope_deltas;   ///< int64 [B]: max(position)+1-L (L = padded length); decode step k uses L+k+delta
};

/// `Qwen2VLForConditionalGeneration.get_rope_index` of 4.45.1. `input_ids` int64 [B, L] (left padding allowed),
/// `image_grid_thw` / `video_grid_thw` int64 [n, 3] for all images / videos of the batch in reading order
/// (undefined or empty when absent), `attention_mask` [B, L] (undefined = all ones). Text gets t=h=w=running index;
/// a vision block with grid (t,h,w) gets base + (ti, hi, wi) over (t, h/merge, w/merge); text resumes at max+1.
/// vsr::Error if the pads and grids disagree (a block without a grid, a grid without pads).
RopeIndex get_rope_index(const Qwen2VLConfig& config, const at::Tensor& input_ids, const at::Tensor& image_grid_thw,
                         const at::Tensor& video_grid_thw, const at::Tensor& attention_mask);

/// Qwen2VLRotaryEmbedding: float32 cos/sin [3, B, L, head_dim] of `position_ids` [3, B, L] with
/// inv_freq = 1 / theta^(2i/head_dim) and emb = cat(freqs, freqs).
CosSin mrope_cos_sin_per_axis(const at::Tensor& position_ids, std::int64_t head_dim, double theta);

/// Section merge of apply_multimodal_rotary_pos_emb: splits the last dim into chunks `mrope_section * 2` and takes
/// chunk i from axis i % 3. [3, B, L, d] -> [B, L, d].
CosSin merge_mrope_sections(const CosSin& per_axis, const std::vector<std::int64_t>& mrope_section);

/// Vision rotary angles `rot_pos_emb(grid_thw)`: float32 [N, head_dim/2], row = [h * inv_freq, w * inv_freq] with
/// inv_freq = 1/10000^(2i/(head_dim/2)), rows in the (t, h/merge, w/merge, merge, merge) patch order.
at::Tensor vision_rotary_freqs(const at::Tensor& grid_thw, std::int64_t head_dim, std::int64_t spatial_merge_size);

/// cos/sin [N, head_dim] of vision_rotary_freqs tiled twice (rotate_half layout).
CosSin vision_rotary_cos_sin(const at::Tensor& freqs);

/// Block boundaries of the vision attention: int32 [1 + sum(t)] = cumsum of h*w repeated t times, with a leading 0.
at::Tensor vision_cu_seqlens(const at::Tensor& grid_thw);

}  // namespace vsr::model
