#pragma once
/// @file
/// Advantage estimators of the GRPO family, compiled in src/train/advantages.cpp: GRPO's group mean / std
/// (DeepSeekMath, arXiv 2402.03300), Dr. GRPO's group mean only (arXiv 2503.20783), RLOO's leave-one-out baseline
/// (Ahmadian et al. 2024, arXiv 2402.14740) and REINFORCE++'s batch normalisation (Hu 2025, arXiv 2501.03262).
/// The policy types of grpo_parts.hpp (algo::advantage::*) choose one at compile time.

#include "vsr/algo/grpo_loss.hpp"

#include <cstdint>

namespace vsr::algo {

/// How a completion's reward becomes its advantage. B rewards, groups of G consecutive.
enum class AdvantageEstimator {
  GroupNorm,     ///< A_i = (r_i - mean_g) / (std_g + eps), std unbiased (GRPO)
  GroupCentred,  ///< A_i = r_i - mean_g (Dr. GRPO: no division by the std)
  LeaveOneOut,   ///< A_i = r_i - mean of the other G - 1 rewards of the group = G / (G - 1) (r_i - mean_g) (RLOO)
  BatchNorm,     ///< A_i = (r_i - mean) / sqrt(var + 1e-8) over the batch's tokens (REINFORCE++; verl's masked_whiten)
};

/// The advantages of `rewards` [B] by `estimator`, with the group statistics of GroupAdvantages (reward mean, mean
/// group std, fraction of groups whose rewards are all equal). BatchNorm weighs each reward by its completion's
/// `token_counts` [B] (every token carries its sequence's return, as REINFORCE++ / verl whiten token-level returns;
/// variance with Bessel's correction over the tokens); undefined counts weigh each completion once. `eps` is the
/// group estimators' std_eps. vsr::Error as group_advantages(), or on token counts of another length.
GroupAdvantages estimate_advantages(const at::Tensor& rewards, std::int64_t group_size, AdvantageEstimator estimator,
                                    double eps = 1e-4, const at::Tensor& token_counts = {});

}  // namespace vsr::algo
