#pragma once
/// @file
/// The GRPO family (DeepSeekMath; vsGRPO eq. 1) as one policy template: vsr::algo::GrpoWith combines an advantage
/// estimator, an importance-ratio level, a clipping, a loss aggregation, a group filter and a truncation handling
/// (grpo_parts.hpp) with the options of [grpo] (grpo_options.hpp) and a KL setting (vsr::KlSetting). algo::Grpo is
/// the vsGRPO paper's GRPO; the field's variants (DAPO, Dr. GRPO, GSPO, CISPO, RLOO, REINFORCE++) are `using`s of
/// other parts in variants.hpp. Its steps are train::GrpoSteps (train/grpo_step.hpp).

#include "vsr/algo/advantages.hpp"
#include "vsr/algo/grpo_loss.hpp"
#include "vsr/algo/grpo_options.hpp"
#include "vsr/algo/grpo_parts.hpp"
#include "vsr/concepts.hpp"

#include <string>
#include <string_view>

namespace vsr::train {
template <class A, PromptMode P, class R, KlSetting K>
class GrpoSteps;
}  // namespace vsr::train

namespace vsr::algo {

/// A GRPO-family algorithm: group (or batch) advantages from rewards, then a clipped policy-gradient surrogate plus
/// the KL setting's penalty, aggregated over tokens; every part a policy type of grpo_parts.hpp.
template <class Advantage = advantage::Group, class Ratio = ratio::Token, class Clip = clip::Symmetric,
          class Aggregation = aggregate::FromOptions, class Filter = filter::None, class Truncation = truncation::Keep>
struct GrpoWith {
  static constexpr std::string_view kName = "grpo";  ///< a variant deriving from GrpoWith names itself
  static constexpr std::string_view kSettings = "";  ///< a variant's [grpo] values (INI), above the config file
  static constexpr bool kUsesRollouts = true;        ///< trains on sampled completions scored by rewards
  static constexpr bool kNeedsReference = false;     ///< only through its KL setting (Kl::kNeedsReference)
  using Options = GrpoOptions;
  using AdvantagePart = Advantage;    ///< advantage::*
  using RatioPart = Ratio;            ///< ratio::*
  using ClipPart = Clip;              ///< clip::*
  using AggregationPart = Aggregation;  ///< aggregate::*
  using FilterPart = Filter;          ///< filter::*
  using TruncationPart = Truncation;  ///< truncation::*
  /// The per-run step class of this algorithm for prompt mode P, reward R and KL setting K.
  template <PromptMode P, class R, KlSetting K>
  using Steps = train::GrpoSteps<GrpoWith, P, R, K>;

  GrpoOptions options;  ///< [grpo]

  /// The parts, for run.json: "advantage=group ratio=token clip=symmetric ...".
  static std::string parts() {
    std::string out = "advantage=";
    out.append(Advantage::kName).append(" ratio=").append(Ratio::kName).append(" clip=").append(Clip::kName);
    out.append(" aggregation=").append(Aggregation::kName).append(" filter=").append(Filter::kName);
    return out.append(" truncation=").append(Truncation::kName);
  }
  /// Advantages of `rewards` [B] (B = prompts x num_generations, groups consecutive) by the advantage part;
  /// `token_counts` [B] (completion lengths) weigh the batch-normalising estimator (advantage::BatchNorm), which
  /// whitens with `global` moments (the whole batch's) when given; `row_scale` [B] is advantage::TaskNorm's per-row
  /// question-type std.
  GroupAdvantages advantages(const at::Tensor& rewards, const at::Tensor& token_counts = {},
                             const BatchMoments* global = nullptr, const at::Tensor& row_scale = {}) const {
    return estimate_advantages(rewards, options.num_generations, Advantage::estimator(options), options.std_eps,
                               token_counts, global, row_scale);
  }
  /// The compiled loss's settings from the parts and [grpo] (beta 0: the KL setting adds its own).
  GrpoLossSettings loss_settings() const {
    GrpoLossSettings s;
    s.ratio = Ratio::kLevel;
    Clip::apply(s, options);
    Aggregation::apply(s, options);
    return s;
  }
  /// The loss of `batch` with KL setting `kl` (its beta and per-token estimate; kl::None adds nothing and needs no
  /// batch.ref_logp).
  template <KlSetting Kl>
  GrpoLossOutput loss(const GrpoBatch& batch, const Kl& kl) const {
    GrpoLossSettings s = loss_settings();
    at::Tensor kl_per_token;
    if constexpr (Kl::kNeedsReference) {
      kl_per_token = kl.per_token(batch.logp, batch.ref_logp);
      s.beta = kl.beta();
    }
    return grpo_loss(batch, kl_per_token, s);
  }
};

/// The vsGRPO paper's GRPO (section 4.2): group mean / std advantages, token ratio, symmetric clip, aggregation
/// from grpo.loss_aggregation.
using Grpo = GrpoWith<>;

}  // namespace vsr::algo
