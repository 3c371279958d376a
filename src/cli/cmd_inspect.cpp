// `vsr inspect FILE_OR_DIR`: lists the tensors (name, dtype, shape) and metadata of a safetensors file or Hugging
// Face checkpoint folder, and the parsed Qwen2-VL config.json beside it, after full validation.
#include "command.hpp"
#include "vsr/core/config.hpp"
#include "vsr/core/error.hpp"
#include "vsr/io/hf_config.hpp"
#include "vsr/io/safetensors.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <map>

namespace {

namespace fs = std::filesystem;

std::string human_bytes(std::uint64_t n) {
  if (n < 1024) return fmt::format("{} B", n);
  const char* units[] = {"KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(n);
  int u = -1;
  while (v >= 1024 && u < 3) {
    v /= 1024;
    ++u;
  }
  return fmt::format("{:.1f} {}", v, units[u]);
}

void print_config(const fs::path& path) {
  const auto c = vsr::io::Qwen2VLConfig::from_file(path);
  const auto& v = c.vision_config;
  fmt::print("\n{} (qwen2_vl, validated):\n", path.string());
  fmt::print("  text:   vocab {}, hidden {}, {} layers, {} heads ({} kv, head_dim {}), intermediate {}, rms_norm_eps {}, "
             "rope_theta {}, mrope_section [{}], tie_word_embeddings {}\n",
             c.vocab_size, c.hidden_size, c.num_hidden_layers, c.num_attention_heads, c.num_key_value_heads, c.head_dim(),
             c.intermediate_size, c.rms_norm_eps, c.rope_theta, fmt::join(c.mrope_section, ", "), c.tie_word_embeddings);
  fmt::print("  vision: depth {}, embed_dim {}, {} heads, mlp {} ({}), patch {}x{}x{}, merge {}, in_channels {}, "
             "out hidden {}\n",
             v.depth, v.embed_dim, v.num_heads, v.mlp_hidden_dim(), v.hidden_act, v.temporal_patch_size, v.patch_size,
             v.patch_size, v.spatial_merge_size, v.in_channels, v.hidden_size);
  fmt::print("  tokens: image {}, video {}, vision_start {}, vision_end {}, bos {}, eos [{}]\n", c.image_token_id,
             c.video_token_id, c.vision_start_token_id, c.vision_end_token_id,
             c.bos_token_id ? std::to_string(*c.bos_token_id) : "none", fmt::join(c.eos_token_ids, ", "));
  if (!c.torch_dtype.empty()) fmt::print("  torch_dtype: {}\n", c.torch_dtype);
}

}  // namespace

VSR_COMMAND(cmd_inspect, "inspect", "list the tensors, metadata and config of a safetensors file or checkpoint folder") {
  std::string filter;
  bool no_tensors = false;
  vsr::Config cfg(argv[0]);
  auto top = cfg.top_level();
  top.add("filter", filter, "only list tensors whose name contains this text")
      .add("no-tensors", no_tensors, "print the summary, metadata and config only");
  cfg.allow_positional(1);
  if (!cfg.parse(argc, argv)) return 0;
  if (cfg.positional().empty()) vsr::fail("<command line>", "", "expected a .safetensors file or a checkpoint folder");
  const fs::path path = cfg.positional()[0];

  const auto ck = vsr::io::Checkpoint::open(path);
  const auto names = ck.names();
  std::uint64_t params = 0;
  std::map<std::string, int> dtypes;
  for (const auto& n : names) {
    const auto& t = ck.tensor(n);
    params += static_cast<std::uint64_t>(t.numel());
    ++dtypes[std::string(vsr::io::dtype_name(t.dtype))];
  }
  std::vector<std::string> dtype_text;
  for (const auto& [d, count] : dtypes) dtype_text.push_back(fmt::format("{} x{}", d, count));
  fmt::print("{}: {} tensors, {} parameters, {} of data in {} file{}{}\n", path.string(), names.size(), params,
             human_bytes(ck.total_bytes()), ck.files().size(), ck.files().size() == 1 ? "" : "s",
             dtype_text.empty() ? "" : fmt::format(" ({})", fmt::join(dtype_text, ", ")));
  if (!ck.index_path().empty()) fmt::print("index: {}\n", ck.index_path().string());
  for (const auto& f : ck.files()) {
    for (const auto& [k, v] : f.metadata()) fmt::print("metadata {}: {} = {}\n", f.path().filename().string(), k, v);
  }

  if (!no_tensors) {
    std::size_t width = 4;
    for (const auto& n : names) width = std::max(width, n.size());
    const bool multi = ck.files().size() > 1;
    fmt::print("\n{:<{}}  {:<5} {}\n", "name", width, "dtype", multi ? "shape  file" : "shape");
    for (const auto& n : names) {
      if (!filter.empty() && n.find(filter) == std::string::npos) continue;
      const auto& t = ck.tensor(n);
      fmt::print("{:<{}}  {:<5} [{}]{}\n", n, width, vsr::io::dtype_name(t.dtype), fmt::join(t.shape, ", "),
                 multi ? "  " + ck.file_of(n).filename().string() : "");
    }
  }

  std::error_code ec;
  const fs::path dir = fs::is_directory(path, ec) ? path : path.parent_path();
  const fs::path config = (dir.empty() ? fs::path(".") : dir) / "config.json";
  if (fs::is_regular_file(config, ec)) print_config(config);
  return 0;
}
