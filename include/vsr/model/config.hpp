#pragma once
/// @file
/// The Qwen2-VL configuration type the model code reads (`config.json` of a Hugging Face checkpoint).
///
/// SWAP POINT (io integration): until `include/vsr/io/hf_config.hpp` lands, this header carries a minimal stand-in
/// in `vsr::model::detail` with the same field names as `vsr::io::Qwen2VLConfig`. When the io branch is merged, replace
/// everything below the includes with
///   `#include "vsr/io/hf_config.hpp"` and `namespace vsr::model { using Qwen2VLConfig = io::Qwen2VLConfig; }`
/// and delete the stand-in half of src/model/io_bridge.cpp. The model code uses only the fields listed here.

#include <cstdint>
#include <filesystem>
#include <vector>

namespace vsr::model::detail {

/// Stand-in for `vsr::io::Qwen2VLVisionConfig`: the `vision_config` block (transformers 4.45.1 defaults).
struct VisionConfigStandIn {
  int depth = 32;                ///< number of vision blocks
  int embed_dim = 1280;          ///< width of the vision transformer
  int hidden_size = 3584;        ///< output width of the PatchMerger (= text hidden size)
  int num_heads = 16;            ///< attention heads of the vision blocks
  double mlp_ratio = 4.0;        ///< block MLP width = embed_dim * mlp_ratio
  int in_chans = 3;              ///< image channels
  int patch_size = 14;           ///< spatial patch size in pixels
  int spatial_merge_size = 2;    ///< PatchMerger merges merge x merge patches
  int temporal_patch_size = 2;   ///< frames per temporal patch
};

/// Stand-in for `vsr::io::Qwen2VLConfig` (Qwen2VLConfig of transformers 4.45.1).
struct ConfigStandIn {
  std::int64_t vocab_size = 152064;        ///< rows of embed_tokens / lm_head
  int hidden_size = 8192;                  ///< decoder width
  int intermediate_size = 29568;           ///< SiLU-gated MLP width
  int num_hidden_layers = 80;              ///< decoder layers
  int num_attention_heads = 64;            ///< query heads
  int num_key_value_heads = 8;             ///< key/value heads (GQA)
  double rms_norm_eps = 1e-5;              ///< RMSNorm epsilon
  double rope_theta = 1000000.0;           ///< M-RoPE base
  bool tie_word_embeddings = false;        ///< lm_head shares embed_tokens.weight
  std::vector<int> mrope_section;          ///< rope_scaling.mrope_section: t/h/w rotary pairs
  std::int64_t image_token_id = 151655;    ///< <|image_pad|>
  std::int64_t video_token_id = 151656;    ///< <|video_pad|>
  std::int64_t vision_start_token_id = 151652;  ///< <|vision_start|>
  std::int64_t vision_end_token_id = 151653;    ///< <|vision_end|>
  std::int64_t bos_token_id = 151643;      ///< <|endoftext|>
  std::int64_t eos_token_id = 151645;      ///< <|im_end|>
  VisionConfigStandIn vision;              ///< the vision_config block

  /// hidden_size / num_attention_heads.
  int head_dim() const { return hidden_size / num_attention_heads; }
  /// Reads `config.json` (a file, or a folder holding it); vsr::Error naming the key on a bad value.
  static ConfigStandIn from_file(const std::filesystem::path& path);
};

}  // namespace vsr::model::detail

namespace vsr::model {

/// The configuration type the model reads (see the SWAP POINT note above).
using Qwen2VLConfig = detail::ConfigStandIn;

}  // namespace vsr::model
