#pragma once
/// @file
/// The accuracy reward of vsGRPO (section 4.2): exact match for choice answers, the paper's relative-error rule for
/// numeric answers.

#include "vsr/data/sample.hpp"
#include "vsr/eval/answer_format.hpp"
#include "vsr/reward/completion.hpp"

#include <string_view>

namespace vsr::reward {

/// Choice answers: 1 if the extracted answer equals the ground truth after trimming and case folding. Numeric
/// answers: max(0, 1 - |p - g| / min(p, g)) for the first number p of the answer and ground truth g, both positive.
/// 0 when the mode extracted no answer.
struct Accuracy {
  static constexpr std::string_view kName = "accuracy";
  /// The reward of one completion.
  double operator()(const data::Sample& s, const Completion& c) const {
    if (!c.answer) return 0.0;
    return data::answer_kind(s.question_type) == data::AnswerKind::Numeric
               ? eval::numeric_accuracy(*c.answer, s.ground_truth)
               : eval::choice_accuracy(*c.answer, s.ground_truth);
  }
};

}  // namespace vsr::reward
