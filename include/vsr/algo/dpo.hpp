#pragma once
/// @file
/// The DPO policy (Rafailov et al. 2023; vsGRPO's preference baseline): options of section [dpo], the sigmoid
/// loss, and the construction of the rejected answer (vsr::data::rejected_answer).

#include "vsr/concepts.hpp"
#include "vsr/algo/dpo_loss.hpp"
#include "vsr/core/config.hpp"
#include "vsr/data/rejected_answer.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace vsr::train {
template <PromptMode P>
class DpoSteps;
}  // namespace vsr::train

namespace vsr::algo {

/// Section [dpo].
struct DpoOptions {
  static constexpr std::string_view kSection = "dpo";
  double beta = 0.1;             ///< inverse temperature of the implicit reward (Rafailov et al., TRL default)
  double label_smoothing = 0.0;  ///< conservative DPO's assumed label noise (0 = plain DPO)
  std::uint64_t seed = 0;        ///< seed of the rejected-answer draw

  /// Declares the keys of [dpo].
  void describe(OptionSet& set) {
    set.add("beta", beta, "DPO beta")
        .add("label_smoothing", label_smoothing, "conservative DPO label smoothing (0 = plain DPO)")
        .add("seed", seed, "seed of the rejected answers");
  }
};

/// DPO on (ground truth, rejected answer) pairs; the reference is the model with its adapters off.
struct Dpo {
  static constexpr std::string_view kName = "dpo";
  static constexpr bool kUsesRollouts = false;   ///< trains on fixed answer pairs
  static constexpr bool kNeedsReference = true;  ///< reference sequence log-likelihoods for both answers
  using Options = DpoOptions;
  /// The per-run step class for prompt mode P (the reward and KL setting are GRPO's; DPO ignores them).
  template <PromptMode P, class R, KlSetting K>
  using Steps = train::DpoSteps<P>;
  DpoOptions options;  ///< [dpo]

  /// The rejected answer of `sample` (the chosen one is its ground truth).
  std::string rejected(const data::Sample& sample) const { return data::rejected_answer(sample, options.seed); }
  /// The loss of one batch of pairs.
  DpoLossOutput loss(const DpoBatch& batch) const { return dpo_loss(batch, options.beta, options.label_smoothing); }
};

}  // namespace vsr::algo
