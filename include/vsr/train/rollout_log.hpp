#pragma once
/// @file
/// `rollouts.jsonl` of a GRPO run (`[grpo] log_rollouts_every = N`): every Nth step's sampled completions with their
/// reward components, format flag, length and advantage, for the reward-hacking analysis of vsGRPO section 4.3.3
/// (arXiv 2504.00883). The line format is in docs/training.md.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace vsr::train {

/// One sampled completion, one line of rollouts.jsonl.
struct RolloutRecord {
  std::int64_t step = 0;              ///< the optimizer step the rollout was sampled for (1-based)
  std::string id;                     ///< the question's record id
  std::string question_type;          ///< its VSI-Bench question type
  std::string ground_truth;           ///< its answer
  std::int64_t index = 0;             ///< the completion's place in its group, 0 .. G-1
  std::string completion;             ///< the decoded output
  std::optional<std::string> answer;  ///< the prompt mode's extracted answer (null: none found)
  bool format_ok = false;             ///< the prompt mode's format check
  std::int64_t length = 0;            ///< completion tokens
  std::vector<std::pair<std::string, double>> rewards;  ///< each reward component, unweighted
  double reward = 0.0;                ///< the recipe's total reward, which the advantage is computed from
  double advantage = 0.0;             ///< the completion's group advantage
  std::optional<double> kl_penalty;   ///< kl::InReward: beta * the completion's summed KL, subtracted from `reward`

  /// `{"step", "id", "question_type", "ground_truth", "index", "completion", "answer", "format_ok", "length",
  /// "rewards": {name: value}, "reward", "advantage"[, "kl_penalty"]}` on one line, without the newline.
  std::string to_json_line() const;
};

/// Appends `records` to `path` as JSON lines in one write and flushes (creating the file). vsr::Error naming the
/// file when it cannot be written.
void append_rollouts(const std::filesystem::path& path, std::span<const RolloutRecord> records);

/// Before a run (fresh or resumed after step `last_step`) appends to `path`: keeps the complete lines of steps up to
/// `last_step` and drops the rest (a killed run's later steps, a torn last line), rewriting the file atomically when
/// anything is dropped. Nothing happens when the file does not exist; vsr::Error naming the file and line for a line
/// that is not a rollout record and is not the last one.
void trim_rollouts_after(const std::filesystem::path& path, std::int64_t last_step);

}  // namespace vsr::train
