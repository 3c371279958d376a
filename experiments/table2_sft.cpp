// Table 2, "+ SFT": supervised fine-tuning on the ground-truth answers with the vanilla prompt (same data and
// schedule as vsGRPO).
#include <vsr/experiment.hpp>
#include <vsr/prompt/vanilla.hpp>

using Recipe = vsr::Experiment<vsr::algo::Sft, vsr::prompt::Vanilla>;

int main(int argc, char** argv) { return vsr::main<Recipe>(argc, argv, "configs/vsgrpo_2b.ini"); }
