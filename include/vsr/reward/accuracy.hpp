#pragma once
/// @file
/// The accuracy reward of vsGRPO (section 4.2): exact match for choice answers, the paper's relative-error rule for
/// numeric answers, with the answer read as VSI-Bench reads it by default (`[reward] answer_rule`).

#include "vsr/data/sample.hpp"
#include "vsr/eval/vsi_eval.hpp"
#include "vsr/reward/answer_options.hpp"
#include "vsr/reward/completion.hpp"

#include <string_view>

namespace vsr::reward {

/// eval::accuracy_reward of the extracted answer; 0 when the mode extracted none. With the default
/// `answer_rule = benchmark`: numeric answers score max(0, 1 - |p - g| / min(p, g)) where p is VSI-Bench's number of
/// the answer (its first space-separated word, trailing dots off, as a Python float; "2labelslabels" and "about 3 m"
/// have none and score 0), g the ground truth, both positive; option letters match as VSI-Bench's exact match of that
/// word ("B. sofa" for "B" scores 1); entity answers (choice questions without options) must equal the ground truth
/// after trimming and case folding. With `answer_rule = lenient`: p is the first number anywhere in the answer and
/// every choice answer is matched whole (vsr's reward before the benchmark rule became the default).
struct Accuracy {
  static constexpr std::string_view kName = "accuracy";
  AnswerOptions options;  ///< [reward] answer_rule
  /// The reward of one completion.
  double operator()(const data::Sample& s, const Completion& c) const {
    return c.answer ? eval::accuracy_reward(s, *c.answer, options.rule()) : 0.0;
  }
};

}  // namespace vsr::reward
