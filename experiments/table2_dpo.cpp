// Table 2, "+ DPO": preference optimisation with chosen = ground truth and rejected = a wrong answer made from it
// (another entity, or a perturbed number), vanilla prompt, reference = the base model (adapters off).
#include <vsr/experiment.hpp>
#include <vsr/prompt/vanilla.hpp>

using Recipe = vsr::Experiment<vsr::algo::Dpo, vsr::prompt::Vanilla>;

int main(int argc, char** argv) { return vsr::main<Recipe>(argc, argv, "configs/vsgrpo_2b.ini"); }
