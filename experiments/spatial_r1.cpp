// Spatial-R1 (Ouyang et al. 2025, arXiv 2504.01805; SpaceR's first version): task-specific GRPO on video spatial QA,
// in vsGRPO's vanilla setting like the other variants (so a table of them ablates the algorithm alone).
// Advantages: each group's mean as baseline, scaled by the reward spread of its question type over the batch
// (algo::SpatialR1); rewards per task type (reward::Mra: VSI-Bench's graded MRA for numeric answers, exact match for
// choices); k3 KL as vsGRPO.
#include <vsr/experiment.hpp>
#include <vsr/kl/k3.hpp>
#include <vsr/prompt/vanilla.hpp>
#include <vsr/reward/mra.hpp>

using Recipe = vsr::Experiment<vsr::algo::SpatialR1,                  // algo/variants.hpp
                               vsr::prompt::Vanilla,                  // vsGRPO-V's prompt
                               vsr::reward::Sum<vsr::reward::Mra>,    // task-specific accuracy
                               vsr::kl::K3>;                          // kl.beta from the config

int main(int argc, char** argv) { return vsr::main<Recipe>(argc, argv, "configs/vsgrpo_2b.ini"); }
