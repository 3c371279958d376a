#pragma once
/// @file
/// The format reward of R1-Zero-like training (DeepSeek-R1; vsGRPO section 4.2): 1 when the output follows the
/// prompt mode's tag format, else 0. Meaningless in vanilla mode, which has no format (a compile-time error there).

#include "vsr/data/sample.hpp"
#include "vsr/reward/completion.hpp"

#include <string_view>

namespace vsr::reward {

/// 1 if the prompt mode's format check held for the completion, else 0.
struct Format {
  static constexpr std::string_view kName = "format";
  static constexpr bool kNeedsFormat = true;  ///< only with think / observe modes
  /// The reward of one completion.
  double operator()(const data::Sample&, const Completion& c) const { return c.format_ok ? 1.0 : 0.0; }
};

}  // namespace vsr::reward
