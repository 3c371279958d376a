#pragma once
// Private to src/model: log p(target) under the lm_head for the rows of a teacher-forced batch (the GRPO / SFT / DPO
// training pass), as one autograd node (the vocabulary projection done `chunk` rows at a time) instead of
// mm -> log_softmax -> gather per chunk; the weight gradient of every chunk goes into one buffer. The forward keeps
// each chunk's logits and one log-sum-exp per row (softmax_rows.hpp: one read pass on the CPU), the log-prob being
// logit[target] - lse; the backward turns the kept logits into their gradient in place (one pass), so no
// [rows, vocab] gradient is zero-filled and scattered. Values equal log_softmax(states W^T).gather(targets) to float32
// rounding (the exp is a polynomial, not ATen's).

#include <ATen/core/Tensor.h>

namespace vsr::model::detail {

/// states [M, H] (float32), lm_head weight [V, H], targets int64 [M] -> float32 [M] log-probs, `chunk` rows of
/// logits at a time; differentiable in states and weight.
at::Tensor fused_token_log_probs(const at::Tensor& states, const at::Tensor& weight, const at::Tensor& targets,
                                 std::int64_t chunk);

}  // namespace vsr::model::detail
