#pragma once
/// @file
/// Exporting a trained model as a Hugging Face checkpoint folder (`vsr export`): the base Qwen2-VL checkpoint with a
/// PEFT LoRA adapter either merged into the weights (W += (alpha / r) B A; a plain checkpoint any Qwen2-VL loader
/// reads) or kept beside them (base weights + adapter_config.json + adapter_model.safetensors, PEFT's layout).

#include "vsr/io/safetensors.hpp"

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace vsr::model {
class Qwen2VL;
}

namespace vsr::train {

class LoraAdapters;

/// How to export.
struct ExportOptions {
  bool merge = false;                 ///< fold the adapter into the weights (else save it beside them)
  io::DType dtype = io::DType::BF16;  ///< dtype of the written weights: BF16 (as Qwen2-VL ships), F16 or F32
  std::uint64_t max_shard_bytes = 5'000'000'000;  ///< transformers' save_pretrained default shard size (5 GB)
};

/// What was written.
struct ExportReport {
  std::size_t tensors = 0;                    ///< model tensors written
  std::uint64_t bytes = 0;                    ///< their total size
  bool merged = false;                        ///< whether an adapter was merged
  std::size_t adapter_modules = 0;            ///< adapted modules (0 without adapter)
  std::vector<std::filesystem::path> copied;  ///< other files copied from the model folder
};

/// Parses "bf16"/"bfloat16", "f16"/"fp16"/"float16" or "f32"/"fp32"/"float32"; vsr::Error naming `field`.
io::DType parse_weight_dtype(std::string_view name, const std::string& origin, const std::string& field);

/// The config.json `torch_dtype` spelling of a weight dtype ("bfloat16", "float16", "float32").
std::string_view torch_dtype_name(io::DType dtype);

/// Loads `model_dir` (float32), attaches the PEFT adapter in `adapter_dir` (empty: none) and writes `out_dir`:
/// config.json (the model's, torch_dtype updated, sorted keys), model.safetensors (or shards + index) in
/// options.dtype with `{"format": "pt"}` metadata, the adapter files when not merged, and every other file of the
/// model folder (generation/preprocessor configs, tokenizer) copied. Qwen2VL::from_pretrained(out_dir) loads the
/// result. vsr::Error when out_dir is model_dir or adapter_dir, when merge is asked without adapter, or on bad
/// inputs (naming the file).
ExportReport export_checkpoint(const std::filesystem::path& model_dir, const std::filesystem::path& adapter_dir,
                               const std::filesystem::path& out_dir, const ExportOptions& options);

/// Writes `model` (its weights as they are now, e.g. after full-weight training or a merge) to `out_dir` in the
/// layout export_checkpoint writes: config.json and the other files taken from `model_dir` (the folder it was
/// loaded from), weights in options.dtype, and `adapters`' files beside them when given and still attached. Adds
/// what it wrote to `report`.
void save_model_folder(model::Qwen2VL& model, LoraAdapters* adapters, const std::filesystem::path& model_dir,
                       const std::filesystem::path& out_dir, const ExportOptions& options, ExportReport& report);

}  // namespace vsr::train
