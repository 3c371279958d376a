#pragma once
/// @file
/// No KL penalty: GRPO without a reference model. No reference forward pass is run at all.

#include <string_view>

namespace vsr::kl {

/// No KL term (`kNeedsReference = false`: the trainer skips the reference forward pass).
struct None {
  static constexpr std::string_view kName = "none";
  static constexpr bool kNeedsReference = false;  ///< no reference log-probs are computed
};

}  // namespace vsr::kl
