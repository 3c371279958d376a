// Table 2, "+ vsGRPO-V": GRPO with the vanilla prompt, the accuracy reward and the k3 KL penalty (beta from the
// config: 1e-4, the paper's value).
#include <vsr/experiment.hpp>
#include <vsr/kl/k3.hpp>
#include <vsr/prompt/vanilla.hpp>

using Recipe = vsr::Experiment<vsr::algo::Grpo,                          // group-relative advantages, clipped ratio
                               vsr::prompt::Vanilla,                     // "Please provide the short answer ..."
                               vsr::reward::Sum<vsr::reward::Accuracy>,  // vanilla mode has no format reward
                               vsr::kl::K3>;                             // kl.beta from the config

int main(int argc, char** argv) { return vsr::main<Recipe>(argc, argv, "configs/vsgrpo_2b.ini"); }
