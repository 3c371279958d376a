// A format cold start: SFT in which each question is asked in one of the three prompt modes (think, observe,
// vanilla; fixed per question id) and, with --sft.target formatted, answered in that mode's format. The quickstart's
// medium scale warms its toy base up with it so that the vsGRPO-T / -O / -V ablations start from a base that follows
// every mode's format, as Qwen2-VL does (Table 1).
#include <vsr/experiment.hpp>
#include <vsr/prompt/mixture.hpp>
#include <vsr/prompt/observe.hpp>
#include <vsr/prompt/think.hpp>
#include <vsr/prompt/vanilla.hpp>

using Recipe =
    vsr::Experiment<vsr::algo::Sft, vsr::prompt::Mixture<vsr::prompt::Think, vsr::prompt::Observe, vsr::prompt::Vanilla>>;

int main(int argc, char** argv) { return vsr::main<Recipe>(argc, argv, "configs/vsgrpo_2b.ini"); }
