// verl's GRPO as shipped (verl/trainer/config/actor: loss_agg_mode token-mean, clip_ratio 0.2, clip_ratio_c 3, the KL
// as a loss term with low_var_kl = k3) on vsGRPO's vanilla setting. The variant is composed here from existing parts
// (algo/grpo_parts.hpp), so a new GRPO variant is this file, its row in docs/training.md and its CHANGELOG line.
#include <vsr/experiment.hpp>
#include <vsr/kl/k3.hpp>
#include <vsr/prompt/vanilla.hpp>

/// verl's GRPO: group mean/std advantages, token ratio, dual clip (c = grpo.dual_clip, 3), token-mean loss.
struct VerlGrpo : vsr::algo::GrpoWith<vsr::algo::advantage::Group, vsr::algo::ratio::Token, vsr::algo::clip::Dual,
                                      vsr::algo::aggregate::TokenMean> {
  static constexpr std::string_view kName = "verl_grpo";  ///< run.json algorithm
};

using Recipe = vsr::Experiment<VerlGrpo, vsr::prompt::Vanilla, vsr::reward::Sum<vsr::reward::Accuracy>, vsr::kl::K3>;

int main(int argc, char** argv) { return vsr::main<Recipe>(argc, argv, "configs/vsgrpo_2b.ini"); }
