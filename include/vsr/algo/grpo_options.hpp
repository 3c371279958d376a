#pragma once
/// @file
/// Section [grpo]: the numbers of every GRPO-family algorithm (vsr::algo::GrpoWith); which of them a recipe reads
/// depends on its parts (grpo_parts.hpp).

#include "vsr/algo/grpo_loss.hpp"
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
  double clip_eps = 0.2;                  ///< PPO clip range epsilon, the lower one with clip::Higher / Cispo
  double clip_eps_high = 0.28;            ///< upper clip epsilon of clip::Higher and clip::Cispo (DAPO: 0.28)
  double dual_clip = 3.0;                 ///< clip::Dual's c: loss at most -c A for A < 0 (verl clip_ratio_c)
  std::int64_t max_resample_rounds = 3;   ///< filter::DynamicSampling: extra sampling rounds per micro-batch
  std::string filter_metric = "total";    ///< filter::DynamicSampling: "total" or a reward component's name
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
        .add("clip_eps_high", clip_eps_high, "clip::Higher, clip::Cispo: ratio clipped above at 1 + clip_eps_high")
        .add("dual_clip", dual_clip, "clip::Dual: for negative advantages the loss is at most -dual_clip * A (> 1)")
        .add("max_resample_rounds", max_resample_rounds,
             "filter::DynamicSampling: extra rounds of questions to replace groups with equal rewards")
        .add("filter_metric", filter_metric,
             "filter::DynamicSampling: drop groups equal in this (total, or a reward component such as accuracy)")
        .add("scale_std", scale_std, "divide advantages by the group's unbiased std (false: Dr. GRPO)")
        .add("std_eps", std_eps, "added to the group std before dividing")
        .add("loss_aggregation", loss_aggregation, "grpo (per-sequence mean), bnpo (batch token mean), dr_grpo")
        .add("max_len", max_len, "dr_grpo: constant normalising length, usually the generation budget (0 = batch max)")
        .add("iterations", iterations, "mu: policy updates per batch of rollouts (ratio against the first update's log-probs)")
        .add("log_rollouts_every", log_rollouts_every,
             "write every Nth batch of rollouts (every Nth step at iterations 1) to rollouts.jsonl (0 = never)");
  }
  /// vsr::Error naming the key of a value out of range (clip epsilons, dual_clip, rounds, log_rollouts_every).
  void validate() const {
    if (!(clip_eps >= 0.0 && clip_eps <= 1.0))
      fail("[grpo]", "grpo.clip_eps", "expected a value in [0, 1] (1: no lower bound), got " + std::to_string(clip_eps));
    if (!(clip_eps_high >= 0.0))
      fail("[grpo]", "grpo.clip_eps_high", "expected a value >= 0, got " + std::to_string(clip_eps_high));
    if (!(dual_clip > 1.0)) fail("[grpo]", "grpo.dual_clip", "expected a value > 1, got " + std::to_string(dual_clip));
    if (max_resample_rounds < 0)
      fail("[grpo]", "grpo.max_resample_rounds", "expected 0 or more rounds, got " + std::to_string(max_resample_rounds));
    if (log_rollouts_every < 0)
      fail("[grpo]", "grpo.log_rollouts_every", "expected 0 (never) or a step interval >= 1, got " +
                                                    std::to_string(log_rollouts_every));
  }
  /// The parsed aggregation mode (vsr::Error naming grpo.loss_aggregation on a bad value).
  LossAggregation aggregation() const { return parse_loss_aggregation(loss_aggregation); }
};

}  // namespace vsr::algo
