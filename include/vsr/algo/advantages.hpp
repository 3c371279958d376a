#pragma once
/// @file
/// Advantage estimators of the GRPO family, compiled in src/train/advantages.cpp: GRPO's group mean / std
/// (DeepSeekMath, arXiv 2402.03300), Dr. GRPO's group mean only (arXiv 2503.20783), RLOO's leave-one-out baseline
/// (Ahmadian et al. 2024, arXiv 2402.14740), REINFORCE++'s batch normalisation (Hu 2025, arXiv 2501.03262) and
/// Spatial-R1's task-specific scale (arXiv 2504.01805): the group mean as baseline, the spread of the rewards of the
/// completion's question type over the whole batch as scale.
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
  TaskNorm,      ///< A_i = (r_i - mean_g) / (s_i + eps), s_i the unbiased std of i's question type over the batch
  GroupMeanBatchStd,  ///< A_i = (r_i - mean_g) / (std_batch + eps), std over the batch's rewards, unbiased (Lite PPO)
};

/// How an advantage estimator weighs the batch-wide reward moments the step sums over every micro-batch and rank
/// before computing advantages (a part's `kMoments`; none for the per-group estimators).
enum class MomentWeights {
  None,       ///< no batch moments
  Tokens,     ///< each reward weighted by its completion's tokens (REINFORCE++'s token-level whitening)
  Sequences,  ///< each reward once
};

/// Token-weighted sums of rewards over a batch (count = tokens, sum = sum of w r, sum_sq = sum of w r^2): summed
/// over micro-batches and ranks, they let advantage::BatchNorm whiten over the whole global batch, as verl does.
struct BatchMoments {
  double count = 0.0;   ///< sum of the weights (tokens)
  double sum = 0.0;     ///< sum of weight x reward
  double sum_sq = 0.0;  ///< sum of weight x reward^2
};

/// The moments of `rewards` [B] weighted by `token_counts` [B] (undefined: each reward once).
BatchMoments batch_moments(const at::Tensor& rewards, const at::Tensor& token_counts = {});

/// The unbiased standard deviation of the rewards behind `m` (each counted once); 0 for fewer than two.
double moments_std(const BatchMoments& m);

/// The advantages of `rewards` [B] by `estimator`, with the group statistics of GroupAdvantages (reward mean, mean
/// group std, fraction of groups whose rewards are all equal). BatchNorm weighs each reward by its completion's
/// `token_counts` [B] (every token carries its sequence's return, as REINFORCE++ / verl whiten token-level returns;
/// variance with Bessel's correction over the tokens); undefined counts weigh each completion once. `global`, when
/// given, holds the moments of the whole batch (all micro-batches and ranks) to whiten with instead of these
/// rewards' own. `eps` is the group estimators' std_eps. vsr::Error as group_advantages(), on token counts of another
/// length, or when the batch has at most one token. TaskNorm divides each completion's group-centred reward by
/// `row_scale` [B] + eps (its question type's reward std over the batch; vsr::Error when missing or of another
/// length). GroupMeanBatchStd divides each group-centred reward by the unbiased std of the batch's rewards (each
/// once; from `global` when given, else these rewards) + eps.
GroupAdvantages estimate_advantages(const at::Tensor& rewards, std::int64_t group_size, AdvantageEstimator estimator,
                                    double eps = 1e-4, const at::Tensor& token_counts = {},
                                    const BatchMoments* global = nullptr, const at::Tensor& row_scale = {});

}  // namespace vsr::algo
