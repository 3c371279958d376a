// CISPO (MiniMax-M1, arXiv 2506.13585) on vsGRPO's vanilla setting: the detached importance weight, clipped
// above at 1.28, times A times the token log-prob; token-level loss, no KL.
#include <vsr/experiment.hpp>
#include <vsr/prompt/vanilla.hpp>

using Recipe = vsr::Experiment<vsr::algo::Cispo,                         // algo/variants.hpp
                               vsr::prompt::Vanilla,                     // vsGRPO-V's prompt
                               vsr::reward::Sum<vsr::reward::Accuracy>,  // vanilla mode has no format reward
                               vsr::kl::None>;                           // MiniMax-M1 trains without KL

int main(int argc, char** argv) { return vsr::main<Recipe>(argc, argv, "configs/vsgrpo_2b.ini"); }
