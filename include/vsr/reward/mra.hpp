#pragma once
/// @file
/// An alternative accuracy reward: VSI-Bench's Mean Relative Accuracy (Yang et al. 2024, "Thinking in Space") for
/// numeric answers, as some R1-style video-reasoning works use instead of vsGRPO's relative-error rule.

#include "vsr/data/sample.hpp"
#include "vsr/eval/vsi_eval.hpp"
#include "vsr/reward/answer_options.hpp"
#include "vsr/reward/completion.hpp"

#include <string_view>

namespace vsr::reward {

/// eval::mra_reward of the extracted answer; 0 when the mode extracted none. With the default `answer_rule =
/// benchmark`: exactly the score VSI-Bench's scorer gives (eval::score_sample; numeric answers: the fraction of the
/// ten thresholds .50:.05:.95, numpy-exact, within which the answer's first word as a Python float lies, relative to
/// the ground truth, 0 when unparseable or the truth is 0; choice answers as Accuracy). With `answer_rule = lenient`:
/// the first number anywhere in the answer, choice answers matched whole.
struct Mra {
  static constexpr std::string_view kName = "mra";
  AnswerOptions options;  ///< [reward] answer_rule
  /// The reward of one completion.
  double operator()(const data::Sample& s, const Completion& c) const {
    return c.answer ? eval::mra_reward(s, *c.answer, options.rule()) : 0.0;
  }
};

}  // namespace vsr::reward
