// `vsr init-model --like MODEL_DIR --out DIR [--seed N] [--std S] [--output-scale K]`: a randomly initialised
// Qwen2-VL checkpoint (transformers' initialisation) for toy experiments, tests and benchmarks.
#include "command.hpp"
#include "vsr/core/config.hpp"
#include "vsr/core/error.hpp"
#include "vsr/core/run_dir.hpp"
#include "vsr/model/qwen2vl.hpp"
#include "vsr/runtime/tensor_io.hpp"

#include <ATen/ATen.h>
#include <fmt/format.h>

#include <filesystem>

VSR_COMMAND(cmd_init_model, "init-model",
            "write a randomly initialised Qwen2-VL checkpoint (toy base models, tests, benchmarks)") {
  namespace fs = std::filesystem;
  std::string like, out;
  std::uint64_t seed = 0;
  double std_dev = 0.02, output_scale = 1.0;
  vsr::Config cfg(argv[0]);
  cfg.top_level()
      .add("like", like, "a Qwen2-VL folder whose config.json is instantiated (its preprocessor_config.json and "
                         "generation_config.json are copied too; no weights are read)")
      .add("out", out, "output folder")
      .add("seed", seed, "seed of the initialisation")
      .add("std", std_dev, "standard deviation of linear and embedding weights (transformers: initializer_range)")
      .add("output-scale", output_scale,
           "multiply the final norm weight (model.norm.weight) by this: lets a toy model with tied 0.02-scale "
           "embeddings reach confident outputs (trained Qwen2 models have large final norm weights)");
  if (!cfg.parse(argc, argv)) return 0;
  vsr::require(!like.empty(), "<command line>", "like", "expected --like DIR (a folder with config.json)");
  const fs::path config_file = fs::path(like) / "config.json";
  vsr::require(!out.empty(), "<command line>", "out", "expected --out DIR");
  vsr::require(output_scale > 0, "<command line>", "output-scale", "expected a value > 0");
  const auto config = vsr::io::Qwen2VLConfig::from_file(config_file);
  auto weights = vsr::model::random_weights(config, seed, std_dev);
  weights.at("model.norm.weight").mul_(output_scale);
  fs::create_directories(out);
  std::vector<std::pair<std::string, at::Tensor>> named(weights.begin(), weights.end());
  vsr::save_safetensors(fs::path(out) / "model.safetensors", named, {{"format", "pt"}});
  vsr::write_file_atomic(fs::path(out) / "config.json", vsr::read_file(config_file));
  for (const char* extra : {"preprocessor_config.json", "generation_config.json"}) {
    const fs::path from = fs::path(like) / extra;
    if (fs::exists(from)) vsr::write_file_atomic(fs::path(out) / extra, vsr::read_file(from));
  }
  std::int64_t params = 0;
  for (const auto& [name, t] : named) params += t.numel();
  fmt::print("{}: {} tensors, {:.2f}M parameters (seed {}, std {}, output scale {})\n", out, named.size(),
             static_cast<double>(params) / 1e6, seed, std_dev, output_scale);
  return 0;
}
