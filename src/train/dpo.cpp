// DPO: the sigmoid preference loss on sequence log-likelihood ratios.
#include "vsr/algo/dpo_loss.hpp"

#include "vsr/core/error.hpp"

#include <ATen/ATen.h>

namespace vsr::algo {

DpoLossOutput dpo_loss(const DpoBatch& b, double beta, double label_smoothing) {
  if (!(beta > 0.0)) fail("", "dpo.beta", "expected a positive beta");
  if (!(label_smoothing >= 0.0 && label_smoothing < 0.5))
    fail("", "dpo.label_smoothing", "expected a value in [0, 0.5)");
  for (const at::Tensor* t : {&b.chosen_logp, &b.rejected_logp, &b.ref_chosen_logp, &b.ref_rejected_logp})
    if (!t->defined() || t->dim() != 1 || t->sizes() != b.chosen_logp.sizes())
      fail("", "dpo.batch", "expected four [B] sequence log-likelihoods of the same length");
  const auto type = b.chosen_logp.scalar_type() == at::kDouble ? at::kDouble : at::kFloat;
  const at::Tensor chosen = b.chosen_logp.to(type) - b.ref_chosen_logp.detach().to(type);
  const at::Tensor rejected = b.rejected_logp.to(type) - b.ref_rejected_logp.detach().to(type);
  const at::Tensor h = beta * (chosen - rejected);
  at::Tensor per_pair = -at::log_sigmoid(h);
  if (label_smoothing > 0.0) per_pair = (1.0 - label_smoothing) * per_pair - label_smoothing * at::log_sigmoid(-h);
  DpoLossOutput out;
  out.loss = per_pair.mean();
  at::NoGradGuard no_grad;
  const at::Tensor rc = beta * chosen.detach(), rr = beta * rejected.detach();
  out.stats.loss = out.loss.item<double>();
  out.stats.chosen_reward = rc.mean().item<double>();
  out.stats.rejected_reward = rr.mean().item<double>();
  out.stats.margin = (rc - rr).mean().item<double>();
  out.stats.accuracy = (rc > rr).to(at::kDouble).mean().item<double>();
  return out;
}

}  // namespace vsr::algo
