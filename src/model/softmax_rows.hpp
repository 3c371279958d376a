#pragma once
// Private to src/model: the vocabulary-wide passes of teacher-forced log-probs (fused_logprob.cpp) over float32
// logits [rows, V]: log-sum-exp per row, and the log-prob gradient written in place over the logits. One read pass
// (plus one write pass for the gradient) per row instead of ATen's log_softmax + exp + mul passes; AVX-512 with a
// polynomial exp (max error ~2 ulp) where the CPU has it, std::exp otherwise; rows split over vsr::parallel_for.

#include <cstdint>

namespace vsr::model::detail {

/// lse[r] = log(sum_j exp(z[r, j])) for every row of z [rows, V] (max subtracted first; -inf rows give -inf).
void logsumexp_rows(const float* z, std::int64_t rows, std::int64_t V, float* lse);

/// In place: z[r, j] <- -g[r] * exp(z[r, j] - lse[r]), then z[r, targets[r]] += g[r]: the gradient of
/// sum_r g[r] * (z[r, targets[r]] - lse[r]) with respect to the logits.
void logprob_grad_rows(float* z, std::int64_t rows, std::int64_t V, const float* lse, const float* g,
                       const std::int64_t* targets);

}  // namespace vsr::model::detail
