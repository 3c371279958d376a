#pragma once
/// @file
/// DAPO's soft overlong punishment (Yu et al. 2025, arXiv 2503.14476, eq. 13): completions that run into the last
/// `buffer` tokens of the generation budget L_max lose reward linearly, down to -1 at the budget.

#include "vsr/core/config.hpp"
#include "vsr/core/error.hpp"
#include "vsr/data/sample.hpp"
#include "vsr/reward/completion.hpp"

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>

namespace vsr::reward {

/// Section [overlong]: the length of the penalty zone.
struct OverlongOptions {
  static constexpr std::string_view kSection = "overlong";
  std::int64_t buffer_tokens = 0;  ///< L_cache; 0 = a fifth of the budget (DAPO: 4,096 of 20,480)
  /// Declares the keys of [overlong].
  void describe(OptionSet& set) {
    set.add("buffer_tokens", buffer_tokens,
            "DAPO L_cache: the last N tokens of sampling.max_new_tokens are penalised linearly (0 = a fifth of it)");
  }
  /// vsr::Error naming overlong.buffer_tokens when it is negative.
  void validate() const {
    if (buffer_tokens < 0)
      fail("[overlong]", "overlong.buffer_tokens", "expected 0 (a fifth of the budget) or a token count >= 1, got " +
                                                       std::to_string(buffer_tokens));
  }
};

/// 0 for |y| <= L_max - L_cache, ((L_max - L_cache) - |y|) / L_cache up to L_max, -1 beyond, with |y| the
/// completion's tokens and L_max its budget (reward::Completion::tokens, max_tokens); 0 when the length is unknown.
struct OverlongPenalty {
  static constexpr std::string_view kName = "overlong";
  OverlongOptions options;  ///< [overlong]
  /// The reward of one completion.
  double operator()(const data::Sample&, const Completion& c) const {
    if (c.max_tokens <= 0) return 0.0;
    const std::int64_t buffer =
        std::clamp<std::int64_t>(options.buffer_tokens > 0 ? options.buffer_tokens : c.max_tokens / 5, 1, c.max_tokens);
    const std::int64_t free = c.max_tokens - buffer;
    if (c.tokens <= free) return 0.0;
    if (c.tokens > c.max_tokens) return -1.0;
    return static_cast<double>(free - c.tokens) / static_cast<double>(buffer);
  }
};

}  // namespace vsr::reward
