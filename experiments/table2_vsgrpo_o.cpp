// Table 2, "+ vsGRPO-O": GRPO with the observe prompt (<observe> then <answer>), format + accuracy rewards, k3 KL.
#include <vsr/experiment.hpp>
#include <vsr/kl/k3.hpp>
#include <vsr/prompt/observe.hpp>
#include <vsr/reward/format.hpp>

using Recipe = vsr::Experiment<vsr::algo::Grpo,
                               vsr::prompt::Observe,
                               vsr::reward::Sum<vsr::reward::Format, vsr::reward::Accuracy>,
                               vsr::kl::K3>;

int main(int argc, char** argv) { return vsr::main<Recipe>(argc, argv, "configs/vsgrpo_2b.ini"); }
