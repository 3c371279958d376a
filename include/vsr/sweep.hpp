#pragma once
/// @file
/// Sweeps and evaluation-only programs, the two other shapes of a paper experiment:
/// `vsr::sweep_main<Recipe>(argc, argv, config, "kl.beta", {"0", "1e-4"})` trains one run per value (`--sweep
/// 0,1e-4,1e-3` replaces the list) into OUT/<key>=<value>/ and writes OUT/report/ comparing them (Figure 4);
/// `vsr::evaluate_main<Modes...>(argc, argv, config)` evaluates a model under several prompt modes (Table 1).

#include "vsr/eval/evaluator.hpp"
#include "vsr/experiment.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace vsr {

namespace train {
/// Splits `--sweep a,b,c` and `--out DIR` out of the command line; the remaining arguments are kept for each run.
struct SweepPlan {
  std::vector<std::string> values;      ///< the swept values
  std::filesystem::path out;            ///< the parent folder of the runs
  std::vector<std::string> passthrough; ///< every other argument, argv[0] first
};
/// Reads the plan (vsr::Error naming `--out` when it is missing or `--sweep` when its list is empty).
SweepPlan sweep_plan(int argc, char** argv, std::vector<std::string> default_values);
/// Writes OUT/report/ for the runs of a sweep; returns the exit status (0, or 2 with a one-line error).
int sweep_report(const SweepPlan& plan, const std::string& key);
/// The main() of an evaluation-only program: the [runtime], [video], [processor] and [eval] options, `--model`,
/// `--tokenizer`, `--adapter`, `--eval FILE`, `--video-root`, `--out DIR`; evaluates under each policy into
/// OUT/eval/<mode>/, writes OUT/run.json and OUT/report/. Exit status 0, or 2 after a one-line error.
int run_evaluation(int argc, char** argv, const std::filesystem::path& default_config,
                   const std::vector<eval::PromptPolicy>& policies);
}  // namespace train

/// Trains Recipe once per value of option `key` (e.g. "kl.beta") and reports the runs side by side.
template <class Recipe>
int sweep_main(int argc, char** argv, const std::filesystem::path& default_config, const std::string& key,
               std::vector<std::string> default_values) {
  train::SweepPlan plan;
  try {
    plan = train::sweep_plan(argc, argv, std::move(default_values));
  } catch (const Error& e) {
    std::fprintf(stderr, "%s: error: %s\n", argv[0], e.what());
    return 2;
  }
  for (const auto& value : plan.values) {
    std::vector<std::string> args = plan.passthrough;
    args.push_back("--" + key + "=" + value);
    args.push_back("--out=" + (plan.out / (key + "=" + value)).string());
    std::vector<char*> raw;
    for (auto& a : args) raw.push_back(a.data());
    const int status = main<Recipe>(static_cast<int>(raw.size()), raw.data(), default_config);
    if (status != 0) return status;
  }
  return train::sweep_report(plan, key);
}

/// Evaluates a model (optionally with an adapter) under each prompt mode Modes..., with their evaluation prompts.
template <PromptMode... Modes>
int evaluate_main(int argc, char** argv, const std::filesystem::path& default_config) {
  return train::run_evaluation(argc, argv, default_config, {eval::prompt_policy<Modes>(prompt::Stage::Eval)...});
}

}  // namespace vsr
