#pragma once
/// @file
/// What every algorithm's step repeats, in one place: backward with this rank's share of the global loss, and the
/// end of a step (the update, skipped on a non-finite loss or gradient, and the statistics every step reports:
/// step, lr, grad_norm, skipped, step_time_s, rss_mb_max). An algorithm's Steps class starts with s.start_step_timer(), builds
/// its losses, calls backward_share() for each, and returns finish_step().

#include "vsr/core/perf.hpp"
#include "vsr/train/session.hpp"
#include "vsr/train/step_stats.hpp"

#include <ATen/core/Tensor.h>

namespace vsr::train {

/// (`S`: train::Session or a type with its members, as the fake trainer core of the tests.)
/// Backpropagates `loss` scaled by `share`, this rank's part of the global loss (Session::global_share; 1 in a
/// single process): summed over ranks, the gradients are those of the single-process loss.
template <class S>
void backward_share(S& s, const at::Tensor& loss, double share) {
  s.backward(share == 1.0 ? loss : loss * share);
}

/// Ends an optimizer step: the update (skipped everywhere when `finite` is false on any rank or a gradient is not
/// finite), then `stats` with step, lr, grad_norm, skipped, step_time_s and rss_mb_max (resident memory in MiB after
/// the step; the largest rank's in a data-parallel run) added.
template <class S>
StepStats finish_step(S& s, bool finite, StepStats stats) {
  const auto update = s.update(finite);
  stats.step = s.step();
  stats.set("lr", update.lr);
  stats.set("grad_norm", update.grad_norm);
  stats.set("skipped", update.skipped ? 1.0 : 0.0);
  stats.set("step_time_s", s.seconds_since_step_start());
  stats.set("rss_mb_max", perf::resident_mb());
  return stats;
}

}  // namespace vsr::train
