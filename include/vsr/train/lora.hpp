#pragma once
/// @file
/// LoRA adapters on Qwen2-VL's language model (Hu et al. 2021, arXiv 2106.09685), initialised, saved and loaded the
/// way Hugging Face PEFT does (`LoraConfig`, `get_peft_model`, `save_pretrained`), so an adapter trained by vsr loads
/// in `PeftModel.from_pretrained` and the other way round. The vision tower is never adapted. The reference policy
/// of the KL penalty and of DPO is the same model with its adapters switched off (LoraDisabled), never a copy.
/// See docs/lora.md.

#include "vsr/core/config.hpp"
#include "vsr/io/safetensors.hpp"

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vsr::model {
class Linear;
class Qwen2VL;
}  // namespace vsr::model

namespace vsr::train {

/// The projections of a Qwen2 decoder layer an adapter may target (PEFT's `target_modules`, matched as the last
/// component of the module name).
inline constexpr std::string_view kLoraTargetNames[] = {"q_proj",    "k_proj",  "v_proj",   "o_proj",
                                                        "gate_proj", "up_proj", "down_proj"};

/// Options of section [lora]. Defaults: r 16, alpha 32, dropout 0.05 are TRL's `ModelConfig` defaults, which R1-V
/// (the code base vsGRPO builds on) passes to PEFT with `--use_peft`; the paper itself fine-tunes all weights.
/// Target modules default to every projection of the decoder layers ("all-linear" on the language model).
struct LoraOptions {
  static constexpr std::string_view kSection = "lora";
  int rank = 16;          ///< r: the adapters' inner dimension
  double alpha = 32;      ///< lora_alpha: the delta is scaled by alpha / r
  double dropout = 0.05;  ///< lora_dropout on the adapter input, training mode only
  std::string target_modules = "q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj";  ///< comma-separated
  bool use_rslora = false;  ///< rank-stabilised LoRA: the delta is scaled by alpha / sqrt(r) (PEFT use_rslora)
  std::uint64_t seed = 0;   ///< seed of the initialisation of A
  std::string base_model;   ///< base_model_name_or_path written into adapter_config.json

  /// Declares the keys of [lora].
  void describe(OptionSet& set);
  /// The target module names, validated (each one of kLoraTargetNames, no duplicates); vsr::Error naming
  /// `origin` and `lora.target_modules` otherwise. Also checks rank >= 1, alpha > 0 and dropout in [0, 1).
  std::vector<std::string> targets(const std::string& origin = "[lora]") const;
  /// PEFT's `scaling`: alpha / r, or alpha / sqrt(r) with use_rslora.
  double scale() const;
};

/// The adapters attached to one model: one (A [r, in], B [out, r]) pair per targeted language-model Linear, in
/// float32 (PEFT's autocast_adapter_dtype: adapters of a bf16/fp16 model are kept in float32), on the model's
/// device, with requires_grad set. The object points into the model: keep the model alive and in place while it is
/// used. Moving the object is fine; it is not copyable.
class LoraAdapters {
 public:
  /// Attaches fresh adapters to `model` as PEFT initialises them (`init_lora_weights=True`): A drawn like
  /// nn.Linear's weight, kaiming_uniform(a = sqrt(5)), i.e. U(-1/sqrt(in), 1/sqrt(in)), from a CPU generator seeded
  /// with `options.seed`, module by module in model order; B zero, so the adapted model starts equal to the base.
  /// Replaces any adapter already on those layers. vsr::Error on bad options.
  static LoraAdapters create(model::Qwen2VL& model, const LoraOptions& options);
  /// Reads a PEFT adapter folder (adapter_config.json + adapter_model.safetensors) and attaches it to `model`.
  /// vsr::Error naming the file and the key or tensor on an unsupported config (DoRA, bias != "none", rank or alpha
  /// patterns, modules_to_save, layers_to_transform, targets outside the decoder projections) or bad weights.
  static LoraAdapters from_pretrained(model::Qwen2VL& model, const std::filesystem::path& dir);
  /// Reads only adapter_config.json into options (rank, alpha, dropout, targets, base model; seed 0).
  static LoraOptions read_config(const std::filesystem::path& dir);

  LoraAdapters(LoraAdapters&&) noexcept;
  LoraAdapters& operator=(LoraAdapters&&) noexcept;
  LoraAdapters(const LoraAdapters&) = delete;
  LoraAdapters& operator=(const LoraAdapters&) = delete;
  ~LoraAdapters();

  /// The options the adapters were made with.
  const LoraOptions& options() const { return options_; }
  /// Whether adapters are attached (false after merge_adapter()).
  bool attached() const { return !layers_.empty(); }
  /// The adapted modules' Hugging Face names ("model.layers.0.self_attn.q_proj"), in model order.
  std::vector<std::string> module_names() const;

  /// Switches every adapter on or off at once (off: the model is the base model, the reference policy).
  void set_enabled(bool enabled);
  /// Whether the adapters are on.
  bool enabled() const { return enabled_; }
  /// Training mode (dropout on the adapters' inputs) or evaluation mode (no dropout: sampling, rollout log-probs).
  void set_training(bool training);
  /// Whether training mode is on.
  bool training() const { return training_; }

  /// The trainable tensors (A then B of each module, in model order), for the optimiser.
  std::vector<at::Tensor> parameters() const;
  /// The trainable tensors under their PEFT names (`base_model.model.<module>.lora_A.weight`, `...lora_B.weight`).
  std::vector<std::pair<std::string, at::Tensor>> named_parameters() const;
  /// Number of trainable scalars.
  std::int64_t num_parameters() const;

  /// Writes `dir`/adapter_config.json and `dir`/adapter_model.safetensors exactly as PEFT's save_pretrained does
  /// (PEFT 0.10-0.13 config keys, sorted, 2-space indent; tensors with PEFT's names and `{"format": "pt"}` metadata)
  /// in `dtype` (F32, BF16 or F16). Creates the folder; files are written atomically.
  void save_adapter(const std::filesystem::path& dir, io::DType dtype = io::DType::F32) const;
  /// Copies the weights of the PEFT adapter in `dir` into the attached adapters (in place, so an optimiser holding
  /// parameters() sees them). The folder's config must match (rank, alpha, targets): vsr::Error naming the file
  /// and key, or the tensor (missing, unexpected, wrong shape), otherwise.
  void load_adapter(const std::filesystem::path& dir);
  /// Folds every adapter into its base weight, W <- W + (alpha / r) * B @ A (computed in float32, stored in W's
  /// dtype, as a new tensor: model copies sharing the old weights keep them), and detaches the adapters (PEFT's
  /// merge_and_unload). Afterwards attached() is false.
  void merge_adapter();
  /// Removes the adapters from the model without merging (the model is the base model again).
  void detach();

  /// PEFT's tensor name of module `module` ("model.layers.0.self_attn.q_proj") and matrix `which` ('A' or 'B').
  static std::string peft_name(std::string_view module, char which);

 private:
  LoraAdapters(model::Qwen2VL& model, LoraOptions options);
  model::Qwen2VL* model_ = nullptr;
  LoraOptions options_;
  std::vector<std::pair<std::string, model::Linear*>> layers_;
  bool enabled_ = true;
  bool training_ = false;
};

/// Switches a model's adapters off for the life of the object and restores the previous state after: the
/// reference-policy forward of KL penalties and DPO. `{ LoraDisabled ref(adapters); ref_logp = ...; }`
class LoraDisabled {
 public:
  /// Switches `adapters` off.
  explicit LoraDisabled(LoraAdapters& adapters) : adapters_(adapters), was_enabled_(adapters.enabled()) {
    adapters_.set_enabled(false);
  }
  /// Restores the previous state.
  ~LoraDisabled() { adapters_.set_enabled(was_enabled_); }
  LoraDisabled(const LoraDisabled&) = delete;
  LoraDisabled& operator=(const LoraDisabled&) = delete;

 private:
  LoraAdapters& adapters_;
  bool was_enabled_;
};

}  // namespace vsr::train
