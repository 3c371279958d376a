#pragma once
/// @file
/// The Qwen2-VL vision tower (Qwen2VisionTransformerPretrainedModel of transformers 4.45.1; Qwen2-VL report arXiv
/// 2409.12191 section 2.1): Conv3d patch embedding, ViT blocks with 2-D rotary attention restricted to each temporal
/// patch, and the PatchMerger that turns every 2x2 block of patches into one decoder token.

#include "vsr/model/config.hpp"
#include "vsr/model/linear.hpp"

#include <ATen/core/Tensor.h>

#include <string>
#include <utility>
#include <vector>

namespace vsr::model {

/// Intermediate tensors of one vision forward (for conformance checks against the goldens).
struct VisionTrace {
  at::Tensor rotary_freqs;             ///< float32 [N, head_dim/2]
  at::Tensor rotary_cos, rotary_sin;   ///< float32 [N, head_dim]
  at::Tensor cu_seqlens;               ///< int32 [1 + sum(t)]
  at::Tensor patch_embed;              ///< [N, embed_dim]
  std::vector<at::Tensor> blocks;      ///< [N, embed_dim] after each block
  at::Tensor merged;                   ///< [N/4, hidden]: the tower output
};

/// One ViT block: x += proj(attn(LN1(x))); x += fc2(QuickGELU(fc1(LN2(x)))).
struct VisionBlock {
  at::Tensor norm1_weight, norm1_bias;  ///< LayerNorm before attention (eps 1e-6)
  at::Tensor norm2_weight, norm2_bias;  ///< LayerNorm before the MLP (eps 1e-6)
  Linear qkv;                           ///< fused [q | k | v] projection, with bias
  Linear proj;                          ///< attention output projection
  Linear fc1, fc2;                      ///< MLP
};

/// The vision tower with its weights.
class VisionTower {
 public:
  /// Builds an empty tower for `config` (weights are filled by the loader).
  explicit VisionTower(const Qwen2VLConfig& config);

  /// pixel_values [N, C*T*P*P] (rows in the processor's (t, h/2, w/2, 2, 2) order, all images of the call
  /// concatenated) and grid_thw int64 [n, 3] -> merged features [N/4, hidden] in the weights' dtype. Fills `trace`
  /// when given. vsr::Error if the rows and grids disagree.
  at::Tensor forward(const at::Tensor& pixel_values, const at::Tensor& grid_thw, VisionTrace* trace = nullptr) const;

  /// Conv3d weight [embed, C, T, P, P] (no bias).
  at::Tensor patch_weight;
  /// The blocks.
  std::vector<VisionBlock> blocks;
  /// PatchMerger LayerNorm (eps 1e-6).
  at::Tensor merger_norm_weight, merger_norm_bias;
  /// PatchMerger MLP: Linear(4E, 4E) - GELU(erf) - Linear(4E, hidden).
  Linear merger_fc1, merger_fc2;

  /// Every weight with its Hugging Face name (prefix "visual.").
  std::vector<std::pair<std::string, at::Tensor*>> named_parameters();
  /// Every Linear with its Hugging Face module name ("visual.blocks.0.attn.qkv", ...).
  std::vector<std::pair<std::string, Linear*>> named_linears();

 private:
  std::int64_t embed_dim_, num_heads_, merge_, in_chans_, temporal_patch_, patch_;
  at::Tensor attention(const VisionBlock& block, const at::Tensor& x, const at::Tensor& cos, const at::Tensor& sin,
                       const at::Tensor& grid_thw) const;
};

}  // namespace vsr::model
