#pragma once
/// @file
/// The "think" prompt mode (vsGRPO-T): reasoning in <think> tags, the answer in <answer> tags.

#include "vsr/data/sample.hpp"
#include "vsr/eval/answer_format.hpp"
#include "vsr/prompt/rationale.hpp"
#include "vsr/prompt/stage.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace vsr::prompt {

/// Think mode: the model reasons step by step inside <think></think>, then answers inside <answer></answer>.
struct Think {
  static constexpr std::string_view kName = "think";
  static constexpr bool kHasFormat = true;  ///< outputs have a checkable format, so a format reward applies
  /// Training instruction, vsGRPO section 4.2.
  static constexpr std::string_view kTrain =
      "Please think step by step and enclose your thinking process in <think> </think> tags and then provide the "
      "short answer with one or two words or a number in <answer> </answer>.";
  /// Evaluation instruction, vsGRPO section 3 / Table 1.
  static constexpr std::string_view kEval =
      "Let's think step by step and then answer the question using a single word or phrase.";

  /// The text appended to the question.
  std::string instruction(const data::Sample&, Stage stage = Stage::Train) const {
    return std::string(stage == Stage::Train ? kTrain : kEval);
  }
  /// `answer` in this mode's output format, the supervised target of `[sft] target = formatted`:
  /// `<think>The question is about ...</think>\n<answer>answer</answer>` (prompt::rationale; a record's meta.rationale wins).
  std::string formatted(const data::Sample& s, std::string_view answer) const {
    return tagged_output("think", rationale(s, "The question is about "), answer);
  }
  /// The trimmed content of the first <answer></answer>, or nullopt.
  std::optional<std::string> extract_answer(std::string_view output) const {
    const auto a = eval::tag_content(output, "answer");
    return a ? std::optional<std::string>(eval::trim(*a)) : std::nullopt;
  }
  /// Whether the whole output is `<think>...</think>\s*<answer>...</answer>`.
  bool format_ok(std::string_view output) const { return eval::tagged_format_ok(output, "think"); }
};

}  // namespace vsr::prompt
