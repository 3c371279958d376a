// Two stages in one file, as "Actial: Activate Spatial Reasoning Ability of MLLMs" and "UAV-VL-R1" train: SFT on
// the answers into RUN/sft/, then vsGRPO-V (accuracy reward, k3 KL) from that adapter into RUN/grpo/ (vsr/stages.hpp).
#include <vsr/kl/k3.hpp>
#include <vsr/prompt/vanilla.hpp>
#include <vsr/stages.hpp>

using Sft = vsr::Experiment<vsr::algo::Sft, vsr::prompt::Vanilla>;
using Grpo = vsr::Experiment<vsr::algo::Grpo, vsr::prompt::Vanilla, vsr::reward::Sum<vsr::reward::Accuracy>,
                             vsr::kl::K3>;

int main(int argc, char** argv) {
  return vsr::main_stages<vsr::Stage<Sft, "sft">, vsr::Stage<Grpo, "grpo">>(argc, argv, "configs/vsgrpo_2b.ini");
}
