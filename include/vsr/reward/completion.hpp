#pragma once
/// @file
/// A model output as the rewards see it: read once by the prompt mode, then scored by every reward.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vsr::reward {

/// One completion: its text, the answer the prompt mode extracted from it, whether the mode's format holds, and
/// (filled by the GRPO step for length-aware rewards such as reward::OverlongPenalty) its length and budget.
struct Completion {
  std::string_view text;              ///< the decoded output
  std::optional<std::string> answer;  ///< the extracted answer (nullopt: the mode found none)
  bool format_ok = false;             ///< the prompt mode's format check
  std::int64_t tokens = 0;            ///< generated tokens (stop token included when sampled); 0 when unknown
  std::int64_t max_tokens = 0;        ///< the generation budget (sampling.max_new_tokens); 0 when unknown
  bool truncated = false;             ///< ended without a stop token: the budget ran out
};

/// Reads `text` with prompt mode `mode` (a vsr::PromptMode).
template <class Mode>
Completion read_completion(const Mode& mode, std::string_view text) {
  return Completion{text, mode.extract_answer(text), mode.format_ok(text)};
}

}  // namespace vsr::reward
