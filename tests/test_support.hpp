#pragma once
// Helpers shared by the tests: paths to test data and a way to run the `vsr` program and capture its output.

#include <filesystem>
#include <string>

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

}  // namespace vsr::test
