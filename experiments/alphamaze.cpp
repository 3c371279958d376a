// AlphaMaze (Dao & Vu 2025, arXiv 2502.14669): SFT on maze routes, then GRPO with the path reward from the SFT
// adapter; text-only records from `vsr data maze` (data/maze.hpp), two stages in one file (vsr/stages.hpp).
#include <vsr/kl/k3.hpp>
#include <vsr/prompt/vanilla.hpp>
#include <vsr/reward/maze_path.hpp>
#include <vsr/stages.hpp>

using Sft = vsr::Experiment<vsr::algo::Sft, vsr::prompt::Vanilla>;
using Grpo = vsr::Experiment<vsr::algo::Grpo, vsr::prompt::Vanilla, vsr::reward::Sum<vsr::reward::MazePath>,
                             vsr::kl::K3>;  // any route that reaches E scores 1, not only the shortest

int main(int argc, char** argv) {
  return vsr::main_stages<vsr::Stage<Sft, "sft">, vsr::Stage<Grpo, "grpo">>(argc, argv, "configs/vsgrpo_2b.ini");
}
