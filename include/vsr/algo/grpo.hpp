#pragma once
/// @file
/// The GRPO policy (DeepSeekMath; vsGRPO eq. 1): options of section [grpo] and a thin wrapper that combines the
/// compiled math (grpo_loss.hpp) with a KL setting (vsr::KlSetting: kl::None, kl::K1, kl::K3, kl::K3Clamped).

#include "vsr/algo/grpo_loss.hpp"
#include "vsr/concepts.hpp"
#include "vsr/core/config.hpp"
#include "vsr/core/error.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace vsr::algo {

/// Section [grpo].
struct GrpoOptions {
  static constexpr std::string_view kSection = "grpo";
  std::int64_t num_generations = 8;       ///< G: completions sampled per prompt (TRL GRPOConfig default)
  double clip_eps = 0.2;                  ///< PPO clip range epsilon (DeepSeekMath, TRL)
  bool scale_std = true;                  ///< divide advantages by the group std (false: Dr. GRPO)
  double std_eps = 1e-4;                  ///< added to the std before dividing (R1-V / TRL 0.14)
  std::string loss_aggregation = "grpo";  ///< grpo | bnpo | dr_grpo
  std::int64_t max_len = 0;               ///< dr_grpo's constant length (0 = longest completion of the batch)
  std::int64_t iterations = 1;            ///< mu: policy updates per batch of rollouts (DeepSeekMath; TRL num_iterations)
  std::int64_t log_rollouts_every = 0;    ///< N: every Nth batch of rollouts goes to rollouts.jsonl (0 = none)

  /// Declares the keys of [grpo].
  void describe(OptionSet& set) {
    set.add("num_generations", num_generations, "completions per prompt G (group size)")
        .add("clip_eps", clip_eps, "PPO clip range: ratio clipped to [1 - eps, 1 + eps]")
        .add("scale_std", scale_std, "divide advantages by the group's unbiased std (false: Dr. GRPO)")
        .add("std_eps", std_eps, "added to the group std before dividing")
        .add("loss_aggregation", loss_aggregation, "grpo (per-sequence mean), bnpo (batch token mean), dr_grpo")
        .add("max_len", max_len, "dr_grpo: constant normalising length, usually the generation budget (0 = batch max)")
        .add("iterations", iterations, "mu: policy updates per batch of rollouts (ratio against the first update's log-probs)")
        .add("log_rollouts_every", log_rollouts_every,
             "write every Nth batch of rollouts (every Nth step at iterations 1) to rollouts.jsonl (0 = never)");
  }
  /// vsr::Error naming grpo.log_rollouts_every when it is negative.
  void validate() const {
    if (log_rollouts_every < 0)
      fail("[grpo]", "grpo.log_rollouts_every", "expected 0 (never) or a step interval >= 1, got " +
                                                    std::to_string(log_rollouts_every));
  }
  /// The parsed aggregation mode (vsr::Error naming grpo.loss_aggregation on a bad value).
  LossAggregation aggregation() const { return parse_loss_aggregation(loss_aggregation); }
};

/// GRPO: group advantages from rewards, then the clipped surrogate plus the KL setting's penalty.
struct Grpo {
  static constexpr std::string_view kName = "grpo";
  static constexpr bool kUsesRollouts = true;     ///< trains on sampled completions scored by rewards
  static constexpr bool kNeedsReference = false;  ///< only through its KL setting (Kl::kNeedsReference)
  using Options = GrpoOptions;
  GrpoOptions options;  ///< [grpo]

  /// Group advantages of `rewards` [B] (B = prompts x num_generations, groups consecutive).
  GroupAdvantages advantages(const at::Tensor& rewards) const {
    return group_advantages(rewards, options.num_generations, options.scale_std, options.std_eps);
  }
  /// The loss of `batch` with KL setting `kl` (its beta and per-token estimate; kl::None adds nothing and needs no
  /// batch.ref_logp).
  template <KlSetting Kl>
  GrpoLossOutput loss(const GrpoBatch& batch, const Kl& kl) const {
    GrpoLossSettings s{options.clip_eps, 0.0, options.aggregation(), options.max_len};
    at::Tensor kl_per_token;
    if constexpr (Kl::kNeedsReference) {
      kl_per_token = kl.per_token(batch.logp, batch.ref_logp);
      s.beta = kl.beta();
    }
    return grpo_loss(batch, kl_per_token, s);
  }
};

}  // namespace vsr::algo
