#pragma once
/// @file
/// How the accuracy rewards read an answer: `[reward] answer_rule`, VSI-Bench's reading by default (the official
/// scorer's fuzzy_matching + float, "Thinking in Space", Yang et al. 2024), so that training pays nothing for output
/// whose answer the benchmark cannot read (and scores 0); `lenient` keeps the first-number-anywhere reading.

#include "vsr/core/config.hpp"
#include "vsr/eval/vsi_eval.hpp"

#include <string>
#include <string_view>

namespace vsr::reward {

/// Section [reward], key `answer_rule`: benchmark (default) | lenient (eval::AnswerRule). Shared by reward::Accuracy
/// and reward::Mra (one key however many of them a Sum holds).
struct AnswerOptions {
  static constexpr std::string_view kSection = "reward";
  std::string answer_rule = "benchmark";  ///< benchmark | lenient
  /// Declares `answer_rule` in [reward].
  void describe(OptionSet& set) {
    set.add("answer_rule", answer_rule,
            "how accuracy rewards read answers: benchmark (VSI-Bench's first word as a number / option letter) | "
            "lenient (the first number anywhere)");
  }
  /// The parsed rule (vsr::Error naming reward.answer_rule on a bad value).
  eval::AnswerRule rule() const { return eval::parse_answer_rule(answer_rule); }
  /// Checks the value when the recipe applies its options (before any model work).
  void validate() const { (void)rule(); }
};

}  // namespace vsr::reward
