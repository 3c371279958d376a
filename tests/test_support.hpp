#pragma once
// Helpers shared by the tests: paths to test data and a way to run the `vsr` program and capture its output.

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace vsr::test {

/// tests/data in the source tree.
inline std::filesystem::path data_dir() { return VSR_TEST_DATA_DIR; }

/// A fresh empty temporary folder for one test, removed at exit of the test process.
std::filesystem::path temp_dir(const std::string& name);

/// Result of running the `vsr` program.
struct CliResult {
  int exit_code;
  std::string out;  ///< stdout
  std::string err;  ///< stderr
};

/// Runs `vsr <args>` (a shell-quoted argument string), optionally feeding `stdin_text`. A positive
/// `address_space_kb` runs it under `ulimit -v` (virtual memory cap in KiB), so a huge allocation fails.
CliResult run_cli(const std::string& args, const std::string& stdin_text = {}, long address_space_kb = 0);

/// Runs the program `path` with `args` (a shell-quoted string); with `kill_after_s` > 0 it is killed with SIGKILL
/// after that many seconds (exit code 137 then).
CliResult run_program(const std::filesystem::path& path, const std::string& args, double kill_after_s = 0);

/// Runs `command` with /bin/sh -c (stdout and stderr captured), e.g. a program under `ulimit -f`.
CliResult run_shell(const std::string& command);

/// The experiment program `name` (build/experiments/<name>).
inline std::filesystem::path experiment(const std::string& name) {
  return std::filesystem::path(VSR_EXPERIMENTS_DIR) / name;
}

/// A toy base that answers the counting questions of its own training scenes right part of the time, so that GRPO's
/// groups have rewards that differ (R1-Zero-style RL needs a base with non-zero rewards): 4 synthetic scenes'
/// counting questions (`questions`), a random tiny Qwen2-VL with its final norm scaled by 100 warmed up by 50 SFT
/// steps at lr 2e-3 and merged (`model`; tokenizer: data_dir() / "qwen2vl-tiny" / "tokenizer"). Built once per test
/// process (about 8 s); `sft_run` is the warm-up's run folder.
struct WarmedBase {
  std::filesystem::path model;      ///< the merged base (float32)
  std::filesystem::path questions;  ///< counting questions, JSON lines
  std::filesystem::path sft_run;    ///< the warm-up's run folder (metrics.csv)
};
const WarmedBase& warmed_counting_base();

/// Two small synthetic scenes (seed 11, 112 x 84 walkthroughs) and their questions, built once per test process:
/// `train` every training task (JSON lines), `eval` one lettered question per task and scene.
struct SyntheticQuestions {
  std::filesystem::path train;   ///< training questions
  std::filesystem::path eval;    ///< evaluation questions in VSI-Bench form
  std::filesystem::path scenes;  ///< the scene folders (videos in scenes/videos/synthetic)
};
const SyntheticQuestions& synthetic_questions();

/// A run's metrics.csv without the wall-clock and memory columns (`*_s`, `*_tok_per_s`, `rss_*`): what two runs with
/// the same seed, or a resumed and an uninterrupted run, must agree on bit for bit.
std::vector<std::vector<std::pair<std::string, double>>> deterministic_metrics(const std::filesystem::path& run);

/// The arguments of a tiny-model training run on `train` into `out`: configs/tiny_train.ini, the tiny test model and
/// tokenizer (tests/data/qwen2vl-tiny), one thread.
std::string tiny_run_args(const std::filesystem::path& out, const std::filesystem::path& train);

}  // namespace vsr::test
