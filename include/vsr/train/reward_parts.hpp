#pragma once
/// @file
/// A recipe's reward seen uniformly: the component names and values of a reward::Sum, or of a single reward.

#include "vsr/concepts.hpp"
#include "vsr/reward/sum.hpp"

#include <string>
#include <vector>

namespace vsr::train {

/// The component names of reward R (Sum: each component; otherwise R's own name).
template <class R>
std::vector<std::string> reward_names() {
  if constexpr (reward::kIsSum<R>) {
    return {R::kNames.begin(), R::kNames.end()};
  } else {
    return {std::string(R::kName)};
  }
}

/// The unweighted component values of reward `r` for one completion.
template <class R>
std::vector<double> reward_components(const R& r, const data::Sample& s, const reward::Completion& c) {
  if constexpr (reward::kIsSum<R>) {
    const auto values = r.components(s, c);
    return {values.begin(), values.end()};
  } else {
    return {r(s, c)};
  }
}

}  // namespace vsr::train
