#pragma once
/// @file
/// The "observe" prompt mode (vsGRPO-O): a description of what is seen in <observe> tags, then the answer.

#include "vsr/data/sample.hpp"
#include "vsr/eval/answer_format.hpp"
#include "vsr/prompt/rationale.hpp"
#include "vsr/prompt/stage.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace vsr::prompt {

/// Observe mode: the model describes what helps answer inside <observe></observe>, then answers inside <answer>.
struct Observe {
  static constexpr std::string_view kName = "observe";
  static constexpr bool kHasFormat = true;  ///< outputs have a checkable format, so a format reward applies
  /// Training instruction, vsGRPO section 4.2.
  static constexpr std::string_view kTrain =
      "Please observe carefully and analyze what you see that helps you to solve the question in the video and "
      "enclose it in <observe> </observe> tag, and then provide the short answer with one or two words or a number "
      "in <answer> </answer>.";
  /// Evaluation instruction, vsGRPO section 3 / Table 1.
  static constexpr std::string_view kEval =
      "Please observe the video first and then answer the question using a single word or phrase.";

  /// The text appended to the question.
  std::string instruction(const data::Sample&, Stage stage = Stage::Train) const {
    return std::string(stage == Stage::Train ? kTrain : kEval);
  }
  /// `answer` in this mode's output format, the supervised target of `[sft] target = formatted`:
  /// `<observe>I see ...</observe>\n<answer>answer</answer>` (prompt::rationale; a record's meta.rationale wins).
  std::string formatted(const data::Sample& s, std::string_view answer) const {
    return tagged_output("observe", rationale(s, "I see "), answer);
  }
  /// The trimmed content of the first <answer></answer>, or nullopt.
  std::optional<std::string> extract_answer(std::string_view output) const {
    const auto a = eval::tag_content(output, "answer");
    return a ? std::optional<std::string>(eval::trim(*a)) : std::nullopt;
  }
  /// Whether the whole output is `<observe>...</observe>\s*<answer>...</answer>`.
  bool format_ok(std::string_view output) const { return eval::tagged_format_ok(output, "observe"); }
};

}  // namespace vsr::prompt
