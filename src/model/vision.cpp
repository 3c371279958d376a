// The Qwen2-VL vision tower: patch embedding, rotary ViT blocks, PatchMerger.
#include "vsr/model/vision.hpp"

#include "ops.hpp"
#include "vsr/core/error.hpp"
#include "vsr/model/rope.hpp"

#include <ATen/ATen.h>

#include <cmath>

namespace vsr::model {

namespace {
constexpr double kLayerNormEps = 1e-6;
constexpr const char* kInput = "<model input>";
}  // namespace

VisionTower::VisionTower(const Qwen2VLConfig& config)
    : embed_dim_(config.vision_config.embed_dim),
      num_heads_(config.vision_config.num_heads),
      merge_(config.vision_config.spatial_merge_size),
      in_chans_(config.vision_config.in_channels),
      temporal_patch_(config.vision_config.temporal_patch_size),
      patch_(config.vision_config.patch_size) {
  blocks.resize(static_cast<std::size_t>(config.vision_config.depth));
}

at::Tensor VisionTower::attention(const VisionBlock& block, const at::Tensor& x, const at::Tensor& cos,
                                  const at::Tensor& sin, const at::Tensor& grid_thw) const {
  const std::int64_t n = x.size(0), head_dim = embed_dim_ / num_heads_;
  const auto dtype = x.scalar_type();
  const at::Tensor qkv = block.qkv.forward(x).reshape({n, 3, num_heads_, head_dim}).permute({1, 0, 2, 3});
  // Rotary in float32 (apply_rotary_pos_emb_vision), cos/sin [N, 1, head_dim].
  auto rotate = [&](const at::Tensor& t) {
    const at::Tensor f = t.to(at::kFloat);
    return (f * cos + detail::rotate_half(f) * sin).to(dtype);
  };
  const at::Tensor q = rotate(qkv[0]), k = rotate(qkv[1]), v = qkv[2];
  // Block-diagonal attention: every temporal patch of every grid attends only to itself. The t patches of one
  // grid have equal length h*w and are computed as one batched matmul.
  const at::Tensor g = grid_thw.to(at::kCPU, at::kLong).contiguous();
  const double scale = std::sqrt(static_cast<double>(head_dim));
  std::vector<at::Tensor> outs;
  std::int64_t off = 0;
  for (std::int64_t i = 0; i < g.size(0); ++i) {
    const std::int64_t t = g[i][0].item<std::int64_t>(), hw = g[i][1].item<std::int64_t>() * g[i][2].item<std::int64_t>();
    auto seg = [&](const at::Tensor& z) {
      return z.narrow(0, off, t * hw).reshape({t, hw, num_heads_, head_dim}).permute({0, 2, 1, 3});
    };
    const at::Tensor scores = at::matmul(seg(q), seg(k).transpose(-1, -2)) / scale;
    const at::Tensor probs = at::softmax(scores, -1, at::kFloat).to(dtype);
    outs.push_back(at::matmul(probs, seg(v)).permute({0, 2, 1, 3}).reshape({t * hw, embed_dim_}));
    off += t * hw;
  }
  return block.proj.forward(outs.size() == 1 ? outs[0] : at::cat(outs, 0));
}

at::Tensor VisionTower::forward(const at::Tensor& pixel_values, const at::Tensor& grid_thw, VisionTrace* trace) const {
  if (!patch_weight.defined()) fail("", "visual", "the vision tower has no weights");
  const std::int64_t row = in_chans_ * temporal_patch_ * patch_ * patch_;
  if (!pixel_values.defined() || pixel_values.dim() != 2 || pixel_values.size(1) != row)
    fail(kInput, "pixel_values", "expected a [N, " + std::to_string(row) + "] tensor");
  if (!grid_thw.defined() || grid_thw.dim() != 2 || grid_thw.size(1) != 3)
    fail(kInput, "grid_thw", "expected an int64 [n, 3] tensor");
  const at::Tensor g = grid_thw.to(at::kCPU, at::kLong);
  const std::int64_t total = (g.select(1, 0) * g.select(1, 1) * g.select(1, 2)).sum().item<std::int64_t>();
  if (total != pixel_values.size(0))
    fail(kInput, "pixel_values", "grid_thw covers " + std::to_string(total) + " patches but pixel_values has " +
                                     std::to_string(pixel_values.size(0)) + " rows");

  const auto dtype = patch_weight.scalar_type();
  // PatchEmbed: a Conv3d whose kernel equals its stride, applied to each row viewed as [C, T, P, P].
  const at::Tensor x5 = pixel_values.to(dtype).reshape({-1, in_chans_, temporal_patch_, patch_, patch_});
  at::Tensor h = at::conv3d(x5, patch_weight, {}, {temporal_patch_, patch_, patch_}).reshape({-1, embed_dim_});

  const std::int64_t head_dim = embed_dim_ / num_heads_;
  const at::Tensor freqs = vision_rotary_freqs(grid_thw, head_dim, merge_).to(h.device());
  const CosSin cs = vision_rotary_cos_sin(freqs);
  const at::Tensor cos = cs.cos.unsqueeze(1), sin = cs.sin.unsqueeze(1);
  if (trace) {
    trace->rotary_freqs = freqs;
    trace->rotary_cos = cs.cos;
    trace->rotary_sin = cs.sin;
    trace->cu_seqlens = vision_cu_seqlens(grid_thw);
    trace->patch_embed = h;
    trace->blocks.clear();
  }
  for (const auto& block : blocks) {
    const at::Tensor a = at::layer_norm(h, {embed_dim_}, block.norm1_weight, block.norm1_bias, kLayerNormEps);
    h = h + attention(block, a, cos, sin, grid_thw);
    const at::Tensor m = at::layer_norm(h, {embed_dim_}, block.norm2_weight, block.norm2_bias, kLayerNormEps);
    h = h + block.fc2.forward(detail::quick_gelu(block.fc1.forward(m)));
    if (trace) trace->blocks.push_back(h);
  }
  const at::Tensor normed = at::layer_norm(h, {embed_dim_}, merger_norm_weight, merger_norm_bias, kLayerNormEps);
  const at::Tensor merged =
      merger_fc2.forward(at::gelu(merger_fc1.forward(normed.reshape({-1, embed_dim_ * merge_ * merge_}))));
  if (trace) trace->merged = merged;
  return merged;
}

std::vector<std::pair<std::string, at::Tensor*>> VisionTower::named_parameters() {
  std::vector<std::pair<std::string, at::Tensor*>> out;
  out.emplace_back("visual.patch_embed.proj.weight", &patch_weight);
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    const std::string p = "visual.blocks." + std::to_string(i) + ".";
    auto& b = blocks[i];
    out.emplace_back(p + "norm1.weight", &b.norm1_weight);
    out.emplace_back(p + "norm1.bias", &b.norm1_bias);
    out.emplace_back(p + "norm2.weight", &b.norm2_weight);
    out.emplace_back(p + "norm2.bias", &b.norm2_bias);
    for (auto& [name, lin] : std::vector<std::pair<std::string, Linear*>>{
             {"attn.qkv", &b.qkv}, {"attn.proj", &b.proj}, {"mlp.fc1", &b.fc1}, {"mlp.fc2", &b.fc2}}) {
      out.emplace_back(p + name + ".weight", &lin->weight());
      out.emplace_back(p + name + ".bias", &lin->bias());
    }
  }
  out.emplace_back("visual.merger.ln_q.weight", &merger_norm_weight);
  out.emplace_back("visual.merger.ln_q.bias", &merger_norm_bias);
  out.emplace_back("visual.merger.mlp.0.weight", &merger_fc1.weight());
  out.emplace_back("visual.merger.mlp.0.bias", &merger_fc1.bias());
  out.emplace_back("visual.merger.mlp.2.weight", &merger_fc2.weight());
  out.emplace_back("visual.merger.mlp.2.bias", &merger_fc2.bias());
  return out;
}

std::vector<std::pair<std::string, Linear*>> VisionTower::named_linears() {
  std::vector<std::pair<std::string, Linear*>> out;
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    const std::string p = "visual.blocks." + std::to_string(i) + ".";
    auto& b = blocks[i];
    out.emplace_back(p + "attn.qkv", &b.qkv);
    out.emplace_back(p + "attn.proj", &b.proj);
    out.emplace_back(p + "mlp.fc1", &b.fc1);
    out.emplace_back(p + "mlp.fc2", &b.fc2);
  }
  out.emplace_back("visual.merger.mlp.0", &merger_fc1);
  out.emplace_back("visual.merger.mlp.2", &merger_fc2);
  return out;
}

}  // namespace vsr::model
