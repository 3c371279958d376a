#pragma once
/// @file
/// One DPO optimizer step (Rafailov et al. 2023; vsGRPO's preference baseline): chosen = the ground truth, rejected =
/// a wrong answer made from it (vsr::data::rejected_answer), sequence log-likelihoods under the policy and under the
/// reference (the same model with its adapters off), the sigmoid loss.

#include "vsr/algo/dpo.hpp"
#include "vsr/model/token_logprobs.hpp"
#include "vsr/prompt/user_text.hpp"
#include "vsr/train/session.hpp"
#include "vsr/train/step_driver.hpp"
#include "vsr/train/step_stats.hpp"

#include <ATen/ATen.h>

#include <cmath>
#include <vector>

namespace vsr::train {

/// DPO steps of a recipe with prompt mode P.
template <PromptMode P>
class DpoSteps {
 public:
  /// One optimizer step as Experiment calls it (DPO's reference is built in; no reward or KL setting).
  template <class S, class R, class K>
  StepStats step(S& s, const algo::Dpo& dpo, const P& mode, const R&, const K&) {
    return step(s, dpo, mode);
  }
  /// One optimizer step; returns its statistics.
  template <class S>
  StepStats step(S& s, const algo::Dpo& dpo, const P& mode) {
    s.start_step_timer();
    const double n = static_cast<double>(s.options().grad_accum);
    double loss = 0.0, chosen = 0.0, rejected = 0.0, margin = 0.0, accuracy = 0.0;
    bool finite = true;
    for (std::int64_t micro = 0; micro < s.options().grad_accum; ++micro) {
      std::vector<model::CompletionBatch> rows;
      for (const data::Sample* sample : s.next_batch()) {
        const auto text = prompt::user_text(*sample, mode);
        const std::vector<std::vector<std::int64_t>> pair{s.encoder().answer_ids(sample->ground_truth),
                                                          s.encoder().answer_ids(dpo.rejected(*sample))};
        rows.push_back(s.encoder().with_completions(s.encoder().prompt(*sample, text), pair));
      }
      const auto batch = s.encoder().stack(rows);
      const at::Tensor policy = model::masked_sum(s.logprobs(batch, true), batch.mask);
      const at::Tensor reference = model::masked_sum(s.reference_logprobs(batch), batch.mask);
      const at::Tensor even = at::arange(0, policy.size(0), 2, at::TensorOptions(at::kLong).device(policy.device()));
      const at::Tensor odd = even + 1;
      const auto out = dpo.loss({policy.index_select(0, even), policy.index_select(0, odd),
                                 reference.index_select(0, even), reference.index_select(0, odd)});
      finite = finite && std::isfinite(out.stats.loss);
      const double share = s.global_share(static_cast<double>(rows.size()));  // by preference pairs
      backward_share(s, out.loss, share);
      const double w = share * s.distributed().world_size();  // the mean over ranks of w * x is the global mean
      loss += w * out.stats.loss / n;
      chosen += w * out.stats.chosen_reward / n;
      rejected += w * out.stats.rejected_reward / n;
      margin += w * out.stats.margin / n;
      accuracy += w * out.stats.accuracy / n;
    }
    StepStats stats;
    stats.set("loss", loss);
    stats.set("rewards/chosen", chosen);
    stats.set("rewards/rejected", rejected);
    stats.set("rewards/margin", margin);
    stats.set("rewards/accuracy", accuracy);
    return finish_step(s, finite, stats);
  }
};

}  // namespace vsr::train
