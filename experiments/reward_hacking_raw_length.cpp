// Section 4.3.3, the hack itself: vsGRPO-T with a length bonus that counts the whole output, tags included
// (reward::RawLength), so padding with extra <think></think> / <answer></answer> tags pays, as the paper observed.
// Log rollouts (--grpo.log_rollouts_every N) to see the texts.
#include <vsr/experiment.hpp>
#include <vsr/kl/k3.hpp>
#include <vsr/prompt/think.hpp>
#include <vsr/reward/format.hpp>
#include <vsr/reward/length.hpp>

using Recipe = vsr::Experiment<vsr::algo::Grpo,
                               vsr::prompt::Think,
                               vsr::reward::Sum<vsr::reward::Format, vsr::reward::Accuracy, vsr::reward::RawLength>,
                               vsr::kl::K3>;

int main(int argc, char** argv) { return vsr::main<Recipe>(argc, argv, "configs/vsgrpo_2b.ini"); }
