#pragma once
/// @file
/// A multi-stage recipe in one experiment file, as AlphaMaze (arXiv 2502.14669), Actial and UAV-VL-R1 train: SFT
/// first, then GRPO from the SFT adapter. Stages are composed at compile time; each runs as its own vsr::main into
/// RUN/<stage>/ (config, metrics, adapter, evaluation, report), and every stage after the first starts from the
/// previous stage's adapter (--init-adapter RUN/<previous>/adapter):
///
///     using Sft  = vsr::Experiment<vsr::algo::Sft, vsr::prompt::Think>;
///     using Grpo = vsr::Experiment<vsr::algo::Grpo, vsr::prompt::Think, vsr::reward::Sum<...>, vsr::kl::K3>;
///     int main(int argc, char** argv) {
///       return vsr::main_stages<vsr::Stage<Sft, "sft">, vsr::Stage<Grpo, "grpo">>(argc, argv, "configs/x.ini");
///     }
///
/// Options on the command line go to every stage; `--stage.NAME.KEY VALUE` (or `=VALUE`) to stage NAME only (as
/// `--KEY VALUE`: `--stage.sft.train.steps 50`, `--stage.grpo.config other.ini`). With --resume, stages whose run
/// folder says "finished" are skipped and the first unfinished one resumes. RUN/stages.json lists the stages.

#include "vsr/experiment.hpp"
#include "vsr/train/stages_runner.hpp"

#include <algorithm>
#include <cstddef>
#include <string_view>

namespace vsr {

/// A stage name as a template argument (`vsr::Stage<Recipe, "sft">`).
template <std::size_t N>
struct StageName {
  char value[N]{};  ///< the characters, NUL-terminated
  /// From a string literal.
  constexpr StageName(const char (&s)[N]) { std::copy_n(s, N, value); }
  /// The name without its NUL.
  constexpr std::string_view view() const { return {value, N - 1}; }
};

/// One stage of a multi-stage recipe: `Recipe` (a vsr::Experiment) run into RUN/`Name`/.
template <class Recipe, StageName Name>
struct Stage {
  using RecipeType = Recipe;                              ///< the stage's recipe
  static constexpr std::string_view kName = Name.view();  ///< its run folder's name and override prefix
};

/// The main() of a multi-stage experiment program: runs `Stages` in order (see the file comment). Returns the first
/// non-zero exit status of a stage (2 for bad input, 75 when preempted), else 0.
template <class... Stages>
int main_stages(int argc, char** argv, const std::filesystem::path& default_config = {}) {
  static_assert(sizeof...(Stages) >= 1, "vsr::main_stages: give at least one vsr::Stage");
  const std::vector<train::StageEntry> stages{train::StageEntry{
      std::string(Stages::kName),
      [](int stage_argc, char** stage_argv, const std::filesystem::path& config) {
        return vsr::main<typename Stages::RecipeType>(stage_argc, stage_argv, config);
      }}...};
  return train::run_stages(argc, argv, default_config, stages);
}

}  // namespace vsr
