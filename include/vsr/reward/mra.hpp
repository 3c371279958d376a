#pragma once
/// @file
/// An alternative accuracy reward: VSI-Bench's Mean Relative Accuracy (Yang et al. 2024, "Thinking in Space") for
/// numeric answers, as some R1-style video-reasoning works use instead of vsGRPO's relative-error rule.

#include "vsr/data/sample.hpp"
#include "vsr/eval/answer_format.hpp"
#include "vsr/eval/vsibench.hpp"
#include "vsr/reward/completion.hpp"

#include <cmath>
#include <string_view>

namespace vsr::reward {

/// Numeric answers: the fraction of the ten thresholds .50:.05:.95 (VSI-Bench's, numpy-exact) within which the
/// first number of the answer lies, relative to the ground truth; 0 when unparseable or the truth is 0. Choice
/// answers: exact match after trimming and case folding, as Accuracy.
struct Mra {
  static constexpr std::string_view kName = "mra";
  /// The reward of one completion.
  double operator()(const data::Sample& s, const Completion& c) const {
    if (!c.answer) return 0.0;
    if (data::answer_kind(s.question_type) != data::AnswerKind::Numeric)
      return eval::choice_accuracy(*c.answer, s.ground_truth);
    const auto pred = eval::first_number(*c.answer), truth = eval::first_number(s.ground_truth);
    if (!pred || !truth || *truth == 0.0 || !std::isfinite(*pred)) return 0.0;
    return eval::mean_relative_accuracy(*pred, *truth);
  }
};

}  // namespace vsr::reward
