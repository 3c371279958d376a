#pragma once
// Private to src/model: scaled dot-product attention of the few new positions of a KV-cached decode step over the
// cache, for CPU float32 with autograd off. The general path (matmul, masked_fill, softmax, matmul) spends most of
// a decode step's attention time dispatching one small GEMM per (row, kv head) pair; this loop does the same
// arithmetic (float32 dot products, float32 softmax with the max subtracted, masked keys excluded) directly.

#include <ATen/core/Tensor.h>

namespace vsr::model::detail {

/// Most new positions per row the loop takes (decode steps append one).
inline constexpr std::int64_t kCachedAttentionMaxQueries = 4;

/// q [B, H, L, D] (any strides), k and v [B, KV, S, D] (last dimension contiguous; query head h reads kv head
/// h / (H / KV)), allowed bool [B, 1, 1, L, S] (contiguous): softmax(q k^T * scale, masked) v as [B, L, H * D].
/// Returns an undefined tensor when the loop does not apply (not CPU float32, autograd on, L too large, other
/// layouts); the caller then takes the general path.
at::Tensor cached_attention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, const at::Tensor& allowed,
                            double scale);

}  // namespace vsr::model::detail
