// `vsr export --model DIR [--adapter DIR] --out DIR [--merge] [--dtype bf16|f16|f32]`: writes a Hugging Face
// Qwen2-VL checkpoint folder from a base checkpoint and a PEFT LoRA adapter, merged or kept beside the weights.
#include "command.hpp"
#include "vsr/core/config.hpp"
#include "vsr/core/error.hpp"
#include "vsr/train/export.hpp"

#include <fmt/format.h>

VSR_COMMAND(cmd_export, "export",
            "write a Hugging Face checkpoint from a base model and a LoRA adapter (merged or not)") {
  std::string model, adapter, out, dtype = "bf16";
  bool merge = false;
  vsr::Config cfg(argv[0]);
  auto top = cfg.top_level();
  top.add("model", model, "base Qwen2-VL checkpoint folder")
      .add("adapter", adapter, "PEFT LoRA adapter folder (adapter_config.json + adapter_model.safetensors)")
      .add("out", out, "output folder")
      .add("merge", merge, "fold the adapter into the weights (W += alpha/r * B A) instead of saving it beside them")
      .add("dtype", dtype, "weight dtype written: bf16, f16 or f32");
  if (!cfg.parse(argc, argv)) return 0;
  if (model.empty()) vsr::fail("<command line>", "--model", "expected the base checkpoint folder");
  if (out.empty()) vsr::fail("<command line>", "--out", "expected an output folder");
  vsr::train::ExportOptions options;
  options.merge = merge;
  options.dtype = vsr::train::parse_weight_dtype(dtype, "<command line>", "--dtype");
  const auto report = vsr::train::export_checkpoint(model, adapter, out, options);
  fmt::print("{}: {} tensors ({} bytes, {}){}{}\n", out, report.tensors, report.bytes,
             vsr::train::torch_dtype_name(options.dtype),
             report.adapter_modules == 0 ? ""
                                         : fmt::format(", adapter on {} modules {}", report.adapter_modules,
                                                       report.merged ? "merged" : "saved beside the weights"),
             report.copied.empty() ? "" : fmt::format(", {} other files copied", report.copied.size()));
  return 0;
}
