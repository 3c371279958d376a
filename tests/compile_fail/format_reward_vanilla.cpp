// Must NOT compile: a format reward needs a prompt mode with a format, and vanilla mode has none.
#include <vsr/experiment.hpp>
#include <vsr/kl/k3.hpp>
#include <vsr/prompt/vanilla.hpp>
#include <vsr/reward/format.hpp>

using Recipe = vsr::Experiment<vsr::algo::Grpo, vsr::prompt::Vanilla,
                               vsr::reward::Sum<vsr::reward::Format, vsr::reward::Accuracy>, vsr::kl::K3>;
Recipe recipe;
