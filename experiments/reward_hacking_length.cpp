// Section 4.3.3, reward hacking: vsGRPO-T with a capped bonus for longer reasoning added to the format and
// accuracy rewards ([length] target_words, [reward] length_weight).
#include <vsr/experiment.hpp>
#include <vsr/kl/k3.hpp>
#include <vsr/prompt/think.hpp>
#include <vsr/reward/format.hpp>
#include <vsr/reward/length.hpp>

using Recipe = vsr::Experiment<vsr::algo::Grpo,
                               vsr::prompt::Think,
                               vsr::reward::Sum<vsr::reward::Format, vsr::reward::Accuracy, vsr::reward::Length>,
                               vsr::kl::K3>;

int main(int argc, char** argv) { return vsr::main<Recipe>(argc, argv, "configs/vsgrpo_2b.ini"); }
