// SFT: mean negative log-likelihood of the answer tokens.
#include "vsr/algo/sft_loss.hpp"

#include "vsr/core/error.hpp"

#include <ATen/ATen.h>

namespace vsr::algo {

SftLossOutput sft_loss(const at::Tensor& logp, const at::Tensor& mask, bool per_sequence) {
  if (!logp.defined() || logp.dim() != 2) fail("", "sft.logp", "expected [B, T] token log-probs");
  if (!mask.defined() || mask.sizes() != logp.sizes())
    fail("", "sft.mask", "expected the shape [B, T] of the log-probs");
  const auto type = logp.scalar_type() == at::kDouble ? at::kDouble : at::kFloat;
  const at::Tensor m = mask.to(type);
  const at::Tensor nll = at::where(m > 0, -logp.to(type), at::zeros_like(m));
  SftLossOutput out;
  out.loss = per_sequence ? (nll.sum(1) / m.sum(1).clamp_min(1.0)).mean() : nll.sum() / m.sum().clamp_min(1.0);
  at::NoGradGuard no_grad;
  out.tokens = m.sum().item<double>();
  out.nll = out.loss.item<double>();
  return out;
}

}  // namespace vsr::algo
