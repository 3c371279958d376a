#pragma once
/// @file
/// Options of the KL penalty of GRPO, section [kl]: the coefficient beta and the clamps of kl::K3Clamped.

#include "vsr/core/config.hpp"

#include <string_view>

namespace vsr::kl {

/// Section [kl]. beta = 1e-4 is vsGRPO's value (the paper finds the KL penalty must stay, even small); R1-V / TRL
/// 0.14 used 0.04.
struct KlOptions {
  static constexpr std::string_view kSection = "kl";
  double beta = 1e-4;         ///< coefficient of the per-token KL term in the GRPO loss
  double clamp = 20.0;        ///< K3Clamped: the log-ratio r - l is clamped to [-clamp, clamp] (verl's low_var_kl)
  double value_clamp = 10.0;  ///< K3Clamped: the estimate is clamped to [-value_clamp, value_clamp]; 0 = no clamp

  /// Declares the keys of [kl].
  void describe(OptionSet& set) {
    set.add("beta", beta, "KL coefficient beta (vsGRPO: 1e-4)")
        .add("clamp", clamp, "k3_clamped: clamp of the log-ratio ref - policy")
        .add("value_clamp", value_clamp, "k3_clamped: clamp of the per-token estimate (0 = none)");
  }
};

}  // namespace vsr::kl
