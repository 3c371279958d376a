#pragma once
// Private to src/model: the small tensor functions shared by the vision tower and the decoder, each written to
// reproduce the arithmetic of its transformers 4.45.1 counterpart operation by operation.

#include <ATen/ATen.h>

namespace vsr::model::detail {

/// Qwen2RMSNorm: float32 mean of squares, x * rsqrt(var + eps), cast back, times the weight.
inline at::Tensor rms_norm(const at::Tensor& x, const at::Tensor& weight, double eps) {
  const auto dtype = x.scalar_type();
  at::Tensor h = x.to(at::kFloat);
  const at::Tensor var = h.pow(2).mean(-1, /*keepdim=*/true);
  h = h * at::rsqrt(var + eps);
  return weight * h.to(dtype);
}

/// rotate_half: cat(-x2, x1) over the last dimension.
inline at::Tensor rotate_half(const at::Tensor& x) {
  const auto half = x.size(-1) / 2;
  return at::cat({-x.narrow(-1, half, half), x.narrow(-1, 0, half)}, -1);
}

/// QuickGELU: x * sigmoid(1.702 x).
inline at::Tensor quick_gelu(const at::Tensor& x) { return x * at::sigmoid(1.702 * x); }

/// The most negative finite value of a floating dtype (torch.finfo(dtype).min), used as the attention mask fill.
inline double lowest(at::ScalarType dtype) {
  switch (dtype) {
    case at::kBFloat16: return -3.3895313892515355e38;
    case at::kHalf: return -65504.0;
    case at::kDouble: return std::numeric_limits<double>::lowest();
    default: return static_cast<double>(std::numeric_limits<float>::lowest());
  }
}

}  // namespace vsr::model::detail
