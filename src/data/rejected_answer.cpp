// DPO rejected answers: another option / entity for choice questions, a number with zero accuracy reward otherwise.
#include "vsr/data/rejected_answer.hpp"

#include "qa_internal.hpp"
#include "vsr/core/error.hpp"
#include "vsr/eval/answer_format.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <string_view>
#include <vector>

namespace vsr::data {

namespace {

// Digits after the decimal point of the first number in `text` ("1.50" -> 2, "3" -> 0).
int decimals_of(std::string_view text) {
  const auto digit = text.find_first_of("0123456789");
  if (digit == std::string_view::npos) return 0;
  std::size_t i = digit;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
  if (i + 1 < text.size() && text[i] == '.' && std::isdigit(static_cast<unsigned char>(text[i + 1]))) {
    std::size_t j = i + 1;
    while (j < text.size() && std::isdigit(static_cast<unsigned char>(text[j]))) ++j;
    return static_cast<int>(std::min<std::size_t>(j - i - 1, 6));
  }
  return 0;
}

std::string numeric_rejected(const Sample& s, qa::Rng& rng) {
  const auto g = eval::first_number(s.ground_truth);
  if (!g || !(*g > 0.0) || !std::isfinite(*g))
    fail("sample " + quote(s.id), "ground_truth", "expected a positive number, found " + quote(s.ground_truth));
  const int d = decimals_of(s.ground_truth);
  const double unit = std::pow(10.0, d);
  const double down = std::floor(*g / 2.0 * unit) / unit;
  const bool use_down = rng.below(2) == 0 && down > 0.0;
  return fmt::format("{:.{}f}", use_down ? down : 2.0 * *g, d);
}

// The letter of an option "A. chair" and its text.
std::pair<std::string, std::string> split_option(const std::string& option) {
  const auto dot = option.find(". ");
  if (dot == std::string::npos || dot == 0) return {"", std::string(eval::trim(option))};
  return {option.substr(0, dot), std::string(eval::trim(std::string_view(option).substr(dot + 2)))};
}

std::string option_rejected(const Sample& s, qa::Rng& rng) {
  const std::string gt(eval::trim(s.ground_truth));
  const std::string gt_folded = eval::case_fold(gt);
  bool gt_is_letter = false;
  for (const auto& o : s.options)
    if (eval::case_fold(split_option(o).first) == gt_folded) gt_is_letter = true;
  std::vector<std::string> candidates;
  for (const auto& o : s.options) {
    const auto [letter, text] = split_option(o);
    const bool is_gt = gt_is_letter ? eval::case_fold(letter) == gt_folded : eval::case_fold(text) == gt_folded;
    if (!is_gt) candidates.push_back(gt_is_letter ? letter : text);
  }
  if (candidates.empty() || candidates.size() == s.options.size())
    fail("sample " + quote(s.id), "options",
         candidates.empty() ? "no option other than the ground truth" : "the ground truth is not one of the options");
  return candidates[rng.below(candidates.size())];
}

std::string entity_rejected(const Sample& s, qa::Rng& rng) {
  std::vector<std::string> pool;
  const std::string& t = s.question_type;
  if (t == "object_rel_direction_easy") {
    pool = {"left", "right"};
  } else if (t == "object_rel_direction_medium") {
    pool = {"left", "right", "back"};
  } else if (t == "object_rel_direction_hard") {
    pool = {"front-left", "front-right", "back-left", "back-right"};
  } else if (auto it = s.meta.find("categories"); it != s.meta.end() && it->is_array()) {
    for (const auto& c : *it)
      if (c.is_string()) pool.push_back(c.get<std::string>());
    if (t == "object_rel_distance" && !pool.empty()) pool.pop_back();  // the target, not a possible answer
  }
  const std::string gt_folded = eval::case_fold(eval::trim(s.ground_truth));
  std::vector<std::string> candidates;
  for (const auto& p : pool)
    if (eval::case_fold(p) != gt_folded && std::find(candidates.begin(), candidates.end(), p) == candidates.end())
      candidates.push_back(p);
  if (candidates.empty())
    fail("sample " + quote(s.id), "meta.categories", "no entity other than the ground truth to reject");
  return candidates[rng.below(candidates.size())];
}

}  // namespace

std::string rejected_answer(const Sample& sample, std::uint64_t seed) {
  qa::Rng rng(seed ^ qa::hash_name(sample.id));
  if (answer_kind(sample) == AnswerKind::Numeric) return numeric_rejected(sample, rng);
  if (!sample.options.empty()) return option_rejected(sample, rng);
  return entity_rejected(sample, rng);
}

}  // namespace vsr::data
