#pragma once
/// @file
/// The SFT policy (vsGRPO's supervised baseline): options of section [sft] and the answer-token cross-entropy.

#include "vsr/concepts.hpp"
#include "vsr/algo/sft_loss.hpp"
#include "vsr/algo/sft_options.hpp"

#include <string_view>

namespace vsr::train {
template <PromptMode P>
class SftSteps;
}  // namespace vsr::train

namespace vsr::algo {

/// Supervised fine-tuning on the ground-truth answers; no rollouts, no reference model.
struct Sft {
  static constexpr std::string_view kName = "sft";
  static constexpr bool kUsesRollouts = false;    ///< trains on fixed answers
  static constexpr bool kNeedsReference = false;  ///< no reference forward pass
  using Options = SftOptions;
  /// The per-run step class for prompt mode P (the reward and KL setting are GRPO's; SFT ignores them).
  template <PromptMode P, class R, KlSetting K>
  using Steps = train::SftSteps<P>;
  SftOptions options;  ///< [sft]

  /// The loss of token log-probs `logp` [B, T] over the answer tokens `mask` [B, T].
  SftLossOutput loss(const at::Tensor& logp, const at::Tensor& mask) const {
    return sft_loss(logp, mask, options.per_sequence);
  }
};

}  // namespace vsr::algo
