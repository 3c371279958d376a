// Must NOT compile: int is not a prompt mode (the concept vsr::PromptMode is named in the error).
#include <vsr/experiment.hpp>

using Recipe = vsr::Experiment<vsr::algo::Grpo, int>;
Recipe recipe;
