#pragma once
/// @file
/// The compiled part of vsr::main_stages (vsr/stages.hpp): splits the command line per stage, runs the stages in
/// order with one run folder each, chains their adapters, skips finished stages on --resume, writes RUN/stages.json.

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace vsr::train {

/// One stage as the runner sees it: its name and its main().
struct StageEntry {
  std::string name;                                                         ///< run folder name, override prefix
  std::function<int(int, char**, const std::filesystem::path&)> run_main;  ///< vsr::main<Recipe>
};

/// The command line of stage `index` of `names` from a pipeline's arguments `args` (without the program name):
/// `--out DIR` becomes `--out DIR/<name>`; stages after the first get `--init-adapter DIR/<previous>/adapter` (a
/// user's --init-adapter goes to the first stage only); `--stage.<name>.KEY[=VALUE]` becomes `--KEY[=VALUE]` for
/// that stage (replacing a `--KEY` given to every stage; placed after the shared options) and is dropped for the
/// others. vsr::Error for a missing --out, an override naming no stage, or a stage override of --out / --init-adapter
/// (the runner sets those).
std::vector<std::string> stage_arguments(const std::vector<std::string>& args, const std::vector<std::string>& names,
                                         std::size_t index);

/// Runs `stages` (see vsr/stages.hpp); `default_config` serves every stage without `--stage.NAME.config`. Under a
/// launcher (MASTER_PORT set) stage k rendezvouses on MASTER_PORT + k, so no rank meets the previous stage's store.
int run_stages(int argc, char** argv, const std::filesystem::path& default_config, const std::vector<StageEntry>& stages);

}  // namespace vsr::train
