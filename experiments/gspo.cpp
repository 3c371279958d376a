// GSPO (Zheng et al. 2025, arXiv 2507.18071) on vsGRPO's vanilla setting: the length-normalised sequence
// ratio clipped at 3e-4 / 4e-4, per-sequence mean, no KL.
#include <vsr/experiment.hpp>
#include <vsr/prompt/vanilla.hpp>

using Recipe = vsr::Experiment<vsr::algo::Gspo,                          // algo/variants.hpp
                               vsr::prompt::Vanilla,                     // vsGRPO-V's prompt
                               vsr::reward::Sum<vsr::reward::Accuracy>,  // vanilla mode has no format reward
                               vsr::kl::None>;                           // GSPO trains without KL

int main(int argc, char** argv) { return vsr::main<Recipe>(argc, argv, "configs/vsgrpo_2b.ini"); }
