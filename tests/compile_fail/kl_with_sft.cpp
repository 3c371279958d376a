// Must NOT compile: a KL setting applies to GRPO only.
#include <vsr/experiment.hpp>
#include <vsr/kl/k3.hpp>
#include <vsr/prompt/vanilla.hpp>

using Recipe = vsr::Experiment<vsr::algo::Sft, vsr::prompt::Vanilla, vsr::reward::Sum<vsr::reward::Accuracy>,
                               vsr::kl::K3>;
Recipe recipe;
