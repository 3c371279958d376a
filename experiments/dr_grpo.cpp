// Dr. GRPO (Liu et al. 2025, arXiv 2503.20783) on vsGRPO's vanilla setting: group-centred advantages and a
// constant normaliser (set grpo.max_len to the generation budget), no KL.
#include <vsr/experiment.hpp>
#include <vsr/prompt/vanilla.hpp>

using Recipe = vsr::Experiment<vsr::algo::DrGrpo,                        // algo/variants.hpp
                               vsr::prompt::Vanilla,                     // vsGRPO-V's prompt
                               vsr::reward::Sum<vsr::reward::Accuracy>,  // vanilla mode has no format reward
                               vsr::kl::None>;                           // the paper trains without KL

int main(int argc, char** argv) { return vsr::main<Recipe>(argc, argv, "configs/vsgrpo_2b.ini"); }
