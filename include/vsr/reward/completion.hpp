#pragma once
/// @file
/// A model output as the rewards see it: read once by the prompt mode, then scored by every reward.

#include <optional>
#include <string>
#include <string_view>

namespace vsr::reward {

/// One completion: its text, the answer the prompt mode extracted from it, and whether the mode's format holds.
struct Completion {
  std::string_view text;              ///< the decoded output
  std::optional<std::string> answer;  ///< the extracted answer (nullopt: the mode found none)
  bool format_ok = false;             ///< the prompt mode's format check
};

/// Reads `text` with prompt mode `mode` (a vsr::PromptMode).
template <class Mode>
Completion read_completion(const Mode& mode, std::string_view text) {
  return Completion{text, mode.extract_answer(text), mode.format_ok(text)};
}

}  // namespace vsr::reward
