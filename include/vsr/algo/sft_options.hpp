#pragma once
/// @file
/// Section [sft] of the SFT policy (vsGRPO's supervised baseline): how the loss averages and what the target is.

#include "vsr/core/config.hpp"
#include "vsr/core/error.hpp"

#include <string>
#include <string_view>

namespace vsr::algo {

/// Section [sft].
struct SftOptions {
  static constexpr std::string_view kSection = "sft";
  bool per_sequence = false;  ///< average each answer's tokens first (default: mean over all answer tokens)
  std::string target = "answer";  ///< answer: the ground truth alone (the paper's SFT); formatted: the ground truth in
                                  ///< the prompt mode's output format (PromptMode::formatted, e.g. <think>..</think>
                                  ///< <answer>..</answer>), a format cold start for tagged modes

  /// Declares the keys of [sft].
  void describe(OptionSet& set) {
    set.add("per_sequence", per_sequence, "mean per answer, then over answers (default: over all answer tokens)");
    set.add("target", target, "answer (the ground truth alone) | formatted (in the prompt mode's output format)");
  }
  /// vsr::Error (field sft.target) unless target is answer or formatted.
  void validate() const {
    if (target != "answer" && target != "formatted")
      fail("[sft]", "sft.target", "expected answer or formatted, found " + quote(target));
  }
};

}  // namespace vsr::algo
