// Option-text matching: an answer equal to an option's text counts as its letter (opt-in, reported apart).
#include "vsr/eval/option_text.hpp"

#include "vsr/eval/vsi_eval.hpp"

#include <cctype>

namespace vsr::eval {

std::string normalise_option_text(std::string_view text) {
  std::string out;
  bool space = false;
  for (unsigned char c : text) {
    if (std::isspace(c) || c == '-' || c == '_') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += static_cast<char>(std::tolower(c));
  }
  auto strip = [&](std::string_view chars) {
    while (!out.empty() && chars.find(out.back()) != std::string_view::npos) out.pop_back();
    while (!out.empty() && chars.find(out.front()) != std::string_view::npos) out.erase(out.begin());
  };
  strip(".,\"' ");
  if (out.rfind("the ", 0) == 0) out.erase(0, 4);
  return out;
}

std::optional<std::string> option_letter_for_text(const data::Sample& sample, std::string_view answer) {
  const std::string wanted = normalise_option_text(answer);
  if (wanted.empty()) return std::nullopt;
  std::optional<std::string> found;
  for (const auto& option : sample.options) {
    // "A. text": the letter before the first '.', the text after it.
    const auto dot = option.find('.');
    if (dot == std::string::npos || dot == 0) continue;
    if (normalise_option_text(std::string_view(option).substr(dot + 1)) != wanted) continue;
    if (found) return std::nullopt;  // two options with the same text: no single match
    found = option.substr(0, dot);
  }
  return found;
}

std::string option_text_prediction(const data::Sample& sample, const std::string& prediction) {
  if (sample.options.empty() || benchmark_readable(sample, prediction)) return prediction;
  return option_letter_for_text(sample, prediction).value_or(prediction);
}

}  // namespace vsr::eval
