// LoRA adapters on Qwen2-VL's language model with PEFT's initialisation, file format and names.
#include "vsr/train/lora.hpp"

#include "vsr/core/error.hpp"
#include "vsr/core/run_dir.hpp"
#include "vsr/model/linear.hpp"
#include "vsr/model/qwen2vl.hpp"
#include "vsr/runtime/tensor_io.hpp"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

namespace vsr::train {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kConfigFile = "adapter_config.json";
constexpr std::string_view kWeightsFile = "adapter_model.safetensors";
constexpr std::string_view kPeftPrefix = "base_model.model.";

// The last dotted component of a module name ("model.layers.0.self_attn.q_proj" -> "q_proj").
std::string_view leaf(std::string_view module) {
  const auto dot = module.rfind('.');
  return dot == std::string_view::npos ? module : module.substr(dot + 1);
}

bool is_language_module(std::string_view module) { return module.starts_with("model.layers."); }

std::string shape_text(at::IntArrayRef shape) {
  std::string s = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

at::ScalarType adapter_dtype() { return at::kFloat; }

}  // namespace

void LoraOptions::describe(OptionSet& set) {
  set.add("rank", rank, "LoRA rank r (TRL ModelConfig default 16)")
      .add("alpha", alpha, "lora_alpha: the delta is scaled by alpha / r (TRL default 32)")
      .add("dropout", dropout, "dropout on the adapter input in training mode (TRL default 0.05)")
      .add("target_modules", target_modules, "comma-separated decoder projections to adapt")
      .add("use_rslora", use_rslora, "rank-stabilised scaling alpha / sqrt(r) (PEFT use_rslora)")
      .add("seed", seed, "seed of the adapters' initialisation")
      .add("base_model", base_model, "base_model_name_or_path written into adapter_config.json");
}

std::vector<std::string> LoraOptions::targets(const std::string& origin) const {
  if (rank < 1) fail(origin, "lora.rank", "expected a positive rank, got " + std::to_string(rank));
  if (!(alpha > 0.0) || !std::isfinite(alpha)) fail(origin, "lora.alpha", "expected a positive alpha");
  if (!(dropout >= 0.0 && dropout < 1.0)) fail(origin, "lora.dropout", "expected a probability in [0, 1)");
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= target_modules.size()) {
    const auto comma = target_modules.find(',', start);
    const auto end = comma == std::string::npos ? target_modules.size() : comma;
    std::string name = target_modules.substr(start, end - start);
    name.erase(0, name.find_first_not_of(" \t"));
    name.erase(name.find_last_not_of(" \t") + 1);
    if (!name.empty()) {
      if (std::find(std::begin(kLoraTargetNames), std::end(kLoraTargetNames), name) == std::end(kLoraTargetNames))
        fail(origin, "lora.target_modules",
             "expected decoder projections (q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj), found " +
                 quote(name));
      if (std::find(out.begin(), out.end(), name) != out.end())
        fail(origin, "lora.target_modules", "duplicate module " + quote(name));
      out.push_back(name);
    }
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (out.empty()) fail(origin, "lora.target_modules", "expected at least one module");
  return out;
}

double LoraOptions::scale() const {
  return use_rslora ? alpha / std::sqrt(static_cast<double>(rank)) : alpha / static_cast<double>(rank);
}

LoraAdapters::LoraAdapters(model::Qwen2VL& model, LoraOptions options) : model_(&model), options_(std::move(options)) {
  const auto targets = options_.targets();
  for (auto& [name, linear] : model.named_linears())
    if (is_language_module(name) && std::find(targets.begin(), targets.end(), leaf(name)) != targets.end())
      layers_.emplace_back(name, linear);
  if (layers_.empty()) fail("[lora]", "lora.target_modules", "no language-model Linear matches the targets");
}

LoraAdapters::LoraAdapters(LoraAdapters&&) noexcept = default;
LoraAdapters& LoraAdapters::operator=(LoraAdapters&&) noexcept = default;
LoraAdapters::~LoraAdapters() = default;

LoraAdapters LoraAdapters::create(model::Qwen2VL& model, const LoraOptions& options) {
  LoraAdapters out(model, options);
  auto gen = at::make_generator<at::CPUGeneratorImpl>(options.seed);
  const auto device = model.device();
  for (auto& [name, linear] : out.layers_) {
    const std::int64_t in = linear->in_features(), features = linear->out_features();
    // nn.Linear's reset_parameters: kaiming_uniform_(a=sqrt(5)) on [r, in] has bound
    // gain * sqrt(3 / fan_in) with gain = sqrt(2 / (1 + 5)), i.e. 1 / sqrt(in).
    const double bound = 1.0 / std::sqrt(static_cast<double>(in));
    at::Tensor a = at::empty({options.rank, in}, at::TensorOptions().dtype(adapter_dtype()));
    a.uniform_(-bound, bound, gen);
    at::Tensor b = at::zeros({features, options.rank}, at::TensorOptions().dtype(adapter_dtype()));
    linear->attach_lora(a.to(device).set_requires_grad(true), b.to(device).set_requires_grad(true), options.scale(),
                        options.dropout);
  }
  return out;
}

std::vector<std::string> LoraAdapters::module_names() const {
  std::vector<std::string> out;
  for (const auto& [name, linear] : layers_) out.push_back(name);
  return out;
}

void LoraAdapters::set_enabled(bool enabled) {
  enabled_ = enabled;
  for (auto& [name, linear] : layers_) linear->set_lora_enabled(enabled);
}

void LoraAdapters::set_training(bool training) {
  training_ = training;
  for (auto& [name, linear] : layers_) linear->set_lora_training(training);
}

std::vector<at::Tensor> LoraAdapters::parameters() const {
  std::vector<at::Tensor> out;
  for (const auto& [name, linear] : layers_) {
    out.push_back(linear->lora_a());
    out.push_back(linear->lora_b());
  }
  return out;
}

std::vector<std::pair<std::string, at::Tensor>> LoraAdapters::named_parameters() const {
  std::vector<std::pair<std::string, at::Tensor>> out;
  for (const auto& [name, linear] : layers_) {
    out.emplace_back(peft_name(name, 'A'), linear->lora_a());
    out.emplace_back(peft_name(name, 'B'), linear->lora_b());
  }
  return out;
}

std::int64_t LoraAdapters::num_parameters() const {
  std::int64_t n = 0;
  for (const auto& t : parameters()) n += t.numel();
  return n;
}

std::string LoraAdapters::peft_name(std::string_view module, char which) {
  return std::string(kPeftPrefix) + std::string(module) + (which == 'A' ? ".lora_A.weight" : ".lora_B.weight");
}

void LoraAdapters::save_adapter(const fs::path& dir, io::DType dtype) const {
  if (!attached()) fail(dir.string(), "", "no adapters attached (merged or detached)");
  if (dtype != io::DType::F32 && dtype != io::DType::BF16 && dtype != io::DType::F16)
    fail(dir.string(), "dtype", "adapters are saved as F32, BF16 or F16");
  // The keys of PEFT 0.10-0.13's LoraConfig.to_dict(), which every later PEFT also reads.
  nlohmann::json c = nlohmann::json::object();
  c["alpha_pattern"] = nlohmann::json::object();
  c["auto_mapping"] = nullptr;
  c["base_model_name_or_path"] =
      options_.base_model.empty() ? nlohmann::json(nullptr) : nlohmann::json(options_.base_model);
  c["bias"] = "none";
  c["fan_in_fan_out"] = false;
  c["inference_mode"] = true;
  c["init_lora_weights"] = true;
  c["layer_replication"] = nullptr;
  c["layers_pattern"] = nullptr;
  c["layers_to_transform"] = nullptr;
  c["loftq_config"] = nlohmann::json::object();
  if (options_.alpha == std::floor(options_.alpha) && std::abs(options_.alpha) < 1e15)
    c["lora_alpha"] = static_cast<std::int64_t>(options_.alpha);
  else
    c["lora_alpha"] = options_.alpha;
  c["lora_dropout"] = options_.dropout;
  c["megatron_config"] = nullptr;
  c["megatron_core"] = "megatron.core";
  c["modules_to_save"] = nullptr;
  c["peft_type"] = "LORA";
  c["r"] = options_.rank;
  c["rank_pattern"] = nlohmann::json::object();
  c["revision"] = nullptr;
  c["target_modules"] = options_.targets(dir.string());
  c["task_type"] = "CAUSAL_LM";
  c["use_dora"] = false;
  c["use_rslora"] = options_.use_rslora;
  fs::create_directories(dir);
  write_file_atomic(dir / kConfigFile, c.dump(2));
  std::vector<std::pair<std::string, at::Tensor>> tensors;
  for (auto& [name, t] : named_parameters())
    tensors.emplace_back(name, t.detach().to(at::kCPU).to(to_scalar_type(dtype)));
  save_safetensors(dir / kWeightsFile, tensors, {{"format", "pt"}});
}

LoraOptions LoraAdapters::read_config(const fs::path& dir) {
  const fs::path path = dir / kConfigFile;
  const std::string file = path.string();
  if (!fs::exists(path)) fail(file, "", "missing: not a PEFT adapter folder");
  nlohmann::json c;
  try {
    c = nlohmann::json::parse(read_file(path));
  } catch (const nlohmann::json::exception& e) {
    fail(file, "", std::string("invalid JSON: ") + e.what());
  }
  if (!c.is_object()) fail(file, "", "expected a JSON object");
  auto get = [&](const char* key) -> const nlohmann::json* {
    auto it = c.find(key);
    return it == c.end() || it->is_null() ? nullptr : &*it;
  };
  auto unsupported_unless = [&](const char* key, auto ok, const std::string& what) {
    if (const auto* v = get(key); v && !ok(*v)) fail(file, key, what + ", found " + v->dump());
  };
  const auto* type = get("peft_type");
  if (!type || !type->is_string() || type->get<std::string>() != "LORA")
    fail(file, "peft_type", "expected \"LORA\"" + (type ? ", found " + type->dump() : std::string(", found none")));
  LoraOptions o;
  const auto* r = get("r");
  if (!r || !r->is_number_integer() || r->get<std::int64_t>() < 1 || r->get<std::int64_t>() > 1'000'000)
    fail(file, "r", "expected a positive integer rank");
  o.rank = static_cast<int>(r->get<std::int64_t>());
  const auto* alpha = get("lora_alpha");
  if (alpha && !alpha->is_number()) fail(file, "lora_alpha", "expected a number, found " + alpha->dump());
  o.alpha = alpha ? alpha->get<double>() : 8.0;  // PEFT's default lora_alpha
  const auto* dropout = get("lora_dropout");
  if (dropout && !dropout->is_number()) fail(file, "lora_dropout", "expected a number, found " + dropout->dump());
  o.dropout = dropout ? dropout->get<double>() : 0.0;
  const auto* targets = get("target_modules");
  if (!targets || !targets->is_array())
    fail(file, "target_modules", "expected a list of module names (a regex string is not supported)");
  o.target_modules.clear();
  for (const auto& t : *targets) {
    if (!t.is_string()) fail(file, "target_modules", "expected strings, found " + t.dump());
    o.target_modules += (o.target_modules.empty() ? "" : ",") + t.get<std::string>();
  }
  if (const auto* base = get("base_model_name_or_path"); base && base->is_string())
    o.base_model = base->get<std::string>();
  auto is_false = [](const nlohmann::json& v) { return v.is_boolean() && !v.get<bool>(); };
  auto is_empty = [](const nlohmann::json& v) { return (v.is_object() || v.is_array()) && v.empty(); };
  unsupported_unless(
      "bias", [](const nlohmann::json& v) { return v == "none"; }, "only bias \"none\" is supported");
  unsupported_unless("use_dora", is_false, "DoRA is not supported");
  unsupported_unless("fan_in_fan_out", is_false, "fan_in_fan_out (Conv1D layers) is not supported");
  unsupported_unless("rank_pattern", is_empty, "per-module ranks are not supported");
  unsupported_unless("alpha_pattern", is_empty, "per-module alphas are not supported");
  unsupported_unless("modules_to_save", is_empty, "modules_to_save is not supported");
  unsupported_unless("layers_to_transform", is_empty, "layers_to_transform is not supported");
  unsupported_unless("layer_replication", is_empty, "layer_replication is not supported");
  unsupported_unless("exclude_modules", is_empty, "exclude_modules is not supported");
  unsupported_unless("lora_bias", is_false, "lora_bias is not supported");
  if (const auto* rs = get("use_rslora")) {
    if (!rs->is_boolean()) fail(file, "use_rslora", "expected true or false, found " + rs->dump());
    o.use_rslora = rs->get<bool>();
  }
  o.targets(file);
  return o;
}

LoraAdapters LoraAdapters::from_pretrained(model::Qwen2VL& model, const fs::path& dir) {
  LoraOptions options = read_config(dir);
  LoraAdapters out = create(model, options);
  out.load_adapter(dir);
  return out;
}

void LoraAdapters::load_adapter(const fs::path& dir) {
  if (!attached()) fail(dir.string(), "", "no adapters attached to load into (merged or detached)");
  const LoraOptions stored = read_config(dir);
  const std::string config_file = (dir / kConfigFile).string();
  if (stored.rank != options_.rank)
    fail(config_file, "r",
         "expected " + std::to_string(options_.rank) + " as attached, found " + std::to_string(stored.rank));
  if (stored.scale() != options_.scale())
    fail(config_file, "lora_alpha",
         "expected a scaling of " + std::to_string(options_.scale()) + " as attached, found " +
             std::to_string(stored.scale()));
  auto want = options_.targets(), got = stored.targets(config_file);
  std::sort(want.begin(), want.end());
  std::sort(got.begin(), got.end());
  if (want != got) fail(config_file, "target_modules", "expected the attached targets " + options_.target_modules);

  const fs::path weights = dir / kWeightsFile;
  if (!fs::exists(weights))
    fail(weights.string(), "",
         fs::exists(dir / "adapter_model.bin") ? "missing (adapter_model.bin is not read: save with safetensors)"
                                               : "missing");
  const auto file = io::SafetensorsFile::open(weights);
  const std::string wfile = weights.string();
  // PEFT name (with the transformers >= 4.52 alias `model.language_model.layers.` mapped back) -> stored name.
  std::map<std::string, std::string> stored_names;
  for (const auto& name : file.names()) {
    std::string canonical = name;
    const std::string alias = std::string(kPeftPrefix) + "model.language_model.layers.";
    if (canonical.starts_with(alias))
      canonical = std::string(kPeftPrefix) + "model.layers." + canonical.substr(alias.size());
    if (!canonical.starts_with(kPeftPrefix) ||
        !(canonical.ends_with(".lora_A.weight") || canonical.ends_with(".lora_B.weight")))
      fail(wfile, "tensor " + quote(name, 200),
           "unexpected tensor: expected base_model.model.<module>.lora_{A,B}.weight");
    if (!stored_names.emplace(canonical, name).second)
      fail(wfile, "tensor " + quote(name, 200), "stored twice (under both module naming schemes)");
  }
  std::set<std::string> used;
  at::NoGradGuard no_grad;
  for (auto& [module, linear] : layers_) {
    for (char which : {'A', 'B'}) {
      const std::string name = peft_name(module, which);
      auto it = stored_names.find(name);
      if (it == stored_names.end()) fail(wfile, "tensor " + quote(name, 200), "missing from the adapter");
      const auto& view = file.tensor(it->second);
      at::Tensor& slot = which == 'A' ? linear->lora_a() : linear->lora_b();
      const std::vector<std::int64_t> shape(view.shape.begin(), view.shape.end());
      if (!slot.sizes().equals(shape))
        fail(wfile, "tensor " + quote(it->second, 200),
             "expected shape " + shape_text(slot.sizes()) + ", found " + shape_text(shape));
      if (!at::isFloatingType(to_scalar_type(view.dtype)))
        fail(wfile, "tensor " + quote(it->second, 200), "expected a floating-point tensor");
      slot.copy_(to_tensor(view, slot.scalar_type()).to(slot.device()));
      used.insert(name);
    }
  }
  for (const auto& [canonical, name] : stored_names)
    if (!used.count(canonical))
      fail(wfile, "tensor " + quote(name, 200),
           canonical.find(".visual.") != std::string::npos
               ? "vision-tower adapters are not supported"
               : "unexpected tensor: its module is not a targeted language-model projection");
}

void LoraAdapters::merge_adapter() {
  at::NoGradGuard no_grad;
  for (auto& [name, linear] : layers_) {
    at::Tensor& w = linear->weight();
    const at::Tensor delta =
        at::matmul(linear->lora_b().to(at::kFloat), linear->lora_a().to(at::kFloat)) * linear->lora_scale();
    // A new tensor, not an in-place update: model copies that share the base weights keep them.
    w = (w.to(at::kFloat) + delta.to(w.device())).to(w.scalar_type()).contiguous();
    linear->detach_lora();
  }
  layers_.clear();
}

void LoraAdapters::detach() {
  for (auto& [name, linear] : layers_) linear->detach_lora();
  layers_.clear();
}

}  // namespace vsr::train
