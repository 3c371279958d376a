// Advantage estimators of the GRPO family: group norm, group centred, leave-one-out, batch norm, task norm,
// group mean / batch std.
#include "vsr/algo/advantages.hpp"

#include "vsr/core/error.hpp"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>

namespace vsr::algo {

namespace {

at::Tensor weights_of(const at::Tensor& r, const at::Tensor& token_counts) {
  if (token_counts.defined() && (token_counts.dim() != 1 || token_counts.size(0) != r.size(0)))
    fail("", "grpo.token_counts", "expected one token count per reward");
  return token_counts.defined() ? token_counts.to(at::kCPU, r.scalar_type()) : at::ones_like(r);
}

}  // namespace

BatchMoments batch_moments(const at::Tensor& rewards, const at::Tensor& token_counts) {
  at::NoGradGuard no_grad;
  const at::Tensor r = rewards.to(at::kCPU, at::kDouble);
  const at::Tensor w = weights_of(r, token_counts);
  return {w.sum().item<double>(), (w * r).sum().item<double>(), (w * r * r).sum().item<double>()};
}

double moments_std(const BatchMoments& m) {
  if (!(m.count > 1.0)) return 0.0;
  const double mean = m.sum / m.count;
  return std::sqrt(std::max(0.0, (m.sum_sq - m.count * mean * mean) / (m.count - 1.0)));
}

GroupAdvantages estimate_advantages(const at::Tensor& rewards, std::int64_t group_size, AdvantageEstimator estimator,
                                    double eps, const at::Tensor& token_counts, const BatchMoments* global,
                                    const at::Tensor& row_scale) {
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
      const BatchMoments m = global ? *global : batch_moments(r, token_counts);
      if (!(m.count > 1.0)) fail("", "grpo.token_counts", "expected more than one token to normalise over");
      const double mean = m.sum / m.count;
      const double var = std::max(0.0, (m.sum_sq - m.count * mean * mean) / (m.count - 1.0));  // Bessel, over tokens
      out.advantages = ((r - mean) / std::sqrt(var + 1e-8)).contiguous();
      break;
    }
    case AdvantageEstimator::GroupMeanBatchStd: {
      const double scale = moments_std(global ? *global : batch_moments(r));
      out.advantages = (out.advantages / (scale + eps)).contiguous();
      break;
    }
    case AdvantageEstimator::TaskNorm: {
      if (!row_scale.defined() || row_scale.dim() != 1 || row_scale.size(0) != r.size(0))
        fail("", "grpo.row_scale", "expected one question-type scale per reward");
      out.advantages = (out.advantages / (row_scale.to(at::kCPU, r.scalar_type()) + eps)).contiguous();
      break;
    }
  }
  return out;
}

}  // namespace vsr::algo
