#pragma once
/// @file
/// The k2 KL penalty (l - r)^2 / 2 (Schulman 2020; verl's kl_loss_type "mse" / "k2").

#include "vsr/kl/estimators.hpp"
#include "vsr/kl/options.hpp"

#include <string_view>

namespace vsr::kl {

/// Per-token KL estimate (l - r)^2 / 2, scaled by [kl] beta.
struct K2 {
  static constexpr std::string_view kName = "k2";
  static constexpr bool kNeedsReference = true;  ///< needs the reference (adapters off) log-probs
  KlOptions options;                             ///< beta

  /// The coefficient of the KL term.
  double beta() const { return options.beta; }
  /// (l - r)^2 / 2 per token.
  at::Tensor per_token(const at::Tensor& logp, const at::Tensor& ref_logp) const { return k2(logp, ref_logp); }
};

}  // namespace vsr::kl
