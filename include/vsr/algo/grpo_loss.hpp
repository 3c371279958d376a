#pragma once
/// @file
/// The math of GRPO (Shao et al. 2024, DeepSeekMath, arXiv 2402.03300; vsGRPO eq. 1), compiled in
/// src/train/grpo.cpp: group-normalised advantages, the clipped surrogate with a per-token KL term, and the ways of
/// averaging per-token losses (GRPO's per-sequence mean, BNPO's batch token mean, Dr. GRPO's constant normaliser;
/// Liu et al. 2025, arXiv 2503.20783). The policy vsr::algo::Grpo (grpo.hpp) wires options and the KL setting to it.
///
/// Shapes: B sequences = (number of prompts) x (group size G), each prompt's G completions consecutive; per-token
/// tensors are [B, T] with a mask [B, T] (1 on completion tokens). T may be the whole prompt + completion length
/// (Qwen2VL::token_log_probs output) as long as the mask selects the completion.

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace vsr::algo {

/// How per-token losses become one number.
enum class LossAggregation {
  Grpo,    ///< mean over each sequence's tokens, then over sequences (DeepSeekMath; R1-V / TRL 0.14 default)
  Bnpo,    ///< sum over all tokens / number of tokens of the batch
  DrGrpo,  ///< sum over all tokens / (B * L_max) with a constant L_max (Dr. GRPO): no length bias
};

/// Parses "grpo", "bnpo" or "dr_grpo"; vsr::Error naming `origin` and `field` otherwise.
LossAggregation parse_loss_aggregation(std::string_view name, const std::string& origin = "[grpo]",
                                       const std::string& field = "grpo.loss_aggregation");
/// The option spelling of `mode` ("grpo", "bnpo", "dr_grpo").
std::string_view loss_aggregation_name(LossAggregation mode);

/// Group-relative advantages and statistics of the rewards they came from.
struct GroupAdvantages {
  at::Tensor advantages;           ///< [B] float32 (float64 for float64 rewards): A_i of each completion
  double reward_mean = 0.0;        ///< mean reward over the batch
  double reward_std_mean = 0.0;    ///< mean over groups of the unbiased within-group std
  double zero_std_fraction = 0.0;  ///< fraction of groups whose rewards are all equal (all advantages 0)
};

/// A_i = (r_i - mean_g) / (std_g + eps) over each consecutive group of `group_size` rewards, std_g unbiased
/// (torch.std's default, as in DeepSeekMath / TRL); with `scale_std` false, A_i = r_i - mean_g (Dr. GRPO).
/// `rewards` [B] with B a multiple of group_size >= 2; vsr::Error otherwise.
GroupAdvantages group_advantages(const at::Tensor& rewards, std::int64_t group_size, bool scale_std = true,
                                 double eps = 1e-4);

/// Reduces `per_token` [B, T] over `mask` [B, T] to a scalar as `mode` says. DrGrpo divides by B * max_len with
/// max_len > 0 as given (the generation budget, constant across steps) or, for max_len = 0, the longest masked row
/// of this batch. A row without masked tokens counts as one token (no division by zero).
at::Tensor aggregate_tokens(const at::Tensor& per_token, const at::Tensor& mask, LossAggregation mode,
                            std::int64_t max_len = 0);

/// The tensors of one GRPO loss evaluation.
struct GrpoBatch {
  at::Tensor logp;        ///< [B, T] policy log-probs of the completion tokens (autograd)
  at::Tensor old_logp;    ///< [B, T] rollout-time log-probs (no gradient); undefined = one update per rollout
  at::Tensor ref_logp;    ///< [B, T] reference log-probs (adapters off); undefined without a KL penalty
  at::Tensor advantages;  ///< [B] group advantages (GroupAdvantages::advantages)
  at::Tensor mask;        ///< [B, T] 1 on completion tokens, 0 on prompt and padding
};

/// The scalar settings of the GRPO loss.
struct GrpoLossSettings {
  double clip_eps = 0.2;                                ///< PPO clip range: ratio clipped to [1 - eps, 1 + eps]
  double beta = 0.0;                                    ///< KL coefficient (0 without KL)
  LossAggregation aggregation = LossAggregation::Grpo;  ///< how per-token losses are averaged
  std::int64_t max_len = 0;                             ///< Dr. GRPO's constant length (0 = longest row of the batch)
};

/// Statistics of one loss evaluation, for logging (means over the masked tokens unless said otherwise).
struct GrpoStats {
  double loss = 0.0;            ///< the loss value
  double policy_loss = 0.0;     ///< the aggregated clipped-surrogate part, without the KL term
  double kl_mean = 0.0;         ///< per-sequence mean KL estimate, averaged over sequences (0 without KL)
  double clip_low = 0.0;        ///< fraction of tokens with ratio < 1 - eps and A < 0 (clipped from below)
  double clip_high = 0.0;       ///< fraction of tokens with ratio > 1 + eps and A > 0 (clipped from above)
  double clip_fraction = 0.0;   ///< clip_low + clip_high: tokens whose gradient the clip removed
  double ratio_mean = 0.0;      ///< mean importance ratio exp(l - l_old)
  double advantage_mean = 0.0;  ///< mean advantage over sequences
  double tokens = 0.0;          ///< number of masked tokens
};

/// A loss and its statistics.
struct GrpoLossOutput {
  at::Tensor loss;  ///< scalar, differentiable w.r.t. batch.logp
  GrpoStats stats;  ///< for logging
};

/// The GRPO loss: per token -min(rho * A, clip(rho, 1 - eps, 1 + eps) * A) + beta * kl with rho = exp(l - l_old),
/// aggregated over the mask as settings.aggregation says. `kl_per_token` [B, T] is the KL setting's estimate
/// (undefined: no KL term). vsr::Error on mismatched shapes.
GrpoLossOutput grpo_loss(const GrpoBatch& batch, const at::Tensor& kl_per_token, const GrpoLossSettings& settings);

}  // namespace vsr::algo
