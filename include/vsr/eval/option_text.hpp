#pragma once
/// @file
/// vsr's opt-in option-text matching (`eval.option_text`): a model trained on VSI-100k's option-free choice
/// questions answers with the option's text ("turn right", vsGRPO's Figure 3) where VSI-Bench expects its letter, and
/// the official scorer gives 0. With matching on, an answer the scorer cannot read whose text equals one option's
/// text after normalisation counts as that option's letter. It is reported beside the official score, never in its
/// place.

#include "vsr/data/sample.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace vsr::eval {

/// The text used for matching: lower case, hyphens and runs of white space as one space, trimmed, trailing '.', ','
/// and surrounding quotes removed, a leading "the " removed ("The Front-Left." -> "front left").
std::string normalise_option_text(std::string_view text);

/// The letter of the option of `sample` (options "A. text") whose normalised text equals the normalised `answer`;
/// none when the sample has no options or no single option matches.
std::optional<std::string> option_letter_for_text(const data::Sample& sample, std::string_view answer);

/// The prediction scored under option-text matching: option_letter_for_text's letter when VSI-Bench's scorer cannot
/// read `prediction` as a letter (benchmark_readable is false) and an option's text matches, else `prediction`.
std::string option_text_prediction(const data::Sample& sample, const std::string& prediction);

}  // namespace vsr::eval
