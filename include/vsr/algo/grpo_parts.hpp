#pragma once
/// @file
/// The axes of the GRPO family as policy types, combined by vsr::algo::GrpoWith (grpo.hpp): a variant such as DAPO
/// is a `using` of parts (variants.hpp). Each part is a name plus the setting it puts into the compiled loss
/// (grpo_loss.hpp, advantages.hpp) or the step (train/grpo_step.hpp); the numbers stay in [grpo]. A new part is a
/// struct here with `kName` and the member its axis asks for (docs/adding-a-component.md).

#include "vsr/algo/advantages.hpp"
#include "vsr/algo/grpo_loss.hpp"
#include "vsr/algo/grpo_options.hpp"

#include <string_view>

namespace vsr::algo {

/// Advantage estimators: `static AdvantageEstimator estimator(const GrpoOptions&)`, and `static constexpr
/// MomentWeights kMoments` when the estimator needs the whole batch's reward moments (the step then sums them over
/// every micro-batch and rank).
namespace advantage {
/// GRPO's group mean / std; grpo.scale_std = false drops the std (the vsGRPO configs' switch).
struct Group {
  static constexpr std::string_view kName = "group";  ///< the part's name in run.json
  /// The compiled estimator this part selects.
  static AdvantageEstimator estimator(const GrpoOptions& o) {
    return o.scale_std ? AdvantageEstimator::GroupNorm : AdvantageEstimator::GroupCentred;
  }
};
/// Dr. GRPO (arXiv 2503.20783): group mean only, whatever grpo.scale_std says.
struct GroupCentred {
  static constexpr std::string_view kName = "group_centred";  ///< the part's name in run.json
  /// The compiled estimator this part selects.
  static AdvantageEstimator estimator(const GrpoOptions&) { return AdvantageEstimator::GroupCentred; }
};
/// RLOO (arXiv 2402.14740): the mean of the group's other completions as baseline.
struct LeaveOneOut {
  static constexpr std::string_view kName = "leave_one_out";  ///< the part's name in run.json
  /// The compiled estimator this part selects.
  static AdvantageEstimator estimator(const GrpoOptions&) { return AdvantageEstimator::LeaveOneOut; }
};
/// REINFORCE++ (arXiv 2501.03262): rewards whitened over the micro-batch's tokens, not per group.
struct BatchNorm {
  static constexpr std::string_view kName = "batch_norm";  ///< the part's name in run.json
  static constexpr MomentWeights kMoments = MomentWeights::Tokens;  ///< whitened over the batch's tokens
  /// The compiled estimator this part selects.
  static AdvantageEstimator estimator(const GrpoOptions&) { return AdvantageEstimator::BatchNorm; }
};
/// Lite PPO's normalisation ("Tricks or Traps? A Deep Dive into RL for LLM Reasoning", Liu et al. 2025): the group
/// mean as baseline, the std of every reward of the batch (all micro-batches and ranks, each completion once) as
/// scale, which stays informative when a group's rewards are nearly equal.
struct GroupMeanBatchStd {
  static constexpr std::string_view kName = "group_mean_batch_std";  ///< the part's name in run.json
  static constexpr MomentWeights kMoments = MomentWeights::Sequences;  ///< the batch std counts each reward once
  /// The compiled estimator this part selects.
  static AdvantageEstimator estimator(const GrpoOptions&) { return AdvantageEstimator::GroupMeanBatchStd; }
};
/// Spatial-R1's task-specific GRPO (arXiv 2504.01805; vsr's reading of "task-specific"): the group mean as
/// baseline, and as scale the std of the rewards of the completion's question type over the whole batch (every kept
/// group of that type, every micro-batch and rank), so that tasks whose rewards spread differently (MRA's graded
/// numeric rewards, 0/1 choices) train at the same advantage scale, and a group's scale does not blow up when its
/// few rewards happen to be close.
struct TaskNorm {
  static constexpr std::string_view kName = "task_norm";  ///< the part's name in run.json
  /// The compiled estimator this part selects (the step supplies the per-type scales).
  static AdvantageEstimator estimator(const GrpoOptions&) { return AdvantageEstimator::TaskNorm; }
};

/// The batch moments advantage part `P` asks for (MomentWeights::None when it declares no kMoments).
template <class P>
constexpr MomentWeights moments_of() {
  if constexpr (requires { P::kMoments; }) {
    return P::kMoments;
  } else {
    return MomentWeights::None;
  }
}
}  // namespace advantage

/// Importance-ratio levels: `static constexpr RatioLevel kLevel`.
namespace ratio {
/// Per token (DeepSeekMath, TRL, verl).
struct Token {
  static constexpr std::string_view kName = "token";  ///< the part's name in run.json
  static constexpr RatioLevel kLevel = RatioLevel::Token;  ///< the compiled ratio level
};
/// GSPO (arXiv 2507.18071 eq. 7): the length-normalised sequence likelihood ratio.
struct SequenceMean {
  static constexpr std::string_view kName = "sequence_mean";  ///< the part's name in run.json
  static constexpr RatioLevel kLevel = RatioLevel::SequenceMean;  ///< the compiled ratio level
};
/// vsGRPO eq. 1 as printed: pi(o_i|q) / pi_old(o_i|q), the whole sequence's likelihood ratio.
struct SequenceSum {
  static constexpr std::string_view kName = "sequence_sum";  ///< the part's name in run.json
  static constexpr RatioLevel kLevel = RatioLevel::SequenceSum;  ///< the compiled ratio level
};
}  // namespace ratio

/// Clipping: `static void apply(GrpoLossSettings&, const GrpoOptions&)`.
namespace clip {
/// PPO's symmetric clip [1 - grpo.clip_eps, 1 + grpo.clip_eps].
struct Symmetric {
  static constexpr std::string_view kName = "symmetric";  ///< the part's name in run.json
  /// Puts this part's settings into the compiled loss's settings.
  static void apply(GrpoLossSettings& s, const GrpoOptions& o) { s.clip_eps_low = s.clip_eps_high = o.clip_eps; }
};
/// DAPO's clip-higher (arXiv 2503.14476): [1 - grpo.clip_eps, 1 + grpo.clip_eps_high].
struct Higher {
  static constexpr std::string_view kName = "higher";  ///< the part's name in run.json
  /// Puts this part's settings into the compiled loss's settings.
  static void apply(GrpoLossSettings& s, const GrpoOptions& o) {
    s.clip_eps_low = o.clip_eps;
    s.clip_eps_high = o.clip_eps_high;
  }
};
/// Dual clip (Ye et al. 2020, arXiv 1912.09729; verl's clip_ratio_c): symmetric, and for A < 0 the loss is at most
/// -grpo.dual_clip * A.
struct Dual {
  static constexpr std::string_view kName = "dual";  ///< the part's name in run.json
  /// Puts this part's settings into the compiled loss's settings.
  static void apply(GrpoLossSettings& s, const GrpoOptions& o) {
    s.clip_eps_low = s.clip_eps_high = o.clip_eps;
    s.dual_clip = o.dual_clip;
  }
};
/// CISPO (MiniMax-M1, arXiv 2506.13585): the importance weight clipped to [1 - grpo.clip_eps, 1 + grpo.clip_eps_high]
/// and detached, times A and the token log-prob; no token loses its gradient.
struct Cispo {
  static constexpr std::string_view kName = "cispo";  ///< the part's name in run.json
  /// Puts this part's settings into the compiled loss's settings.
  static void apply(GrpoLossSettings& s, const GrpoOptions& o) {
    s.clip_eps_low = o.clip_eps;
    s.clip_eps_high = o.clip_eps_high;
    s.surrogate = Surrogate::Cispo;
  }
};
}  // namespace clip

/// Loss aggregation: `static void apply(GrpoLossSettings&, const GrpoOptions&)`.
namespace aggregate {
/// As grpo.loss_aggregation says (grpo | bnpo | dr_grpo): the vsGRPO recipes' run-time switch.
struct FromOptions {
  static constexpr std::string_view kName = "from_options";  ///< the part's name in run.json
  /// Puts this part's settings into the compiled loss's settings.
  static void apply(GrpoLossSettings& s, const GrpoOptions& o) {
    s.aggregation = o.aggregation();
    s.max_len = o.max_len;
  }
};
/// Mean over each sequence's tokens, then over sequences (DeepSeekMath).
struct SequenceMean {
  static constexpr std::string_view kName = "sequence_mean";  ///< the part's name in run.json
  /// Puts this part's settings into the compiled loss's settings.
  static void apply(GrpoLossSettings& s, const GrpoOptions&) { s.aggregation = LossAggregation::Grpo; }
};
/// Sum over the batch's tokens / their number (DAPO's token-level loss, BNPO).
struct TokenMean {
  static constexpr std::string_view kName = "token_mean";  ///< the part's name in run.json
  /// Puts this part's settings into the compiled loss's settings.
  static void apply(GrpoLossSettings& s, const GrpoOptions&) { s.aggregation = LossAggregation::Bnpo; }
};
/// Dr. GRPO: sum over tokens / (B * grpo.max_len), a constant normaliser (0 = the batch's longest row).
struct ConstantLength {
  static constexpr std::string_view kName = "constant_length";  ///< the part's name in run.json
  /// Puts this part's settings into the compiled loss's settings.
  static void apply(GrpoLossSettings& s, const GrpoOptions& o) {
    s.aggregation = LossAggregation::DrGrpo;
    s.max_len = o.max_len;
  }
};
}  // namespace aggregate

/// Group filters, applied to each question's rollouts before the loss: `static constexpr bool kDropsFlatGroups`.
namespace filter {
/// Every group trains.
struct None {
  static constexpr std::string_view kName = "none";  ///< the part's name in run.json
  static constexpr bool kDropsFlatGroups = false;  ///< whether the step drops groups with equal rewards
};
/// DAPO's dynamic sampling: groups whose rewards are all equal (zero advantage) are dropped and further questions
/// sampled until the micro-batch is full again, at most grpo.max_resample_rounds extra rounds.
struct DynamicSampling {
  static constexpr std::string_view kName = "dynamic_sampling";  ///< the part's name in run.json
  static constexpr bool kDropsFlatGroups = true;  ///< whether the step drops groups with equal rewards
};
}  // namespace filter

/// Truncated completions (no stop token within sampling.max_new_tokens): `static constexpr bool kMasksTruncated`.
namespace truncation {
/// They train like any other.
struct Keep {
  static constexpr std::string_view kName = "keep";  ///< the part's name in run.json
  static constexpr bool kMasksTruncated = false;  ///< whether truncated completions leave the loss
};
/// DAPO's overlong filtering: their tokens leave the loss (they still count in their group's advantages).
struct Mask {
  static constexpr std::string_view kName = "mask";  ///< the part's name in run.json
  static constexpr bool kMasksTruncated = true;  ///< whether truncated completions leave the loss
};
}  // namespace truncation

}  // namespace vsr::algo
