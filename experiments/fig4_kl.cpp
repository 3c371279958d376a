// Figure 4: vsGRPO-T with and without the KL penalty. One run per beta (default 0 and 1e-4, the paper's pair;
// `--sweep 0,1e-4,1e-3` for any list) into OUT/kl.beta=<value>/, then OUT/report/ with the format-reward curves.
#include <vsr/kl/k3.hpp>
#include <vsr/prompt/think.hpp>
#include <vsr/reward/format.hpp>
#include <vsr/sweep.hpp>

using Recipe = vsr::Experiment<vsr::algo::Grpo,
                               vsr::prompt::Think,
                               vsr::reward::Sum<vsr::reward::Format, vsr::reward::Accuracy>,
                               vsr::kl::K3>;

int main(int argc, char** argv) {
  return vsr::sweep_main<Recipe>(argc, argv, "configs/vsgrpo_2b.ini", "kl.beta", {"0", "1e-4"});
}
