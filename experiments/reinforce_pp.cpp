// REINFORCE++ (Hu 2025, arXiv 2501.03262) on vsGRPO's vanilla setting: batch-normalised advantages,
// PPO clip, token-level loss, vsGRPO's k3 KL in the loss (the paper puts a KL into the reward).
#include <vsr/experiment.hpp>
#include <vsr/kl/k3.hpp>
#include <vsr/prompt/vanilla.hpp>

using Recipe = vsr::Experiment<vsr::algo::ReinforcePp,                   // algo/variants.hpp
                               vsr::prompt::Vanilla,                     // vsGRPO-V's prompt
                               vsr::reward::Sum<vsr::reward::Accuracy>,  // vanilla mode has no format reward
                               vsr::kl::K3>;                             // kl.beta from the config

int main(int argc, char** argv) { return vsr::main<Recipe>(argc, argv, "configs/vsgrpo_2b.ini"); }
