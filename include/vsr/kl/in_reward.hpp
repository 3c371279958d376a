#pragma once
/// @file
/// The KL penalty applied in the reward instead of the loss (verl's `algorithm.use_kl_in_reward`, the InstructGPT /
/// PPO-RLHF form; verl 0.7.1 `apply_kl_penalty` in trainer/ppo/ray_trainer.py): each completion's reward becomes
/// r - beta * sum_t kl_t, where kl_t is K's per-token estimate between the rollout policy (log-probs before the
/// update, no gradient) and the reference, summed over the completion's tokens; the advantages are computed from that
/// reward and the loss has no KL term. With GRPO's outcome advantages, verl's token-level rewards sum to exactly this.
/// verl's default estimator there is k1 (`kl_penalty = "kl"`): `kl::InReward<kl::K1>`.

#include "vsr/kl/options.hpp"

#include <ATen/core/Tensor.h>

#include <array>
#include <cstddef>
#include <string_view>

namespace vsr::kl {

namespace detail {

/// "<K's name>_in_reward" as a constant.
template <class K>
struct InRewardName {
  static constexpr std::string_view kSuffix = "_in_reward";
  static constexpr auto kChars = [] {
    std::array<char, K::kName.size() + kSuffix.size()> out{};
    std::size_t i = 0;
    for (char c : K::kName) out[i++] = c;
    for (char c : kSuffix) out[i++] = c;
    return out;
  }();
  static constexpr std::string_view kValue{kChars.data(), kChars.size()};
};

}  // namespace detail

/// KL setting K (kl::K1, K2, K3, K3Clamped) moved into the reward: the GRPO step subtracts beta times each
/// completion's summed K estimate from its reward before the advantages, and trains without a KL loss term.
template <class K>
  requires(K::kNeedsReference)
struct InReward {
  static constexpr std::string_view kName = detail::InRewardName<K>::kValue;
  static constexpr bool kNeedsReference = true;  ///< needs the reference log-probs (at rollout time)
  static constexpr bool kInReward = true;        ///< applied to the reward, not in the loss
  KlOptions options;                             ///< beta (and K3Clamped's clamps)

  /// The coefficient of the penalty.
  double beta() const { return options.beta; }
  /// K's per-token estimate.
  at::Tensor per_token(const at::Tensor& logp, const at::Tensor& ref_logp) const {
    K estimator;
    estimator.options = options;
    return estimator.per_token(logp, ref_logp);
  }
};

namespace detail {
template <class K>
constexpr bool in_reward() {
  if constexpr (requires { K::kInReward; }) {
    return K::kInReward;
  } else {
    return false;
  }
}
}  // namespace detail

/// Whether KL setting K is applied in the reward (kl::InReward) rather than in the loss.
template <class K>
inline constexpr bool kInReward = detail::in_reward<K>();

}  // namespace vsr::kl
