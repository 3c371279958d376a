#pragma once
/// @file
/// Parsing of model outputs for the paper's prompt modes and rewards (vsGRPO, arXiv 2504.00883, sections 4.2-4.3):
/// tag extraction, the think/observe format check, the first number of an answer, and the accuracy rules. Which text
/// of an answer the rewards read by default is VSI-Bench's (eval::AnswerRule in vsi_eval.hpp); first_number and
/// numeric_accuracy are the lenient alternative.

#include <optional>
#include <string>
#include <string_view>

namespace vsr::eval {

/// The text between the first `<tag>` and the first `</tag>` after it (Python `re.search(r"<tag>(.*?)</tag>", s,
/// re.DOTALL)`), or nullopt when there is no such pair.
std::optional<std::string_view> tag_content(std::string_view output, std::string_view tag);

/// Whether the whole output matches `<R>.*?</R>\s*<answer>.*?</answer>` with `.` matching newlines, where R is
/// `reasoning_tag` ("think" or "observe"): the format rule of R1-V / vsGRPO's format reward. `\s` is ASCII whitespace.
bool tagged_format_ok(std::string_view output, std::string_view reasoning_tag);

/// Trims white space at both ends as Python's `str.strip()` does (Unicode white space included).
std::string trim(std::string_view text);

/// Unicode case folding (utf8proc) of UTF-8 text; invalid UTF-8 is returned unchanged.
std::string case_fold(std::string_view text);

/// The first decimal number in the text ("about 3.5 m" -> 3.5, "-2" -> -2; a sign counts only when it directly
/// precedes the digits; "1,200" -> 1), or nullopt when there is none.
std::optional<double> first_number(std::string_view text);

/// The paper's relative-error accuracy (vsGRPO section 4.2) of a number p against the ground truth g:
/// max(0, 1 - |p - g| / min(p, g)) when both are positive, else 0 (also 0 for NaN).
double relative_accuracy(double p, double g);

/// The paper's numeric accuracy rule read leniently (AnswerRule::kLenient): relative_accuracy of the first number
/// anywhere in `answer` ("2labelslabels" -> 2, "about 3 m" -> 3) against the first number of the ground truth; 0
/// when either has none. VSI-Bench scores such answers 0; eval::accuracy_reward reads them as it does by default.
double numeric_accuracy(std::string_view answer, std::string_view ground_truth);

/// The paper's choice accuracy reward: 1 if the whole answer equals the ground truth after trimming and case folding
/// (vsr's score of choice questions without options, whose ground truth is an entity such as "dining table").
double choice_accuracy(std::string_view answer, std::string_view ground_truth);

}  // namespace vsr::eval
