#pragma once
/// @file
/// Callback: early stopping (ensmallen's EarlyStopAtMinLoss, generalised): stops when a metric has not improved on
/// its best value for `patience` steps (training metrics) or evaluations (`on_eval`, evaluation aggregates). Its
/// state lives in the checkpoint, so a resumed run stops where the uninterrupted one would.

#include "vsr/train/session.hpp"
#include "vsr/train/step_stats.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <string>

namespace vsr::cb {

/// Stops after `patience` non-improving observations of `metric`.
struct EarlyStop {
  std::string metric = "reward/total_mean";  ///< a step column, or an evaluation aggregate key when on_eval
  bool maximize = true;                      ///< higher is better
  std::int64_t patience = 0;                 ///< 0: never stop (train.early_stop_patience is used when 0 here)
  double min_delta = 0.0;                    ///< improvement smaller than this does not count
  bool on_evaluations = false;               ///< watch evaluation aggregates instead of step statistics

  /// Watches a step statistic.
  bool on_step(train::Session& s, const train::StepStats& stats) {
    return on_evaluations ? false : observe(s, stats.get(metric));
  }
  /// Watches an evaluation aggregate.
  bool on_eval(train::Session& s, const nlohmann::json& aggregate) {
    if (!on_evaluations || !aggregate.contains(metric) || !aggregate[metric].is_number()) return false;
    return observe(s, aggregate[metric].get<double>());
  }

 private:
  bool observe(train::Session& s, double value) {
    const std::int64_t limit = patience > 0 ? patience : s.options().early_stop_patience;
    if (limit <= 0 || std::isnan(value)) return false;
    auto& st = s.state().extra["early_stop"];
    const bool has_best = st.contains("best");
    const double best = has_best ? st["best"].get<double>() : 0.0;
    const bool better = !has_best || (maximize ? value > best + min_delta : value < best - min_delta);
    if (better) {
      st["best"] = value;
      st["since"] = 0;
      return false;
    }
    const std::int64_t since = st.value("since", std::int64_t{0}) + 1;
    st["since"] = since;
    if (since >= limit) {
      s.log("early stop: " + metric + " did not improve for " + std::to_string(since) + " observations");
      return true;
    }
    return false;
  }
};

}  // namespace vsr::cb
