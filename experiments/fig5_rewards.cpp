// Figure 5: the reward dynamics of vsGRPO-T (format reward, accuracy reward per task, total reward, KL), drawn into
// RUN/report/*.png from the run's metrics after training.
#include <vsr/experiment.hpp>
#include <vsr/kl/k3.hpp>
#include <vsr/prompt/think.hpp>
#include <vsr/reward/format.hpp>

using Recipe = vsr::Experiment<vsr::algo::Grpo,
                               vsr::prompt::Think,
                               vsr::reward::Sum<vsr::reward::Format, vsr::reward::Accuracy>,
                               vsr::kl::K3>;

int main(int argc, char** argv) { return vsr::main<Recipe>(argc, argv, "configs/vsgrpo_2b.ini"); }
