#pragma once
/// @file
/// The length reward of vsGRPO's reward-hacking ablation (section 4.3.3): a bonus for longer reasoning, capped, so
/// that the policy is not pushed towards empty reasoning. Meant for the think / observe modes.

#include "vsr/core/config.hpp"
#include "vsr/data/sample.hpp"
#include "vsr/reward/completion.hpp"

#include <algorithm>
#include <string_view>

namespace vsr::reward {

/// Section [length]: the word count at which the bonus saturates.
struct LengthOptions {
  static constexpr std::string_view kSection = "length";
  double target_words = 100.0;  ///< reasoning words for the full bonus of 1
  double target_characters = 600.0;  ///< reward::RawLength: characters of the whole completion for the full bonus
  /// Declares the keys of [length].
  void describe(OptionSet& set) {
    set.add("target_words", target_words, "words of reasoning that earn the full length bonus of 1");
    set.add("target_characters", target_characters, "raw_length: characters of the whole output for the full bonus");
  }
};

/// Number of white-space separated words of `text` outside <...> tags.
inline std::size_t reasoning_words(std::string_view text) {
  std::size_t words = 0;
  bool in_tag = false, in_word = false;
  for (char ch : text) {
    if (ch == '<') in_tag = true;
    const bool space = ch == ' ' || ch == '\n' || ch == '\t' || ch == '\r';
    const bool counts = !in_tag && !space;
    if (counts && !in_word) ++words;
    in_word = counts;
    if (ch == '>') in_tag = false;
  }
  return words;
}

/// min(1, words of reasoning / target_words), where the reasoning is the output before its first <answer> tag; 0
/// when the mode's format does not hold (a bonus for long malformed outputs would itself be hacked).
struct Length {
  static constexpr std::string_view kName = "length";
  static constexpr bool kNeedsFormat = true;  ///< reasoning exists only in think / observe modes
  LengthOptions options;                      ///< [length]
  /// The reward of one completion.
  double operator()(const data::Sample&, const Completion& c) const {
    if (!c.format_ok || options.target_words <= 0.0) return 0.0;
    const std::string_view text = c.text;
    const auto cut = text.find("<answer>");
    const auto words = reasoning_words(text.substr(0, cut == std::string_view::npos ? text.size() : cut));
    return std::min(1.0, static_cast<double>(words) / options.target_words);
  }
};

/// The raw variant: min(1, characters of the whole completion / target_characters), tags and answer included, with
/// no format condition. Section 4.3.3 reports rollouts that "merely added extra <think></think> and <answer></answer>
/// tags to exploit the length reward": a reward that counts tags, as this one does, pays for that hack, so it can be
/// observed (reward::Length counts only words outside tags before <answer> and cannot be hacked that way).
struct RawLength {
  static constexpr std::string_view kName = "raw_length";
  LengthOptions options;  ///< [length]
  /// The reward of one completion.
  double operator()(const data::Sample&, const Completion& c) const {
    if (options.target_characters <= 0.0) return 0.0;
    return std::min(1.0, static_cast<double>(c.text.size()) / options.target_characters);
  }
};

}  // namespace vsr::reward
