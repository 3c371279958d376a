// Lite PPO ("Tricks or Traps? A Deep Dive into RL for LLM Reasoning", Liu et al. 2025) on vsGRPO's vanilla
// setting: group-mean baselines over the batch's reward std, token-level loss, PPO clip; vsGRPO's k3 KL kept, so
// that only the advantage and the aggregation differ from table2_vsgrpo_v.
#include <vsr/experiment.hpp>
#include <vsr/kl/k3.hpp>
#include <vsr/prompt/vanilla.hpp>

using Recipe = vsr::Experiment<vsr::algo::LitePpo,                       // algo/variants.hpp
                               vsr::prompt::Vanilla,                     // vsGRPO-V's prompt
                               vsr::reward::Sum<vsr::reward::Accuracy>,  // vanilla mode has no format reward
                               vsr::kl::K3>;                             // kl.beta from the config

int main(int argc, char** argv) { return vsr::main<Recipe>(argc, argv, "configs/vsgrpo_2b.ini"); }
