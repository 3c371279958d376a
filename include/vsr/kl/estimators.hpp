#pragma once
/// @file
/// Per-token estimators of KL(pi_theta || pi_ref) from log-probabilities of sampled tokens (Schulman, "Approximating
/// KL divergence", 2020; DeepSeekMath eq. 4), compiled in src/train/kl.cpp. `logp` is the policy's log-prob l of
/// each token (differentiable), `ref_logp` the reference's r (no gradient); both [B, T], any float dtype; the
/// result has their shape, float32 (float64 for float64 inputs). Values at masked-out positions are meaningless
/// and left to the loss's mask.

#include <ATen/core/Tensor.h>

namespace vsr::kl {

/// k1 = l - r: unbiased, high variance, can be negative.
at::Tensor k1(const at::Tensor& logp, const at::Tensor& ref_logp);

/// k2 = (l - r)^2 / 2: biased, non-negative, low variance; its gradient is the true KL's to first order (verl's
/// "mse" / "k2").
at::Tensor k2(const at::Tensor& logp, const at::Tensor& ref_logp);

/// k3 = exp(r - l) - (r - l) - 1: unbiased, non-negative, low variance (DeepSeekMath / GRPO, vsGRPO eq. 1).
at::Tensor k3(const at::Tensor& logp, const at::Tensor& ref_logp);

/// k3 with the log-ratio r - l clamped to [-clamp, clamp] and, when value_clamp > 0, the estimate clamped to
/// [-value_clamp, value_clamp] (verl's "low_var_kl"): bounded when the policy drifts far from the reference.
at::Tensor k3_clamped(const at::Tensor& logp, const at::Tensor& ref_logp, double clamp, double value_clamp);

}  // namespace vsr::kl
