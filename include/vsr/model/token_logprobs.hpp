#pragma once
/// @file
/// Per-token log-probabilities and entropies of given tokens under given logits: the quantity GRPO (the ratio and
/// the KL term), SFT (cross-entropy) and DPO (sequence log-likelihoods) train on. Computed as
/// `logit[target] - logsumexp(logits)` in float32 so no [B, T, V] log-softmax is kept beyond what autograd needs.

#include <ATen/core/Tensor.h>

namespace vsr::model {

/// log p(target) for logits [..., V] and integer targets [...] (same leading shape), in float32 (float64 for float64
/// logits), differentiable.
at::Tensor token_logprobs(const at::Tensor& logits, const at::Tensor& targets);

/// Entropy of the softmax of logits [..., V] in nats, float32 (for logging; not differentiated).
at::Tensor token_entropy(const at::Tensor& logits);

/// Sum over the last dimension of `values` [B, T] masked by `mask` [B, T] (1 = counts): a sequence's log-likelihood.
at::Tensor masked_sum(const at::Tensor& values, const at::Tensor& mask);

}  // namespace vsr::model
