#pragma once
/// @file
/// The field's GRPO variants, each a combination of existing parts (grpo_parts.hpp) with its name and, where its
/// paper's numbers differ from [grpo]'s defaults, its own values (kSettings: INI text above the config file, below
/// the command line). A new variant is a struct here and a recipe file in experiments/ (docs/adding-a-component.md).

#include "vsr/algo/grpo.hpp"

#include <string_view>

namespace vsr::algo {

/// DAPO (Yu et al. 2025, arXiv 2503.14476): clip-higher (eps 0.2 / 0.28), token-level loss, dynamic sampling on the
/// accuracy (groups all right or all wrong are dropped, whatever their length penalties). Its overlong reward shaping
/// is reward::OverlongPenalty in the recipe's reward; it trains without KL.
struct Dapo : GrpoWith<advantage::Group, ratio::Token, clip::Higher, aggregate::TokenMean, filter::DynamicSampling> {
  static constexpr std::string_view kName = "dapo";  ///< run.json algorithm
  /// Its own [grpo] values.
  static constexpr std::string_view kSettings =
      "[grpo]\nclip_eps = 0.2\nclip_eps_high = 0.28\nfilter_metric = accuracy\n";  // verl filter_groups.metric=acc
};

/// Dr. GRPO (Liu et al. 2025, arXiv 2503.20783): no std in the advantage, no per-sequence length normalisation
/// (sum over tokens / (B * grpo.max_len); grpo.max_len 0 = the generation budget sampling.max_new_tokens).
struct DrGrpo : GrpoWith<advantage::GroupCentred, ratio::Token, clip::Symmetric, aggregate::ConstantLength> {
  static constexpr std::string_view kName = "dr_grpo";  ///< run.json algorithm
};

/// GSPO (Zheng et al. 2025, arXiv 2507.18071): the length-normalised sequence ratio, clipped per sequence at the
/// paper's 3e-4 / 4e-4, per-sequence mean.
struct Gspo : GrpoWith<advantage::Group, ratio::SequenceMean, clip::Higher, aggregate::SequenceMean> {
  static constexpr std::string_view kName = "gspo";  ///< run.json algorithm
  /// Its own [grpo] values.
  static constexpr std::string_view kSettings = "[grpo]\nclip_eps = 3e-4\nclip_eps_high = 4e-4\n";
};

/// CISPO (MiniMax-M1, arXiv 2506.13585): the detached importance weight clipped above only (clip_eps = 1: no lower
/// bound, as the paper; clip_eps_high 0.28), every token's gradient kept, token-level loss.
struct Cispo : GrpoWith<advantage::Group, ratio::Token, clip::Cispo, aggregate::TokenMean> {
  static constexpr std::string_view kName = "cispo";  ///< run.json algorithm
  /// Its own [grpo] values.
  static constexpr std::string_view kSettings = "[grpo]\nclip_eps = 1\nclip_eps_high = 0.28\n";
};

/// RLOO (Ahmadian et al. 2024, arXiv 2402.14740): leave-one-out baseline, no std; PPO clip and per-sequence mean as
/// TRL's RLOOTrainer.
struct Rloo : GrpoWith<advantage::LeaveOneOut, ratio::Token, clip::Symmetric, aggregate::SequenceMean> {
  static constexpr std::string_view kName = "rloo";  ///< run.json algorithm
};

/// REINFORCE++ (Hu 2025, arXiv 2501.03262): rewards normalised over the batch instead of the group, PPO clip,
/// token-level loss.
struct ReinforcePp : GrpoWith<advantage::BatchNorm, ratio::Token, clip::Symmetric, aggregate::TokenMean> {
  static constexpr std::string_view kName = "reinforce_pp";  ///< run.json algorithm
};

/// Spatial-R1's task-specific GRPO (Ouyang et al. 2025, arXiv 2504.01805): group baselines scaled by the reward
/// spread of each question type over the batch (advantage::TaskNorm); PPO clip and grpo.loss_aggregation as GRPO. The
/// recipe pairs it with task-specific rewards (reward::Mra: graded for numeric tasks, exact for choices).
struct SpatialR1 : GrpoWith<advantage::TaskNorm> {
  static constexpr std::string_view kName = "spatial_r1";  ///< run.json algorithm
};

/// Lite PPO ("Tricks or Traps? A Deep Dive into RL for LLM Reasoning", Liu et al. 2025): group-mean baselines scaled
/// by the batch's reward std, token-level loss, PPO clip.
struct LitePpo : GrpoWith<advantage::GroupMeanBatchStd, ratio::Token, clip::Symmetric, aggregate::TokenMean> {
  static constexpr std::string_view kName = "lite_ppo";  ///< run.json algorithm
};

/// vsGRPO's eq. 1 as printed (section 4.2): the whole-sequence likelihood ratio pi(o_i|q) / pi_old(o_i|q), clipped,
/// and the 1/G mean over the group's sequences.
struct VsGrpoEq1 : GrpoWith<advantage::Group, ratio::SequenceSum, clip::Symmetric, aggregate::SequenceMean> {
  static constexpr std::string_view kName = "vsgrpo_eq1";  ///< run.json algorithm
};

}  // namespace vsr::algo
