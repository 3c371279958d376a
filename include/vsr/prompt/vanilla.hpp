#pragma once
/// @file
/// The "vanilla" prompt mode (vsGRPO-V): a short answer with no tags.

#include "vsr/data/sample.hpp"
#include "vsr/eval/answer_format.hpp"
#include "vsr/prompt/stage.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace vsr::prompt {

/// Vanilla mode: the whole (trimmed) output is the answer; there is no format to check.
struct Vanilla {
  static constexpr std::string_view kName = "vanilla";
  static constexpr bool kHasFormat = false;  ///< no format, so a format reward cannot be combined with this mode
  /// Training instruction, vsGRPO section 4.2.
  static constexpr std::string_view kTrain = "Please provide the short answer with one or two words or a number.";
  /// Evaluation instruction, vsGRPO section 3 / Table 1.
  static constexpr std::string_view kEval = "Please answer the question using a single word or phrase.";

  /// The text appended to the question.
  std::string instruction(const data::Sample&, Stage stage = Stage::Train) const {
    return std::string(stage == Stage::Train ? kTrain : kEval);
  }
  /// `answer` itself: vanilla outputs have no format.
  std::string formatted(const data::Sample&, std::string_view answer) const { return std::string(answer); }
  /// The whole output, trimmed.
  std::optional<std::string> extract_answer(std::string_view output) const { return std::string(eval::trim(output)); }
  /// Always true: vanilla outputs have no format.
  bool format_ok(std::string_view) const { return true; }
};

}  // namespace vsr::prompt
