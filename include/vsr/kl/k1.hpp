#pragma once
/// @file
/// The k1 KL penalty l - r (the naive log-ratio estimator).

#include "vsr/kl/estimators.hpp"
#include "vsr/kl/options.hpp"

#include <string_view>

namespace vsr::kl {

/// Per-token KL estimate l - r, scaled by [kl] beta.
struct K1 {
  static constexpr std::string_view kName = "k1";
  static constexpr bool kNeedsReference = true;  ///< needs the reference (adapters off) log-probs
  KlOptions options;                             ///< beta

  /// The coefficient of the KL term.
  double beta() const { return options.beta; }
  /// l - r per token.
  at::Tensor per_token(const at::Tensor& logp, const at::Tensor& ref_logp) const { return k1(logp, ref_logp); }
};

}  // namespace vsr::kl
