// Figure 4 / section 4.3.2 ablation: vsGRPO-T without the KL penalty. kl::None removes the reference forward pass
// altogether (compare with table2_vsgrpo_t at --kl.beta=1e-4).
#include <vsr/experiment.hpp>
#include <vsr/kl/none.hpp>
#include <vsr/prompt/think.hpp>
#include <vsr/reward/format.hpp>

using Recipe = vsr::Experiment<vsr::algo::Grpo,
                               vsr::prompt::Think,
                               vsr::reward::Sum<vsr::reward::Format, vsr::reward::Accuracy>,
                               vsr::kl::None>;

int main(int argc, char** argv) { return vsr::main<Recipe>(argc, argv, "configs/vsgrpo_2b.ini"); }
