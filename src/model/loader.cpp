// Loading Qwen2-VL weights by their Hugging Face names, with shape checks and dtype conversion.
#include "vsr/core/error.hpp"
#include "vsr/io/safetensors.hpp"
#include "vsr/model/qwen2vl.hpp"
#include "vsr/runtime/tensor_io.hpp"

#include <ATen/ATen.h>

#include <fmt/format.h>

#include <functional>
#include <set>

namespace vsr::model {

using Shapes = std::map<std::string, std::vector<std::int64_t>>;

Shapes expected_weight_shapes(const Qwen2VLConfig& c) {
  Shapes s;
  const std::int64_t E = c.vision_config.embed_dim, M = c.vision_config.mlp_hidden_dim();
  const std::int64_t merge = c.vision_config.spatial_merge_size, ME = E * merge * merge;
  s["visual.patch_embed.proj.weight"] = {E, c.vision_config.in_channels, c.vision_config.temporal_patch_size, c.vision_config.patch_size,
                                         c.vision_config.patch_size};
  for (std::int64_t i = 0; i < c.vision_config.depth; ++i) {
    const std::string p = "visual.blocks." + std::to_string(i) + ".";
    for (const char* n : {"norm1.weight", "norm1.bias", "norm2.weight", "norm2.bias", "attn.proj.bias", "mlp.fc2.bias"})
      s[p + n] = {E};
    s[p + "attn.qkv.weight"] = {3 * E, E};
    s[p + "attn.qkv.bias"] = {3 * E};
    s[p + "attn.proj.weight"] = {E, E};
    s[p + "mlp.fc1.weight"] = {M, E};
    s[p + "mlp.fc1.bias"] = {M};
    s[p + "mlp.fc2.weight"] = {E, M};
  }
  s["visual.merger.ln_q.weight"] = {E};
  s["visual.merger.ln_q.bias"] = {E};
  s["visual.merger.mlp.0.weight"] = {ME, ME};
  s["visual.merger.mlp.0.bias"] = {ME};
  s["visual.merger.mlp.2.weight"] = {c.vision_config.hidden_size, ME};
  s["visual.merger.mlp.2.bias"] = {c.vision_config.hidden_size};
  const std::int64_t H = c.hidden_size, I = c.intermediate_size, V = c.vocab_size;
  const std::int64_t Q = static_cast<std::int64_t>(c.num_attention_heads) * c.head_dim();
  const std::int64_t KV = static_cast<std::int64_t>(c.num_key_value_heads) * c.head_dim();
  s["model.embed_tokens.weight"] = {V, H};
  for (std::int64_t i = 0; i < c.num_hidden_layers; ++i) {
    const std::string p = "model.layers." + std::to_string(i) + ".";
    s[p + "input_layernorm.weight"] = {H};
    s[p + "post_attention_layernorm.weight"] = {H};
    s[p + "self_attn.q_proj.weight"] = {Q, H};
    s[p + "self_attn.q_proj.bias"] = {Q};
    s[p + "self_attn.k_proj.weight"] = {KV, H};
    s[p + "self_attn.k_proj.bias"] = {KV};
    s[p + "self_attn.v_proj.weight"] = {KV, H};
    s[p + "self_attn.v_proj.bias"] = {KV};
    s[p + "self_attn.o_proj.weight"] = {H, Q};
    s[p + "mlp.gate_proj.weight"] = {I, H};
    s[p + "mlp.up_proj.weight"] = {I, H};
    s[p + "mlp.down_proj.weight"] = {H, I};
  }
  s["model.norm.weight"] = {H};
  if (!c.tie_word_embeddings) s["lm_head.weight"] = {V, H};
  return s;
}

namespace {

std::string shape_str(const std::vector<std::int64_t>& shape) { return fmt::format("[{}]", fmt::join(shape, ", ")); }

void check_config(const Qwen2VLConfig& c, const std::string& file) {
  auto positive = [&](std::int64_t v, const char* key) {
    if (v <= 0) fail(file, key, "expected a positive value, got " + std::to_string(v));
  };
  positive(c.vocab_size, "vocab_size");
  positive(c.hidden_size, "hidden_size");
  positive(c.intermediate_size, "intermediate_size");
  positive(c.num_hidden_layers, "num_hidden_layers");
  positive(c.num_attention_heads, "num_attention_heads");
  positive(c.num_key_value_heads, "num_key_value_heads");
  positive(c.vision_config.depth, "vision_config.depth");
  positive(c.vision_config.embed_dim, "vision_config.embed_dim");
  positive(c.vision_config.num_heads, "vision_config.num_heads");
  positive(c.vision_config.spatial_merge_size, "vision_config.spatial_merge_size");
  if (c.hidden_size % c.num_attention_heads != 0) fail(file, "num_attention_heads", "must divide hidden_size");
  if (c.num_attention_heads % c.num_key_value_heads != 0)
    fail(file, "num_key_value_heads", "must divide num_attention_heads");
  if (c.vision_config.embed_dim % c.vision_config.num_heads != 0 || (c.vision_config.embed_dim / c.vision_config.num_heads) % 4 != 0)
    fail(file, "vision_config.num_heads", "embed_dim / num_heads must be a multiple of 4 (2-D rotary)");
  if (c.vision_config.hidden_size != c.hidden_size)
    fail(file, "vision_config.hidden_size", "must equal hidden_size " + std::to_string(c.hidden_size));
  std::int64_t sec = 0;
  for (auto s : c.mrope_section) sec += s;
  if (c.mrope_section.size() != 3 || 2 * sec != c.head_dim())
    fail(file, "rope_scaling.mrope_section", "expected 3 sections summing to head_dim/2 = " +
                                                 std::to_string(c.head_dim() / 2));
}

}  // namespace

Qwen2VL::Qwen2VL(const Qwen2VLConfig& config) : config_(config), visual_(config), text_(config) {}

namespace {

// Where the weights come from: a checkpoint on disk (read tensor by tensor from the mapping) or named tensors.
struct WeightSource {
  std::vector<std::string> names;                                        // every stored tensor
  std::function<std::string(const std::string&)> file_of;                // file named in errors
  std::function<std::vector<std::int64_t>(const std::string&)> shape_of;  // stored shape
  std::function<bool(const std::string&)> is_floating;                   // stored dtype is a float type
  std::function<at::Tensor(const std::string&, at::ScalarType)> read;    // CPU tensor converted to the dtype
};

Qwen2VL load(Qwen2VL model, const WeightSource& src, const Qwen2VLConfig& config, at::ScalarType dtype,
             at::Device device, const std::string& source) {
  if (dtype != at::kFloat && dtype != at::kBFloat16 && dtype != at::kHalf && dtype != at::kDouble)
    fail(source, "dtype", "expected a floating compute dtype");
  const Shapes shapes = expected_weight_shapes(config);
  std::set<std::string> stored(src.names.begin(), src.names.end());
  // Tied embeddings: a stored lm_head.weight is ignored, as transformers re-ties it to embed_tokens.
  if (config.tie_word_embeddings) stored.erase("lm_head.weight");
  for (const auto& name : stored)
    if (!shapes.count(name)) fail(src.file_of(name), "tensor " + quote(name, 200), "unexpected tensor: not a Qwen2-VL weight");
  for (auto& [name, slot] : model.named_parameters()) {
    if (!stored.count(name)) fail(source, "tensor " + quote(name, 200), "missing from the checkpoint");
    const auto& want = shapes.at(name);
    const auto got = src.shape_of(name);
    if (got != want)
      fail(src.file_of(name), "tensor " + quote(name, 200), "expected shape " + shape_str(want) + ", found " + shape_str(got));
    if (!src.is_floating(name)) fail(src.file_of(name), "tensor " + quote(name, 200), "expected a floating-point tensor");
    *slot = src.read(name, dtype).to(device).contiguous();
  }
  return model;
}

}  // namespace

Qwen2VL Qwen2VL::from_pretrained(const std::filesystem::path& dir, at::ScalarType dtype, at::Device device) {
  const auto config_path = std::filesystem::is_directory(dir) ? dir / "config.json" : dir;
  const auto weights_path = std::filesystem::is_directory(dir) ? dir : dir.parent_path();
  const Qwen2VLConfig config = Qwen2VLConfig::from_file(config_path);
  check_config(config, config_path.string());
  const io::Checkpoint ckpt = io::Checkpoint::open(weights_path);
  WeightSource src;
  src.names = ckpt.names();
  src.file_of = [&](const std::string& n) { return ckpt.file_of(n).string(); };
  src.shape_of = [&](const std::string& n) { return ckpt.tensor(n).shape; };
  src.is_floating = [&](const std::string& n) { return at::isFloatingType(to_scalar_type(ckpt.tensor(n).dtype)); };
  src.read = [&](const std::string& n, at::ScalarType as) { return to_tensor(ckpt.tensor(n), as); };
  Qwen2VL model(config);
  model.dtype_ = dtype;
  model.device_ = device;
  return load(std::move(model), src, config, dtype, device, weights_path.string());
}

Qwen2VL Qwen2VL::from_tensors(const Qwen2VLConfig& config, const std::map<std::string, at::Tensor>& weights,
                              at::ScalarType dtype, at::Device device, const std::string& source) {
  config.validate(source);
  check_config(config, source);
  WeightSource src;
  for (const auto& [name, t] : weights) src.names.push_back(name);
  src.file_of = [&](const std::string&) { return source; };
  src.shape_of = [&](const std::string& n) { return weights.at(n).sizes().vec(); };
  src.is_floating = [&](const std::string& n) { return at::isFloatingType(weights.at(n).scalar_type()); };
  src.read = [&](const std::string& n, at::ScalarType as) { return weights.at(n).to(as); };
  Qwen2VL model(config);
  model.dtype_ = dtype;
  model.device_ = device;
  return load(std::move(model), src, config, dtype, device, source);
}

std::vector<std::pair<std::string, at::Tensor*>> Qwen2VL::named_parameters() {
  auto out = visual_.named_parameters();
  for (auto& p : text_.named_parameters()) out.push_back(p);
  return out;
}

std::vector<std::pair<std::string, Linear*>> Qwen2VL::named_linears() {
  auto out = visual_.named_linears();
  for (auto& p : text_.named_linears()) out.push_back(p);
  return out;
}

}  // namespace vsr::model
