#pragma once
/// @file
/// Training callbacks in the ensmallen style: a callback implements only the hooks it needs, found with `requires`;
/// `on_step` or `on_eval` returning true stops training. Hooks: `on_begin(Session&)`, `on_step(Session&, const
/// StepStats&)`, `on_eval(Session&, const nlohmann::json& aggregate)`, `on_end(Session&)`. See docs/training.md.

#include "vsr/train/session.hpp"
#include "vsr/train/step_stats.hpp"

#include <nlohmann/json.hpp>

namespace vsr::cb {

/// Calls `c.on_begin(s)` when the callback has it.
template <class C>
void begin(C& c, train::Session& s) {
  if constexpr (requires { c.on_begin(s); }) c.on_begin(s);
}
/// Calls `c.on_step(s, stats)` when the callback has it; true when it asks to stop.
template <class C>
bool step(C& c, train::Session& s, const train::StepStats& stats) {
  if constexpr (requires { { c.on_step(s, stats) } -> std::convertible_to<bool>; }) {
    return c.on_step(s, stats);
  } else if constexpr (requires { c.on_step(s, stats); }) {
    c.on_step(s, stats);
  }
  return false;
}
/// Calls `c.on_eval(s, aggregate)` when the callback has it; true when it asks to stop.
template <class C>
bool eval(C& c, train::Session& s, const nlohmann::json& aggregate) {
  if constexpr (requires { { c.on_eval(s, aggregate) } -> std::convertible_to<bool>; }) {
    return c.on_eval(s, aggregate);
  } else if constexpr (requires { c.on_eval(s, aggregate); }) {
    c.on_eval(s, aggregate);
  }
  return false;
}
/// Calls `c.on_end(s)` when the callback has it.
template <class C>
void end(C& c, train::Session& s) {
  if constexpr (requires { c.on_end(s); }) c.on_end(s);
}

}  // namespace vsr::cb
