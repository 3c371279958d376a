#pragma once
/// @file
/// The math of supervised fine-tuning on answers (vsGRPO's SFT baseline), compiled in src/train/sft.cpp:
/// cross-entropy of the answer tokens only, the prompt (question, video) masked out.

#include <ATen/core/Tensor.h>

namespace vsr::algo {

/// A loss and its statistics.
struct SftLossOutput {
  at::Tensor loss;      ///< scalar, differentiable w.r.t. the log-probs
  double tokens = 0.0;  ///< number of answer tokens
  double nll = 0.0;     ///< the loss value (mean negative log-likelihood per answer token)
};

/// -sum(logp * mask) / sum(mask): the mean negative log-likelihood over all answer tokens of the batch (Hugging
/// Face's causal-LM loss with the prompt labelled -100). With `per_sequence`, each sequence's token mean is taken
/// first, then the mean over sequences. `logp`, `mask` [B, T]; vsr::Error on mismatched shapes.
SftLossOutput sft_loss(const at::Tensor& logp, const at::Tensor& mask, bool per_sequence = false);

}  // namespace vsr::algo
