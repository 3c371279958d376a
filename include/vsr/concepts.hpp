#pragma once
/// @file
/// The concepts of vsr's policy families, one per family (the seqan3 style): a type that fails one is rejected at
/// the point of use with "the required expression ... is invalid" rather than pages of template errors.
/// docs/policies.md lists the members each family needs and its implementations.

#include "vsr/data/sample.hpp"
#include "vsr/prompt/stage.hpp"
#include "vsr/reward/completion.hpp"

#include <concepts>
#include <optional>
#include <string>
#include <string_view>

namespace at {
class Tensor;  // LibTorch's tensor; complete wherever a KL setting's per_token is checked (vsr/kl/*.hpp)
}  // namespace at

namespace vsr::train {
class Session;     // train/session.hpp
struct StepStats;  // train/step_stats.hpp
}  // namespace vsr::train

namespace vsr {

/// A prompt mode (vsr::prompt::Think, Observe, Vanilla): the instruction appended to a question, how an answer is
/// extracted from an output, whether an output has the mode's format, and an answer written in that format.
template <class P>
concept PromptMode = requires(const P& p, const data::Sample& s, std::string_view out) {
  { P::kName } -> std::convertible_to<std::string_view>;
  { P::kHasFormat } -> std::convertible_to<bool>;
  { p.instruction(s, prompt::Stage::Train) } -> std::convertible_to<std::string>;
  { p.extract_answer(out) } -> std::convertible_to<std::optional<std::string>>;
  { p.format_ok(out) } -> std::convertible_to<bool>;
  { p.formatted(s, out) } -> std::convertible_to<std::string>;
};

/// A reward (vsr::reward::Format, Accuracy, ...): a named score of one completion of one sample.
template <class R>
concept Reward = requires(const R& r, const data::Sample& s, const reward::Completion& c) {
  { R::kName } -> std::convertible_to<std::string_view>;
  { r(s, c) } -> std::convertible_to<double>;
};

/// A reward that only makes sense for prompt modes with a format (it declares `kNeedsFormat = true`).
template <class R>
concept NeedsFormat = Reward<R> && requires { requires R::kNeedsFormat; };

/// Whether reward R can be used with prompt mode P: a format reward needs a mode that has a format.
template <class R, class P>
concept RewardFitsMode = Reward<R> && PromptMode<P> && (!NeedsFormat<R> || P::kHasFormat);

/// A KL setting of GRPO (vsr::kl::None, K1, K2, K3, K3Clamped): a name and whether it needs the reference policy's
/// log-probs. One that does (kNeedsReference = true) gives its coefficient `beta()` and a per-token estimate
/// `per_token(logp, ref_logp)` of KL(policy || reference); one that does not costs no reference forward pass.
template <class K>
concept KlSetting = requires {
  { K::kName } -> std::convertible_to<std::string_view>;
  { K::kNeedsReference } -> std::convertible_to<bool>;
} && (!K::kNeedsReference || requires(const K& k, const at::Tensor& t) {
  { k.beta() } -> std::convertible_to<double>;
  { k.per_token(t, t) } -> std::same_as<at::Tensor>;
});

/// A training algorithm (vsr::algo::Grpo and the GRPO family of algo/variants.hpp, Sft, Dpo): a name, an options
/// struct for its config section, whether it trains on sampled rollouts (the GRPO family) or fixed answers (SFT,
/// DPO), and whether it needs reference log-probs by itself (DPO; GRPO needs them only through its KL setting).
/// Its steps are AlgorithmFor's `Steps` class; an algorithm may carry `kSettings`, INI text of its own defaults.
template <class A>
concept Algorithm = requires {
  { A::kName } -> std::convertible_to<std::string_view>;
  { A::kUsesRollouts } -> std::convertible_to<bool>;
  { A::kNeedsReference } -> std::convertible_to<bool>;
  { A::Options::kSection } -> std::convertible_to<std::string_view>;
};

/// An algorithm with the per-run step class that vsr::Experiment holds and calls (the ensmallen pattern: the policy
/// carries its own stateful per-run class): `A::Steps<P, R, K>` with
/// `StepStats step(train::Session&, const A&, const P&, const R&, const K&)`, one optimizer step.
template <class A, class P, class R, class K>
concept AlgorithmFor =
    Algorithm<A> && requires { typename A::template Steps<P, R, K>; } &&
    requires(typename A::template Steps<P, R, K>& steps, train::Session& s, const A& a, const P& p, const R& r,
             const K& k) {
      { steps.step(s, a, p, r, k) } -> std::same_as<train::StepStats>;
    };

}  // namespace vsr
