// DAPO (Yu et al. 2025, arXiv 2503.14476) on vsGRPO's vanilla setting: clip-higher 0.2 / 0.28, token-level loss,
// dynamic sampling (groups with equal rewards replaced, grpo.max_resample_rounds), soft overlong punishment, no KL.
#include <vsr/experiment.hpp>
#include <vsr/prompt/vanilla.hpp>
#include <vsr/reward/overlong.hpp>

using Recipe = vsr::Experiment<vsr::algo::Dapo,                                  // algo/variants.hpp
                               vsr::prompt::Vanilla,                             // vsGRPO-V's prompt
                               vsr::reward::Sum<vsr::reward::Accuracy,           // the answer
                                                vsr::reward::OverlongPenalty>,   // [overlong] buffer_tokens
                               vsr::kl::None>;                                   // DAPO drops the KL term

int main(int argc, char** argv) { return vsr::main<Recipe>(argc, argv, "configs/vsgrpo_2b.ini"); }
