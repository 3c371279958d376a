// vsGRPO's eq. 1 as printed (arXiv 2504.00883, section 4.2): the whole-sequence likelihood ratio
// pi(o|q) / pi_old(o|q) clipped, the 1/G mean over a group's sequences, k3 KL with beta 1e-4.
#include <vsr/experiment.hpp>
#include <vsr/kl/k3.hpp>
#include <vsr/prompt/vanilla.hpp>

using Recipe = vsr::Experiment<vsr::algo::VsGrpoEq1,                     // algo/variants.hpp
                               vsr::prompt::Vanilla,                     // vsGRPO-V's prompt
                               vsr::reward::Sum<vsr::reward::Accuracy>,  // vanilla mode has no format reward
                               vsr::kl::K3>;                             // kl.beta from the config (1e-4)

int main(int argc, char** argv) { return vsr::main<Recipe>(argc, argv, "configs/vsgrpo_2b.ini"); }
