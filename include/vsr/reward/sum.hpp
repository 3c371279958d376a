#pragma once
/// @file
/// A reward made of several rewards, composed at compile time: `Sum<Format, Accuracy>`. Each component is kept
/// for logging; the total is their weighted sum with run-time weights ([reward] <name>_weight, default 1 each).

#include "vsr/concepts.hpp"
#include "vsr/core/config.hpp"

#include <array>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>

namespace vsr::reward {

/// Section [reward]: one weight per component of a Sum (`format_weight`, `accuracy_weight`, ...).
template <std::size_t N>
struct SumWeights {
  static constexpr std::string_view kSection = "reward";
  std::array<std::string_view, N> names{};  ///< the components' names
  std::array<double, N> values = [] {
    std::array<double, N> w{};
    w.fill(1.0);
    return w;
  }();  ///< the weights
  /// Declares `<name>_weight` for each component.
  void describe(OptionSet& set) {
    for (std::size_t i = 0; i < N; ++i)
      set.add(std::string(names[i]) + "_weight", values[i], "weight of the " + std::string(names[i]) + " reward");
  }
};

/// The (weighted) sum of rewards Rs...; `components` returns each one's value in order for logging. Components are
/// held as instances, so one with run-time options (Length's `options`) is configured through `parts`.
template <Reward... Rs>
struct Sum {
  static_assert(sizeof...(Rs) > 0, "vsr::reward::Sum needs at least one reward");
  static constexpr std::string_view kName = "sum";
  static constexpr std::size_t kCount = sizeof...(Rs);
  /// The component names, in order ("format", "accuracy").
  static constexpr std::array<std::string_view, kCount> kNames{Rs::kName...};

  std::tuple<Rs...> parts;  ///< the component rewards
  std::array<double, kCount> weights = [] {
    std::array<double, kCount> w{};
    w.fill(1.0);
    return w;
  }();  ///< run-time weight of each component

  /// Each component's reward, unweighted.
  std::array<double, kCount> components(const data::Sample& s, const Completion& c) const {
    return std::apply([&](const Rs&... r) { return std::array<double, kCount>{r(s, c)...}; }, parts);
  }
  /// The weighted total.
  double operator()(const data::Sample& s, const Completion& c) const {
    const auto values = components(s, c);
    double total = 0.0;
    for (std::size_t i = 0; i < kCount; ++i) total += weights[i] * values[i];
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
