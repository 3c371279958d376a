#pragma once
/// @file
/// The k3 KL penalty with clamps (verl's "low_var_kl"): the log-ratio to [-c, c], the estimate to [-v, v].

#include "vsr/kl/estimators.hpp"
#include "vsr/kl/options.hpp"

#include <string_view>

namespace vsr::kl {

/// k3 with the log-ratio clamped to [-kl.clamp, kl.clamp] and the value to [-kl.value_clamp, kl.value_clamp].
struct K3Clamped {
  static constexpr std::string_view kName = "k3_clamped";
  static constexpr bool kNeedsReference = true;  ///< needs the reference (adapters off) log-probs
  KlOptions options;                             ///< beta, clamp, value_clamp

  /// The coefficient of the KL term.
  double beta() const { return options.beta; }
  /// The clamped k3 per token.
  at::Tensor per_token(const at::Tensor& logp, const at::Tensor& ref_logp) const {
    return k3_clamped(logp, ref_logp, options.clamp, options.value_clamp);
  }
};

}  // namespace vsr::kl
