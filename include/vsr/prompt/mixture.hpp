#pragma once
/// @file
/// A prompt mode that gives each sample one of several modes, so one SFT run teaches a base every mode's format
/// (the quickstart's medium-scale warm-up before the vsGRPO-T / -O / -V ablations of vsGRPO Table 2).

#include "vsr/concepts.hpp"
#include "vsr/data/sample.hpp"
#include "vsr/prompt/stage.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>

namespace vsr::prompt {

/// Sample `s` is asked in mode number FNV-1a(s.id) mod sizeof...(Modes): deterministic, the same in every run and on
/// every rank. Answers are read by the first mode whose format the output has, else by the last mode (put
/// prompt::Vanilla last). It has no single format, so format rewards do not combine with it.
template <PromptMode... Modes>
  requires(sizeof...(Modes) > 0)
struct Mixture {
  static constexpr std::string_view kName = "mixture";
  static constexpr bool kHasFormat = false;  ///< no one format: a format reward cannot be combined with it
  std::tuple<Modes...> modes;                ///< the modes mixed

  /// The index of the mode sample `s` is asked in.
  static std::size_t mode_of(const data::Sample& s) {
    std::uint64_t h = 14695981039346656037ull;  // FNV-1a, 64 bits
    for (const unsigned char c : s.id) h = (h ^ c) * 1099511628211ull;
    return static_cast<std::size_t>(h % sizeof...(Modes));
  }
  /// The instruction of the sample's mode.
  std::string instruction(const data::Sample& s, Stage stage = Stage::Train) const {
    return visit(mode_of(s), [&](const auto& m) { return std::string(m.instruction(s, stage)); });
  }
  /// `answer` in the sample's mode's format.
  std::string formatted(const data::Sample& s, std::string_view answer) const {
    return visit(mode_of(s), [&](const auto& m) { return std::string(m.formatted(s, answer)); });
  }
  /// The answer as read by the first mode whose format `output` has, else by the last mode.
  std::optional<std::string> extract_answer(std::string_view output) const {
    for (std::size_t i = 0; i + 1 < sizeof...(Modes); ++i)
      if (visit(i, [&](const auto& m) { return static_cast<bool>(m.format_ok(output)); }))
        return visit(i, [&](const auto& m) { return std::optional<std::string>(m.extract_answer(output)); });
    return visit(sizeof...(Modes) - 1,
                 [&](const auto& m) { return std::optional<std::string>(m.extract_answer(output)); });
  }
  /// Whether some mode's format holds.
  bool format_ok(std::string_view output) const {
    return std::apply([&](const auto&... m) { return (static_cast<bool>(m.format_ok(output)) || ...); }, modes);
  }

 private:
  template <class F>
  auto visit(std::size_t index, F&& f) const {
    return visit_at<0>(index, f);
  }
  template <std::size_t I, class F>
  auto visit_at(std::size_t index, F& f) const {
    if constexpr (I + 1 == sizeof...(Modes)) {
      return f(std::get<I>(modes));
    } else {
      return index == I ? f(std::get<I>(modes)) : visit_at<I + 1>(index, f);
    }
  }
};

}  // namespace vsr::prompt
