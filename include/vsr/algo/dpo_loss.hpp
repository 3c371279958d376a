#pragma once
/// @file
/// The math of Direct Preference Optimization (Rafailov et al. 2023, arXiv 2305.18290; vsGRPO's DPO baseline),
/// compiled in src/train/dpo.cpp. Inputs are sequence log-likelihoods (sums of answer-token log-probs,
/// vsr::model::masked_sum) of the chosen and the rejected answer under the policy and the reference (the same model
/// with its LoRA adapters off).

#include <ATen/core/Tensor.h>

namespace vsr::algo {

/// Sequence log-likelihoods of one batch of preference pairs, each [B].
struct DpoBatch {
  at::Tensor chosen_logp;        ///< log pi_theta(y_w | x), differentiable
  at::Tensor rejected_logp;      ///< log pi_theta(y_l | x), differentiable
  at::Tensor ref_chosen_logp;    ///< log pi_ref(y_w | x)
  at::Tensor ref_rejected_logp;  ///< log pi_ref(y_l | x)
};

/// Statistics of one loss evaluation (TRL's DPO logging).
struct DpoStats {
  double loss = 0.0;             ///< the loss value
  double chosen_reward = 0.0;    ///< mean implicit reward beta * (l_w - r_w)
  double rejected_reward = 0.0;  ///< mean implicit reward beta * (l_l - r_l)
  double margin = 0.0;           ///< mean chosen - rejected reward
  double accuracy = 0.0;         ///< fraction of pairs whose chosen reward is the larger
};

/// A loss and its statistics.
struct DpoLossOutput {
  at::Tensor loss;  ///< scalar, differentiable w.r.t. chosen_logp and rejected_logp
  DpoStats stats;   ///< for logging
};

/// mean over pairs of -log sigmoid(beta * ((l_w - r_w) - (l_l - r_l))); with label_smoothing e > 0 (conservative
/// DPO), -(1 - e) log sigmoid(beta h) - e log sigmoid(-beta h). vsr::Error on mismatched shapes or beta <= 0.
DpoLossOutput dpo_loss(const DpoBatch& batch, double beta, double label_smoothing = 0.0);

}  // namespace vsr::algo
