#pragma once
/// @file
/// The Hugging Face `config.json` of a Qwen2-VL checkpoint (model_type "qwen2_vl"), read torch-free into typed
/// structs. Omitted keys take the defaults of transformers v4.45.1's `Qwen2VLConfig` / `Qwen2VLVisionConfig`
/// (configuration_qwen2_vl.py), which are those of Qwen2-VL-72B; hub configs usually give every size explicitly.
/// Hub configs name two vision keys `in_chans` / `spatial_patch_size` while the class takes `in_channels` /
/// `patch_size`: both spellings are read. See docs/checkpoints.md for every rule.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vsr::io {

/// The vision tower (`vision_config`) of Qwen2-VL: a ViT over 2x14x14 space-time patches with 2-D rotary
/// embeddings and a 2x2 patch merger (transformers 4.45.1 `Qwen2VisionTransformerPretrainedModel`).
struct Qwen2VLVisionConfig {
  std::int64_t depth = 32;                ///< Number of transformer blocks.
  std::int64_t embed_dim = 1280;          ///< Width of the vision blocks.
  std::int64_t hidden_size = 3584;        ///< Output width of the patch merger (must equal the text hidden_size).
  std::string hidden_act = "quick_gelu";  ///< Activation of the block MLPs (x * sigmoid(1.702 x)).
  double mlp_ratio = 4;                   ///< Block MLP width = int(embed_dim * mlp_ratio).
  std::int64_t num_heads = 16;            ///< Attention heads per block.
  std::int64_t in_channels = 3;           ///< Image channels ("in_chans" in hub configs).
  std::int64_t patch_size = 14;           ///< Spatial patch side in pixels ("spatial_patch_size" in hub configs).
  std::int64_t spatial_merge_size = 2;    ///< Side of the square of patches merged into one token.
  std::int64_t temporal_patch_size = 2;   ///< Frames per patch.

  /// embed_dim / num_heads.
  std::int64_t head_dim() const { return embed_dim / num_heads; }
  /// Hidden width of a block MLP: int(embed_dim * mlp_ratio), as transformers computes it.
  std::int64_t mlp_hidden_dim() const { return static_cast<std::int64_t>(static_cast<double>(embed_dim) * mlp_ratio); }
};

/// A whole Qwen2-VL config.json (transformers 4.45.1 `Qwen2VLConfig`): the Qwen2 text decoder with M-RoPE,
/// the vision tower and the special token ids.
struct Qwen2VLConfig {
  std::int64_t vocab_size = 152064;               ///< Rows of embed_tokens / lm_head.
  std::int64_t hidden_size = 8192;                ///< Decoder width.
  std::int64_t intermediate_size = 29568;         ///< SiLU-gated MLP width.
  std::int64_t num_hidden_layers = 80;            ///< Decoder layers.
  std::int64_t num_attention_heads = 64;          ///< Query heads.
  std::int64_t num_key_value_heads = 8;           ///< Key/value heads (GQA); null in the file means num_attention_heads.
  std::string hidden_act = "silu";                ///< Decoder MLP activation.
  std::int64_t max_position_embeddings = 32768;   ///< Informational: longest context the model was trained for.
  double initializer_range = 0.02;                ///< Std of weight initialisation.
  double rms_norm_eps = 1e-5;                     ///< RMSNorm epsilon.
  double rope_theta = 1'000'000.0;                ///< RoPE base.
  bool tie_word_embeddings = false;               ///< lm_head shares embed_tokens' weight (no lm_head.weight stored).
  bool use_cache = true;                          ///< Informational (generation uses a KV cache).
  bool use_sliding_window = false;                ///< Sliding-window attention flag (unused by eager attention in 4.45.1).
  std::optional<std::int64_t> sliding_window = 4096;  ///< Window size (may be null).
  std::int64_t max_window_layers = 80;            ///< Layers before sliding windows would start.
  double attention_dropout = 0.0;                 ///< Attention dropout probability.
  std::string rope_type = "default";              ///< rope_scaling "type"/"rope_type"; "mrope" is read as "default".
  std::vector<std::int64_t> mrope_section;        ///< rope_scaling.mrope_section: 3 (t, h, w) sizes summing to head_dim/2.
  std::int64_t image_token_id = 151655;           ///< <|image_pad|>.
  std::int64_t video_token_id = 151656;           ///< <|video_pad|>.
  std::int64_t vision_start_token_id = 151652;    ///< <|vision_start|>.
  std::int64_t vision_end_token_id = 151653;      ///< <|vision_end|>.
  std::int64_t vision_token_id = 151654;          ///< <|vision_pad|>.
  std::optional<std::int64_t> bos_token_id;       ///< Beginning-of-sequence id (absent/null: none).
  std::vector<std::int64_t> eos_token_ids;        ///< End-of-sequence id(s): an int or a list in the file.
  std::optional<std::int64_t> pad_token_id;       ///< Padding id (absent/null: none).
  std::string torch_dtype;                        ///< Dtype the weights were saved in ("bfloat16"), empty if absent.
  Qwen2VLVisionConfig vision_config;              ///< The vision tower.

  /// hidden_size / num_attention_heads.
  std::int64_t head_dim() const { return hidden_size / num_attention_heads; }
  /// num_attention_heads / num_key_value_heads: query heads sharing one key/value head.
  std::int64_t kv_groups() const { return num_attention_heads / num_key_value_heads; }

  /// Reads and validates a config.json; vsr::Error naming the file and the key ("vision_config.depth").
  static Qwen2VLConfig from_file(const std::filesystem::path& path);
  /// Reads and validates config.json text; `origin` names it in errors.
  static Qwen2VLConfig from_json(std::string_view text, std::string origin);
  /// Checks the invariants (positive sizes, heads dividing widths, mrope sum, ids inside the vocabulary, ...);
  /// `origin` names the config in errors. from_json calls it; call it after editing fields by hand.
  void validate(const std::string& origin) const;
  /// A config.json (sorted keys, 2-space indent, like save_pretrained) that transformers 4.45.1 and from_json read
  /// back to the same values; vision keys are written in both spellings, as hub configs do.
  std::string to_json() const;
};

}  // namespace vsr::io
