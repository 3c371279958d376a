#pragma once
/// @file
/// The conformance run behind `vsr golden DIR`: recomputes every tensor of a golden folder made by transformers'
/// own Qwen2-VL code (layout of tests/data/qwen2vl-tiny: model/, tokenizer/, cases/*.json + *.safetensors,
/// smart_resize.json, tokenizer_cases.json) with vsr's tokenizer, processor and model, and checks each one. Nothing
/// about a particular folder is assumed: sizes, head counts, mrope sections, vision depths, the number and kind of
/// vision inputs and the chat turns all come from the folder.

#include "vsr/runtime/checks.hpp"

#include <ATen/core/Tensor.h>

#include <filesystem>
#include <string>

namespace vsr::model {

/// Settings of a conformance run.
struct GoldenOptions {
  at::ScalarType dtype = at::kFloat;  ///< model compute dtype (the goldens are float32)
  std::string device = "cpu";         ///< "cpu" or "cuda[:N]"
  double atol = 1e-5;                 ///< absolute tolerance of float checks
  double rtol = 1e-5;                 ///< relative tolerance (times max|want|) of float checks
  double vision_tol = 1e-4;           ///< atol and rtol of the vision tower's intermediate outputs
};

/// Runs every check of the golden folder `dir` into `checks` (one entry per tensor or case; names like
/// "video/layer0_out"). Throws vsr::Error only when the folder itself cannot be read.
void run_golden_folder(const std::filesystem::path& dir, const GoldenOptions& options, CheckList& checks);

}  // namespace vsr::model
