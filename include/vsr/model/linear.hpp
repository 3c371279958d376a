#pragma once
/// @file
/// A linear layer `y = x W^T + b` (torch.nn.Linear semantics) that can carry a low-rank adapter
/// `y += scale * (dropout(x) A^T) B^T` (LoRA, Hu et al. 2021, arXiv 2106.09685; PEFT's `lora.Linear` forward), so
/// fine-tuning can wrap any projection of the model without changing the model code. vsr::train::LoraAdapters
/// manages the adapters of a whole model.

#include <ATen/core/Tensor.h>

#include <cstdint>

namespace vsr::model {

/// A linear projection with an optional bias and an optional LoRA delta.
class Linear {
 public:
  /// An empty layer (no weight); forward() on it is an error.
  Linear() = default;
  /// A layer with `weight` [out, in] and optional `bias` [out] (undefined tensor = no bias).
  explicit Linear(at::Tensor weight, at::Tensor bias = {});

  /// x [..., in] -> [..., out]: at::linear(x, W, b), plus the LoRA term when one is attached and enabled. The
  /// adapter runs in its own dtype (x is cast to it and the term back to the output's dtype, as PEFT does), with
  /// dropout on its input only in training mode.
  at::Tensor forward(const at::Tensor& x) const;

  /// The weight [out, in] (shared handle: setting requires_grad on it trains the base weight).
  at::Tensor& weight() { return weight_; }
  /// The weight [out, in].
  const at::Tensor& weight() const { return weight_; }
  /// The bias [out], or an undefined tensor.
  at::Tensor& bias() { return bias_; }
  /// The bias [out], or an undefined tensor.
  const at::Tensor& bias() const { return bias_; }
  /// Input width.
  std::int64_t in_features() const;
  /// Output width.
  std::int64_t out_features() const;

  /// Attaches a LoRA delta: `a` [r, in], `b` [out, r], `scale` (alpha / r), `dropout` probability on the adapter's
  /// input in training mode. Replaces any previous adapter; the new one is enabled, not in training mode.
  void attach_lora(at::Tensor a, at::Tensor b, double scale, double dropout = 0.0);
  /// Removes the adapter.
  void detach_lora();
  /// Switches the adapter's term on or off (off = the base layer; the reference policy of KL and DPO).
  void set_lora_enabled(bool enabled) { lora_enabled_ = enabled; }
  /// Whether the adapter's term is applied (false without an adapter).
  bool lora_enabled() const { return lora_a_.defined() && lora_enabled_; }
  /// Training mode: dropout on the adapter's input (nn.Module.train()); off for sampling and evaluation.
  void set_lora_training(bool training) { lora_training_ = training; }
  /// Whether dropout is applied.
  bool lora_training() const { return lora_training_; }
  /// The adapter's input dropout probability.
  double lora_dropout() const { return lora_dropout_; }
  /// Whether an adapter is attached.
  bool has_lora() const { return lora_a_.defined(); }
  /// The adapter's down projection A [r, in] (undefined without adapter).
  at::Tensor& lora_a() { return lora_a_; }
  /// The adapter's up projection B [out, r] (undefined without adapter).
  at::Tensor& lora_b() { return lora_b_; }
  /// The adapter's scale.
  double lora_scale() const { return lora_scale_; }

 private:
  at::Tensor weight_, bias_;
  at::Tensor lora_a_, lora_b_;
  double lora_scale_ = 0.0;
  double lora_dropout_ = 0.0;
  bool lora_enabled_ = true;
  bool lora_training_ = false;
};

}  // namespace vsr::model
