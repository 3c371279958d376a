// Per-token KL estimators (k1, k2, k3, clamped k3) from policy and reference token log-probs.
#include "vsr/kl/estimators.hpp"

#include "vsr/core/error.hpp"

#include <ATen/ATen.h>

namespace vsr::kl {

namespace {

// r - l in float32 (float64 stays float64), after checking both inputs.
at::Tensor log_ratio(const at::Tensor& logp, const at::Tensor& ref_logp, const char* who) {
  if (!logp.defined() || !ref_logp.defined())
    fail("", who, "needs the policy and the reference log-probs (is the reference forward pass missing?)");
  if (logp.sizes() != ref_logp.sizes()) fail("", who, "policy and reference log-probs differ in shape");
  const auto type = logp.scalar_type() == at::kDouble ? at::kDouble : at::kFloat;
  return ref_logp.detach().to(type) - logp.to(type);
}

}  // namespace

at::Tensor k1(const at::Tensor& logp, const at::Tensor& ref_logp) { return -log_ratio(logp, ref_logp, "kl.k1"); }

at::Tensor k2(const at::Tensor& logp, const at::Tensor& ref_logp) {
  const at::Tensor d = log_ratio(logp, ref_logp, "kl.k2");
  return 0.5 * d * d;
}

at::Tensor k3(const at::Tensor& logp, const at::Tensor& ref_logp) {
  const at::Tensor d = log_ratio(logp, ref_logp, "kl.k3");
  return d.exp() - d - 1.0;
}

at::Tensor k3_clamped(const at::Tensor& logp, const at::Tensor& ref_logp, double clamp, double value_clamp) {
  if (!(clamp > 0.0)) fail("", "kl.clamp", "expected a positive clamp");
  if (value_clamp < 0.0) fail("", "kl.value_clamp", "expected 0 (no clamp) or a positive clamp");
  const at::Tensor d = log_ratio(logp, ref_logp, "kl.k3_clamped").clamp(-clamp, clamp);
  at::Tensor k = d.exp() - d - 1.0;
  if (value_clamp > 0.0) k = k.clamp(-value_clamp, value_clamp);
  return k;
}

}  // namespace vsr::kl
