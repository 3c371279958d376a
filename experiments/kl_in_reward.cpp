// vsGRPO-V with the KL penalty in the reward instead of the loss (verl's algorithm.use_kl_in_reward, the PPO-RLHF
// form of Ouyang et al. 2022, arXiv 2203.02155): each completion's reward is r - beta * sum_t k1_t before the group
// advantages, and the loss has no KL term. Beside table2_vsgrpo_v (k3 in the loss) it is the KL-placement ablation.
// Caution (as in verl, whose GRPO docs recommend the KL in the loss): GRPO divides by each group's std, so in a group
// whose rewards are all equal the advantages become -(S_i - mean S) / std S, whatever beta is, once beta * std S is
// well above grpo.std_eps: such groups train on the KL alone, at full scale. Compare with grpo.scale_std = false.
#include <vsr/experiment.hpp>
#include <vsr/kl/in_reward.hpp>
#include <vsr/kl/k1.hpp>
#include <vsr/prompt/vanilla.hpp>

using Recipe = vsr::Experiment<vsr::algo::Grpo,                          // group-relative advantages, clipped ratio
                               vsr::prompt::Vanilla,                     // vsGRPO-V's prompt
                               vsr::reward::Sum<vsr::reward::Accuracy>,  // the answer, minus the KL penalty
                               vsr::kl::InReward<vsr::kl::K1>>;          // verl's kl_penalty = "kl", kl.beta

int main(int argc, char** argv) { return vsr::main<Recipe>(argc, argv, "configs/vsgrpo_2b.ini"); }
