#include "vsr/model/token_logprobs.hpp"

#include <ATen/ATen.h>

namespace vsr::model {

namespace {
/// float32 for half/bfloat16/float32 logits; float64 stays float64.
at::Tensor at_least_float(const at::Tensor& x) { return x.scalar_type() == at::kDouble ? x : x.to(at::kFloat); }
}  // namespace

at::Tensor token_logprobs(const at::Tensor& logits, const at::Tensor& targets) {
  TORCH_CHECK(logits.dim() == targets.dim() + 1, "token_logprobs: logits must have one more dimension than targets");
  const at::Tensor x = at_least_float(logits);
  const at::Tensor picked = x.gather(-1, targets.to(at::kLong).unsqueeze(-1)).squeeze(-1);
  return picked - x.logsumexp(-1);
}

at::Tensor token_entropy(const at::Tensor& logits) {
  at::NoGradGuard no_grad;
  const at::Tensor x = at_least_float(logits);
  const at::Tensor logp = x.log_softmax(-1);
  return -(logp.exp() * logp).sum(-1);
}

at::Tensor masked_sum(const at::Tensor& values, const at::Tensor& mask) {
  return (values * mask.to(values.scalar_type())).sum(-1);
}

}  // namespace vsr::model
