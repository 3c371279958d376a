#pragma once
/// @file
/// A reward made of several rewards, composed at compile time: `Sum<Format, Accuracy>`. Each component is kept
/// for logging; the total is their weighted sum with run-time weights (default 1 each).

#include "vsr/concepts.hpp"

#include <array>
#include <string_view>

namespace vsr::reward {

/// The (weighted) sum of rewards Rs...; `components` returns each one's value in order for logging.
template <Reward... Rs>
struct Sum {
  static_assert(sizeof...(Rs) > 0, "vsr::reward::Sum needs at least one reward");
  static constexpr std::string_view kName = "sum";
  static constexpr std::size_t kCount = sizeof...(Rs);
  /// The component names, in order ("format", "accuracy").
  static constexpr std::array<std::string_view, kCount> kNames{Rs::kName...};

  std::array<double, kCount> weights = [] {
    std::array<double, kCount> w{};
    w.fill(1.0);
    return w;
  }();  ///< run-time weight of each component

  /// Each component's reward, unweighted.
  std::array<double, kCount> components(const data::Sample& s, const Completion& c) const {
    return {Rs{}(s, c)...};
  }
  /// The weighted total.
  double operator()(const data::Sample& s, const Completion& c) const {
    const auto parts = components(s, c);
    double total = 0.0;
    for (std::size_t i = 0; i < kCount; ++i) total += weights[i] * parts[i];
    return total;
  }
};

/// True for Sum<...> types (used to check that a recipe's format rewards fit its prompt mode).
template <class T>
inline constexpr bool kIsSum = false;
template <class... Rs>
inline constexpr bool kIsSum<Sum<Rs...>> = true;

/// Whether every component of reward R (a Sum or a single reward) fits prompt mode P.
template <class R, class P>
inline constexpr bool kFitsMode = RewardFitsMode<R, P>;
template <class... Rs, class P>
inline constexpr bool kFitsMode<Sum<Rs...>, P> = (RewardFitsMode<Rs, P> && ...);

}  // namespace vsr::reward
