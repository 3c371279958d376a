#include "vsr/eval/answer_format.hpp"

#include "vsr/eval/python_str.hpp"

#include <utf8proc.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>

namespace vsr::eval {

namespace {

bool is_ascii_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

}  // namespace

std::optional<std::string_view> tag_content(std::string_view output, std::string_view tag) {
  const std::string open = "<" + std::string(tag) + ">", close = "</" + std::string(tag) + ">";
  const auto begin = output.find(open);
  if (begin == std::string_view::npos) return std::nullopt;
  const auto content = begin + open.size();
  const auto end = output.find(close, content);
  if (end == std::string_view::npos) return std::nullopt;
  return output.substr(content, end - content);
}

bool tagged_format_ok(std::string_view s, std::string_view reasoning_tag) {
  const std::string open = "<" + std::string(reasoning_tag) + ">", close = "</" + std::string(reasoning_tag) + ">";
  constexpr std::string_view kAnswerOpen = "<answer>", kAnswerClose = "</answer>";
  if (!s.starts_with(open) || !s.ends_with(kAnswerClose)) return false;
  const std::size_t answer_close = s.size() - kAnswerClose.size();
  // The lazy groups may contain anything, so the pattern holds iff some `</R>` after the opening tag is followed by
  // optional white space and `<answer>` that opens before the final `</answer>`.
  for (std::size_t p = s.find(close, open.size()); p != std::string_view::npos; p = s.find(close, p + 1)) {
    std::size_t q = p + close.size();
    while (q < s.size() && is_ascii_space(s[q])) ++q;
    if (s.substr(q).starts_with(kAnswerOpen) && q + kAnswerOpen.size() <= answer_close) return true;
  }
  return false;
}

std::string trim(std::string_view text) { return python_strip(text); }

std::string case_fold(std::string_view text) {
  utf8proc_uint8_t* out = nullptr;
  const auto n = utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(text.data()),
                              static_cast<utf8proc_ssize_t>(text.size()), &out,
                              static_cast<utf8proc_option_t>(UTF8PROC_CASEFOLD | UTF8PROC_STABLE));
  if (n < 0) return std::string(text);
  std::string folded(reinterpret_cast<char*>(out), static_cast<std::size_t>(n));
  std::free(out);
  return folded;
}

std::optional<double> first_number(std::string_view text) {
  auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
  const auto first = std::find_if(text.begin(), text.end(), is_digit);
  if (first == text.end()) return std::nullopt;
  std::size_t begin = static_cast<std::size_t>(first - text.begin());
  std::size_t end = begin;
  while (end < text.size() && is_digit(text[end])) ++end;
  if (end + 1 < text.size() && text[end] == '.' && is_digit(text[end + 1])) {
    ++end;
    while (end < text.size() && is_digit(text[end])) ++end;
  }
  if (begin > 0 && (text[begin - 1] == '-' || text[begin - 1] == '+')) --begin;
  return std::strtod(std::string(text.substr(begin, end - begin)).c_str(), nullptr);
}

double relative_accuracy(double p, double g) {
  if (!(p > 0) || !(g > 0)) return 0.0;
  return std::max(0.0, 1.0 - std::abs(p - g) / std::min(p, g));
}

double numeric_accuracy(std::string_view answer, std::string_view ground_truth) {
  const auto p = first_number(answer);
  const auto g = first_number(ground_truth);
  return p && g ? relative_accuracy(*p, *g) : 0.0;
}

double choice_accuracy(std::string_view answer, std::string_view ground_truth) {
  return case_fold(trim(answer)) == case_fold(trim(ground_truth)) ? 1.0 : 0.0;
}

}  // namespace vsr::eval
