#pragma once
/// @file
/// The math of GRPO (Shao et al. 2024, DeepSeekMath, arXiv 2402.03300; vsGRPO eq. 1) and of the field's variants,
/// compiled in src/train/grpo.cpp and src/train/advantages.cpp: advantage estimators (advantages.hpp), the importance
/// ratio per token or per sequence (GSPO, Zheng et al. 2025, arXiv 2507.18071; vsGRPO eq. 1 as printed), the clipped
/// surrogate with asymmetric (DAPO's clip-higher, Yu et al. 2025, arXiv 2503.14476) and dual clipping (Ye et al.
/// 2020, arXiv 1912.09729), CISPO's clipped importance weight (MiniMax-M1, arXiv 2506.13585), a per-token KL term,
/// and the ways of averaging per-token losses (GRPO's per-sequence mean, BNPO's / DAPO's batch token mean, Dr.
/// GRPO's constant normaliser; Liu et al. 2025, arXiv 2503.20783). The policies of grpo_parts.hpp choose among them
/// at compile time; vsr::algo::GrpoWith (grpo.hpp) wires options and the KL setting to them.
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

/// What the importance ratio rho compares.
enum class RatioLevel {
  Token,         ///< rho_t = exp(l_t - l_old_t) per token (DeepSeekMath, TRL, verl)
  SequenceMean,  ///< rho_i = exp(mean_t (l_t - l_old_t)), the length-normalised sequence ratio (GSPO eq. 7)
  SequenceSum,   ///< rho_i = pi(o_i|q) / pi_old(o_i|q) = exp(sum_t (l_t - l_old_t)) (vsGRPO eq. 1 as printed)
};

/// The policy-gradient term per token.
enum class Surrogate {
  Clip,   ///< PPO: -min(rho A, clip(rho, 1 - eps_low, 1 + eps_high) A), optionally dual-clipped for A < 0
  Cispo,  ///< CISPO: -sg(clip(rho, 1 - eps_low, 1 + eps_high)) A l_t (the weight clipped, every token's gradient kept)
};

/// The scalar settings of the GRPO loss.
struct GrpoLossSettings {
  double clip_eps_low = 0.2;                            ///< the ratio's lower clip bound is 1 - clip_eps_low
  double clip_eps_high = 0.2;                           ///< the upper bound 1 + clip_eps_high (DAPO: 0.28)
  double dual_clip = 0.0;                               ///< c > 1: for A < 0 the loss is at most -c A (0 = off)
  RatioLevel ratio = RatioLevel::Token;                 ///< token or sequence importance ratio
  Surrogate surrogate = Surrogate::Clip;                ///< PPO clip or CISPO
  double beta = 0.0;                                    ///< KL coefficient (0 without KL)
  LossAggregation aggregation = LossAggregation::Grpo;  ///< how per-token losses are averaged
  std::int64_t max_len = 0;                             ///< Dr. GRPO's constant length (0 = longest row of the batch)
};

/// Statistics of one loss evaluation, for logging (means over the masked tokens unless said otherwise).
struct GrpoStats {
  double loss = 0.0;            ///< the loss value
  double policy_loss = 0.0;     ///< the aggregated clipped-surrogate part, without the KL term
  double kl_mean = 0.0;         ///< per-sequence mean KL estimate, averaged over sequences (0 without KL)
  double clip_low = 0.0;        ///< fraction of tokens with ratio < 1 - eps_low and A < 0 (clipped from below; CISPO: any A)
  double clip_high = 0.0;       ///< fraction of tokens with ratio > 1 + eps_high and A > 0 (clipped from above; CISPO: any A)
  double dual_clip_fraction = 0.0;  ///< fraction of tokens whose loss the dual clip bounded (A < 0, rho > c)
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

/// The GRPO loss: per token the surrogate of settings.surrogate with the ratio of settings.ratio, plus beta * kl,
/// aggregated over the mask as settings.aggregation says. A sequence-level ratio gives each sequence one surrogate
/// value, repeated on its tokens (with per-sequence-mean aggregation exactly the sequence objective and its
/// gradient). `kl_per_token` [B, T] is the KL setting's estimate (undefined: no KL term). vsr::Error on mismatched
/// shapes, clip_eps_low outside [0, 1], clip_eps_high < 0, dual_clip in (0, 1], or CISPO with a sequence ratio or a
/// dual clip.
GrpoLossOutput grpo_loss(const GrpoBatch& batch, const at::Tensor& kl_per_token, const GrpoLossSettings& settings);

}  // namespace vsr::algo
