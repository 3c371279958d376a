// RLOO (Ahmadian et al. 2024, arXiv 2402.14740) on vsGRPO's vanilla setting: leave-one-out baseline, PPO
// clip, per-sequence mean, vsGRPO's k3 KL in the loss (the paper puts a KL into the reward).
#include <vsr/experiment.hpp>
#include <vsr/kl/k3.hpp>
#include <vsr/prompt/vanilla.hpp>

using Recipe = vsr::Experiment<vsr::algo::Rloo,                          // algo/variants.hpp
                               vsr::prompt::Vanilla,                     // vsGRPO-V's prompt
                               vsr::reward::Sum<vsr::reward::Accuracy>,  // vanilla mode has no format reward
                               vsr::kl::K3>;                             // kl.beta from the config

int main(int argc, char** argv) { return vsr::main<Recipe>(argc, argv, "configs/vsgrpo_2b.ini"); }
