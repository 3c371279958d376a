// Exporting base + LoRA adapter as a Hugging Face checkpoint folder, merged or with the adapter beside it.
#include "vsr/train/export.hpp"

#include "vsr/core/error.hpp"
#include "vsr/core/run_dir.hpp"
#include "vsr/model/qwen2vl.hpp"
#include "vsr/runtime/tensor_io.hpp"
#include "vsr/train/lora.hpp"

#include <ATen/ATen.h>
#include <nlohmann/json.hpp>

#include <optional>

namespace vsr::train {

namespace fs = std::filesystem;

io::DType parse_weight_dtype(std::string_view name, const std::string& origin, const std::string& field) {
  if (name == "bf16" || name == "bfloat16") return io::DType::BF16;
  if (name == "f16" || name == "fp16" || name == "float16") return io::DType::F16;
  if (name == "f32" || name == "fp32" || name == "float32") return io::DType::F32;
  fail(origin, field, "expected bf16, f16 or f32, found " + quote(name));
}

std::string_view torch_dtype_name(io::DType dtype) {
  switch (dtype) {
    case io::DType::BF16:
      return "bfloat16";
    case io::DType::F16:
      return "float16";
    default:
      return "float32";
  }
}

namespace {

bool same_folder(const fs::path& a, const fs::path& b) {
  std::error_code ec;
  return fs::exists(a) && fs::exists(b) && fs::equivalent(a, b, ec);
}

// Files of the model folder that the export rewrites itself (weights, index, config) or that belong to an adapter.
bool rewritten(const fs::path& file) {
  const std::string name = file.filename().string();
  return name == "config.json" || name.ends_with(".safetensors") || name.ends_with(".safetensors.index.json") ||
         name.starts_with("adapter_") || name.ends_with(".bin") || name.ends_with(".pt") || name.ends_with(".pth");
}

}  // namespace

void save_model_folder(model::Qwen2VL& model, LoraAdapters* adapters, const fs::path& model_dir,
                       const fs::path& out_dir, const ExportOptions& options, ExportReport& report) {
  fs::create_directories(out_dir);
  // config.json: the model's own, keys sorted as save_pretrained writes them, with the new torch_dtype.
  const fs::path config_path = model_dir / "config.json";
  nlohmann::json config;
  try {
    config = nlohmann::json::parse(read_file(config_path));
  } catch (const nlohmann::json::exception& e) {
    fail(config_path.string(), "", std::string("invalid JSON: ") + e.what());
  }
  config["torch_dtype"] = std::string(torch_dtype_name(options.dtype));
  write_file_atomic(out_dir / "config.json", config.dump(2) + "\n");

  io::SafetensorsWriter writer;
  writer.set_metadata("format", "pt");
  const auto type = to_scalar_type(options.dtype);
  for (auto& [name, tensor] : model.named_parameters()) {
    const at::Tensor t = tensor->detach().to(at::kCPU).to(type).contiguous();
    const auto* bytes = static_cast<const std::byte*>(t.data_ptr());
    writer.add(name, options.dtype, t.sizes().vec(), {bytes, static_cast<std::size_t>(t.numel()) * t.element_size()});
  }
  report.tensors = writer.entries().size();
  report.bytes = writer.data_bytes();
  io::write_sharded(out_dir, writer, options.max_shard_bytes, "model");
  if (adapters != nullptr && adapters->attached()) adapters->save_adapter(out_dir, io::DType::F32);

  for (const auto& entry : fs::directory_iterator(model_dir)) {
    if (!entry.is_regular_file() || rewritten(entry.path())) continue;
    fs::copy_file(entry.path(), out_dir / entry.path().filename(), fs::copy_options::overwrite_existing);
    report.copied.push_back(entry.path().filename());
  }
}

ExportReport export_checkpoint(const fs::path& model_dir, const fs::path& adapter_dir, const fs::path& out_dir,
                               const ExportOptions& options) {
  if (!fs::is_directory(model_dir)) fail(model_dir.string(), "", "expected a checkpoint folder");
  if (same_folder(out_dir, model_dir)) fail(out_dir.string(), "--out", "must differ from the model folder");
  if (!adapter_dir.empty() && same_folder(out_dir, adapter_dir))
    fail(out_dir.string(), "--out", "must differ from the adapter folder");
  if (options.merge && adapter_dir.empty()) fail("<command line>", "--merge", "needs an adapter (--adapter DIR)");
  if (options.dtype != io::DType::BF16 && options.dtype != io::DType::F16 && options.dtype != io::DType::F32)
    fail("<command line>", "--dtype", "expected bf16, f16 or f32");

  model::Qwen2VL model = model::Qwen2VL::from_pretrained(model_dir, at::kFloat);
  std::optional<LoraAdapters> adapters;
  ExportReport report;
  if (!adapter_dir.empty()) {
    adapters.emplace(LoraAdapters::from_pretrained(model, adapter_dir));
    report.adapter_modules = adapters->module_names().size();
  }
  if (options.merge) {
    adapters->merge_adapter();
    report.merged = true;
  }

  save_model_folder(model, adapters ? &*adapters : nullptr, model_dir, out_dir, options, report);
  return report;
}

}  // namespace vsr::train
