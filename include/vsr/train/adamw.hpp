#pragma once
/// @file
/// AdamW (Loshchilov & Hutter 2019, arXiv 1711.05101) on a list of tensors, with the exact update of PyTorch's
/// torch.optim.AdamW (bias-corrected moments, decoupled weight decay), and a state that is saved to and restored
/// from safetensors bit for bit, so a resumed run continues exactly where it stopped.

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <filesystem>
#include <vector>

namespace vsr::train {

/// AdamW hyper-parameters (the learning rate is passed per step: it follows the schedule).
struct AdamWSettings {
  double beta1 = 0.9;         ///< first-moment decay
  double beta2 = 0.999;       ///< second-moment decay
  double eps = 1e-8;          ///< denominator epsilon
  double weight_decay = 0.0;  ///< decoupled weight decay
};

/// AdamW over `parameters` (tensors with requires_grad; updated in place).
class AdamW {
 public:
  /// An optimizer with zero moments.
  AdamW(std::vector<at::Tensor> parameters, AdamWSettings settings);
  /// One update with learning rate `lr` from the parameters' current .grad() (a parameter without gradient is
  /// skipped, as PyTorch does). p <- p(1 - lr wd); m, v updated; p <- p - lr/(1-b1^t) * m / (sqrt(v)/sqrt(1-b2^t) + eps).
  void step(double lr);
  /// Sets every gradient to zero (drops it).
  void zero_grad();
  /// Updates taken so far.
  std::int64_t steps() const { return steps_; }
  /// The parameters.
  const std::vector<at::Tensor>& parameters() const { return parameters_; }
  /// Writes the moments and the step count to a safetensors file (`exp_avg.<i>`, `exp_avg_sq.<i>`, metadata
  /// `step`), atomically.
  void save(const std::filesystem::path& file) const;
  /// Restores a state written by save(); vsr::Error naming the file and tensor when it does not fit the parameters.
  void load(const std::filesystem::path& file);

 private:
  std::vector<at::Tensor> parameters_, exp_avg_, exp_avg_sq_;
  AdamWSettings settings_;
  std::int64_t steps_ = 0;
};

/// The global L2 norm of the gradients of `parameters` (those without gradient count as zero).
double gradient_norm(const std::vector<at::Tensor>& parameters);
/// Scales every gradient by max_norm / (norm + 1e-6) when the global norm exceeds max_norm
/// (torch.nn.utils.clip_grad_norm_); returns the norm before clipping (NaN/Inf when a gradient is not finite, in
/// which case nothing is scaled).
double clip_gradient_norm(const std::vector<at::Tensor>& parameters, double max_norm);

}  // namespace vsr::train
