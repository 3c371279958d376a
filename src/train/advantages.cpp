// Advantage estimators of the GRPO family: group norm, group centred, leave-one-out, batch norm.
#include "vsr/algo/advantages.hpp"

#include "vsr/core/error.hpp"

#include <ATen/ATen.h>

namespace vsr::algo {

GroupAdvantages estimate_advantages(const at::Tensor& rewards, std::int64_t group_size, AdvantageEstimator estimator,
                                    double eps, const at::Tensor& token_counts) {
  // group_advantages checks the shapes and computes the group statistics every estimator reports.
  GroupAdvantages out = group_advantages(rewards, group_size, estimator == AdvantageEstimator::GroupNorm, eps);
  at::NoGradGuard no_grad;
  const at::Tensor r = rewards.to(out.advantages.scalar_type());
  switch (estimator) {
    case AdvantageEstimator::GroupNorm:
    case AdvantageEstimator::GroupCentred:
      break;
    case AdvantageEstimator::LeaveOneOut: {
      const double g = static_cast<double>(group_size);
      out.advantages = (out.advantages * (g / (g - 1.0))).contiguous();  // r_i - (sum - r_i) / (G - 1)
      break;
    }
    case AdvantageEstimator::BatchNorm: {
      if (token_counts.defined() && (token_counts.dim() != 1 || token_counts.size(0) != r.size(0)))
        fail("", "grpo.token_counts", "expected one token count per reward");
      const at::Tensor w = token_counts.defined() ? token_counts.to(at::kCPU, r.scalar_type()) : at::ones_like(r);
      const double n = w.sum().item<double>();
      if (!(n > 1.0)) fail("", "grpo.token_counts", "expected more than one token to normalise over");
      const at::Tensor mean = (w * r).sum() / n;
      const at::Tensor var = (w * (r - mean).pow(2)).sum() / n * (n / (n - 1.0));
      out.advantages = ((r - mean) * at::rsqrt(var + 1e-8)).contiguous();
      break;
    }
  }
  return out;
}

}  // namespace vsr::algo
