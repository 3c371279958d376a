#pragma once
/// @file
/// The k3 KL penalty of GRPO (DeepSeekMath eq. 4, vsGRPO eq. 1): exp(r - l) - (r - l) - 1, beta 1e-4 by default.

#include "vsr/kl/estimators.hpp"
#include "vsr/kl/options.hpp"

#include <string_view>

namespace vsr::kl {

/// Per-token KL estimate exp(r - l) - (r - l) - 1, scaled by [kl] beta (vsGRPO's setting).
struct K3 {
  static constexpr std::string_view kName = "k3";
  static constexpr bool kNeedsReference = true;  ///< needs the reference (adapters off) log-probs
  KlOptions options;                             ///< beta

  /// The coefficient of the KL term.
  double beta() const { return options.beta; }
  /// exp(r - l) - (r - l) - 1 per token.
  at::Tensor per_token(const at::Tensor& logp, const at::Tensor& ref_logp) const { return k3(logp, ref_logp); }
};

}  // namespace vsr::kl
