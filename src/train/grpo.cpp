// GRPO: group advantages, the surrogates (PPO clip with clip-higher and dual clip, CISPO) at token or sequence
// level with a KL term, and the loss aggregation modes.
#include "vsr/algo/grpo_loss.hpp"

#include "vsr/core/error.hpp"

#include <ATen/ATen.h>

#include <algorithm>

namespace vsr::algo {

namespace {

at::ScalarType float_type(const at::Tensor& t) { return t.scalar_type() == at::kDouble ? at::kDouble : at::kFloat; }

// Zero at masked-out positions whatever the values there (inf * 0 would be nan).
at::Tensor masked(const at::Tensor& x, const at::Tensor& mask) { return at::where(mask > 0, x, at::zeros_like(x)); }

void check_same(const at::Tensor& t, const at::Tensor& like, const char* name) {
  if (t.defined() && t.sizes() != like.sizes())
    fail("", std::string("grpo.") + name, "expected shape of the policy log-probs [B, T]");
}

}  // namespace

LossAggregation parse_loss_aggregation(std::string_view name, const std::string& origin, const std::string& field) {
  if (name == "grpo") return LossAggregation::Grpo;
  if (name == "bnpo") return LossAggregation::Bnpo;
  if (name == "dr_grpo") return LossAggregation::DrGrpo;
  fail(origin, field, "expected grpo, bnpo or dr_grpo, found " + quote(name));
}

std::string_view loss_aggregation_name(LossAggregation mode) {
  switch (mode) {
    case LossAggregation::Grpo:
      return "grpo";
    case LossAggregation::Bnpo:
      return "bnpo";
    case LossAggregation::DrGrpo:
      return "dr_grpo";
  }
  return "grpo";
}

GroupAdvantages group_advantages(const at::Tensor& rewards, std::int64_t group_size, bool scale_std, double eps) {
  if (!rewards.defined() || rewards.dim() != 1) fail("", "grpo.rewards", "expected a [B] tensor of rewards");
  if (group_size < 2) fail("", "grpo.group_size", "expected at least 2 completions per prompt");
  if (rewards.size(0) == 0 || rewards.size(0) % group_size != 0)
    fail("", "grpo.rewards",
         "expected a positive multiple of the group size " + std::to_string(group_size) + " rewards, found " +
             std::to_string(rewards.size(0)));
  at::NoGradGuard no_grad;
  const at::Tensor r = rewards.to(float_type(rewards)).view({-1, group_size});
  const at::Tensor mean = r.mean(1, /*keepdim=*/true);
  const at::Tensor std = r.std(1, /*unbiased=*/true, /*keepdim=*/true);
  // A group of equal rewards has no signal: exactly 0, not the ulp by which a float mean can miss equal values
  // (divided by std + eps that ulp became up to ~2e-3).
  const at::Tensor flat = (r.amax(1) - r.amin(1)) == 0;
  at::Tensor a = (r - mean).masked_fill(flat.unsqueeze(1), 0.0);
  if (scale_std) a = a / (std + eps);
  GroupAdvantages out;
  out.advantages = a.reshape({-1}).contiguous();
  out.reward_mean = r.mean().item<double>();
  out.reward_std_mean = std.mean().item<double>();
  out.zero_std_fraction = flat.to(at::kDouble).mean().item<double>();
  return out;
}

at::Tensor aggregate_tokens(const at::Tensor& per_token, const at::Tensor& mask, LossAggregation mode,
                            std::int64_t max_len) {
  if (!per_token.defined() || per_token.dim() != 2) fail("", "grpo.per_token", "expected a [B, T] tensor");
  if (!mask.defined() || mask.sizes() != per_token.sizes())
    fail("", "grpo.mask", "expected the shape [B, T] of the losses");
  const at::Tensor m = mask.to(per_token.scalar_type());
  const at::Tensor x = masked(per_token, m);
  switch (mode) {
    case LossAggregation::Grpo:
      return (x.sum(1) / m.sum(1).clamp_min(1.0)).mean();
    case LossAggregation::Bnpo:
      return x.sum() / m.sum().clamp_min(1.0);
    case LossAggregation::DrGrpo: {
      const at::Tensor len =
          max_len > 0 ? at::scalar_tensor(static_cast<double>(max_len), m.options()) : m.sum(1).max().clamp_min(1.0);
      return x.sum() / (len * static_cast<double>(per_token.size(0)));
    }
  }
  return x.sum();
}

namespace {

// The importance ratio [B, T] at the level asked for; a sequence ratio is repeated on the row's tokens.
at::Tensor importance_ratio(const at::Tensor& log_ratio, const at::Tensor& m, RatioLevel level) {
  switch (level) {
    case RatioLevel::Token:
      return log_ratio.exp();
    case RatioLevel::SequenceMean:
      return (log_ratio.sum(1, /*keepdim=*/true) / m.sum(1, /*keepdim=*/true).clamp_min(1.0)).exp().expand_as(log_ratio);
    case RatioLevel::SequenceSum:
      return log_ratio.sum(1, /*keepdim=*/true).exp().expand_as(log_ratio);
  }
  return log_ratio.exp();
}

void check_settings(const GrpoLossSettings& s) {
  if (!(s.clip_eps_low >= 0.0 && s.clip_eps_low <= 1.0))
    fail("", "grpo.clip_eps", "expected a value in [0, 1] (1: no lower bound)");
  if (!(s.clip_eps_high >= 0.0)) fail("", "grpo.clip_eps_high", "expected a value >= 0");
  if (!(s.dual_clip == 0.0 || s.dual_clip > 1.0)) fail("", "grpo.dual_clip", "expected 0 (off) or a value > 1");
  if (s.surrogate == Surrogate::Cispo && s.ratio != RatioLevel::Token)
    fail("", "grpo.ratio", "CISPO clips a weight per token: expected the token-level ratio");
  if (s.surrogate == Surrogate::Cispo && s.dual_clip != 0.0)
    fail("", "grpo.dual_clip", "CISPO has no min() to dual-clip: expected 0");
}

}  // namespace

GrpoLossOutput grpo_loss(const GrpoBatch& batch, const at::Tensor& kl_per_token, const GrpoLossSettings& settings) {
  if (!batch.logp.defined() || batch.logp.dim() != 2) fail("", "grpo.logp", "expected [B, T] policy log-probs");
  check_same(batch.mask, batch.logp, "mask");
  check_same(batch.old_logp, batch.logp, "old_logp");
  check_same(kl_per_token, batch.logp, "kl");
  if (!batch.mask.defined()) fail("", "grpo.mask", "missing");
  if (!batch.advantages.defined() || batch.advantages.dim() != 1 || batch.advantages.size(0) != batch.logp.size(0))
    fail("", "grpo.advantages", "expected [B] advantages, one per sequence");
  check_settings(settings);

  const auto type = float_type(batch.logp);
  const at::Tensor l = batch.logp.to(type);
  const at::Tensor old = (batch.old_logp.defined() ? batch.old_logp : batch.logp).detach().to(type);
  const at::Tensor m = batch.mask.to(type);
  const at::Tensor a = batch.advantages.detach().to(type).unsqueeze(1);
  const at::Tensor ratio = importance_ratio(masked(l - old, m), m, settings.ratio);
  const double low_bound = 1.0 - settings.clip_eps_low, high_bound = 1.0 + settings.clip_eps_high;
  const at::Tensor clipped = ratio.clamp(low_bound, high_bound);
  at::Tensor surrogate;
  if (settings.surrogate == Surrogate::Cispo) {
    surrogate = -(clipped.detach() * a * masked(l, m));
  } else {
    surrogate = -at::minimum(ratio * a, clipped * a);
    if (settings.dual_clip > 0.0) surrogate = at::where(a < 0, at::minimum(surrogate, -settings.dual_clip * a), surrogate);
  }
  at::Tensor per_token = surrogate;
  const bool has_kl = kl_per_token.defined();
  if (has_kl && settings.beta != 0.0) per_token = per_token + settings.beta * kl_per_token.to(type);

  GrpoLossOutput out;
  out.loss = aggregate_tokens(per_token, m, settings.aggregation, settings.max_len);

  at::NoGradGuard no_grad;
  GrpoStats& s = out.stats;
  const double tokens = m.sum().item<double>();
  const double denom = std::max(tokens, 1.0);
  s.tokens = tokens;
  s.loss = out.loss.item<double>();
  s.policy_loss = aggregate_tokens(surrogate, m, settings.aggregation, settings.max_len).item<double>();
  if (has_kl) {
    s.kl_mean = aggregate_tokens(kl_per_token.to(type), m, LossAggregation::Grpo).item<double>();
  }
  const at::Tensor on = m > 0;
  const bool cispo = settings.surrogate == Surrogate::Cispo;
  const at::Tensor low = (ratio < low_bound) & (cispo ? on : (a < 0)) & on;
  const at::Tensor high = (ratio > high_bound) & (cispo ? on : (a > 0)) & on;
  s.clip_low = low.sum().item<double>() / denom;
  s.clip_high = high.sum().item<double>() / denom;
  s.clip_fraction = s.clip_low + s.clip_high;
  if (settings.dual_clip > 0.0)
    s.dual_clip_fraction =
        ((a < 0) & (at::maximum(ratio, clipped) > settings.dual_clip) & on).sum().item<double>() / denom;
  s.ratio_mean = masked(ratio, m).sum().item<double>() / denom;
  s.advantage_mean = batch.advantages.to(at::kDouble).mean().item<double>();
  return out;
}

}  // namespace vsr::algo
