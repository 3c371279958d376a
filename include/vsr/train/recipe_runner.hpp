#pragma once
/// @file
/// The compiled part of `vsr::main<Recipe>`: the options every recipe shares, the run folder, error handling and
/// exit codes, and the evaluation after training. A recipe plugs in through RecipeHooks (filled by
/// vsr::Experiment's header), so experiment files compile only their policies.

#include "vsr/core/config.hpp"
#include "vsr/data/sample.hpp"
#include "vsr/eval/evaluator.hpp"
#include "vsr/train/session.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace vsr::train {

/// How a recipe plugs into run_recipe.
struct RecipeHooks {
  std::function<void(Config&)> add_options;    ///< registers the recipe's own sections ([grpo], [kl], [reward], ...)
  std::function<void()> apply_options;         ///< copies the parsed values into the policies
  std::function<nlohmann::json()> describe;    ///< algorithm, prompt mode, rewards, KL (written into run.json)
  std::function<void(Session&)> train;         ///< the training loop with its callbacks
  std::string mode_name;                       ///< the recipe's prompt mode ("think", "observe", "vanilla")
  eval::PromptPolicy own_mode;                 ///< the recipe's mode with its training prompt (for evaluation)
};

/// Declares, unless already declared, the sections of every training algorithm ([grpo], [sft], [dpo], [kl],
/// [length], [reward] answer_rule): one config file serves every program, the sections a program does not use are
/// accepted and ignored.
void accept_recipe_sections(Config& cfg);

/// Parses the command line (`--config FILE`, else `default_config` looked up in the working folder and then in the
/// source tree's configs/), builds the Session, runs `hooks.train`, writes the final adapter; with --eval, evaluates
/// the trained policy in vanilla mode (the evaluation prompt) and in the recipe's own mode (its training prompt)
/// into RUN/eval/<mode>/; finally writes RUN/report/ (results table and reward curves). Returns the exit status: 0,
/// or 2 after printing "<program>: error: <file>: <field>: <problem>" for a vsr::Error.
int run_recipe(int argc, char** argv, const std::filesystem::path& default_config, const RecipeHooks& hooks);

}  // namespace vsr::train
