#pragma once
/// @file
/// One SFT optimizer step (vsGRPO's supervised baseline): the ground truth (or, with [sft] target = formatted, the
/// ground truth in the prompt mode's output format) as the assistant turn after the mode's training prompt,
/// cross-entropy on the answer tokens (and the closing <|im_end|>) only.

#include "vsr/algo/sft.hpp"
#include "vsr/prompt/user_text.hpp"
#include "vsr/train/session.hpp"
#include "vsr/train/step_driver.hpp"
#include "vsr/train/step_stats.hpp"

#include <cmath>
#include <string>
#include <vector>

namespace vsr::train {

/// SFT steps of a recipe with prompt mode P.
template <PromptMode P>
class SftSteps {
 public:
  /// One optimizer step as Experiment calls it (SFT has no reward or KL setting).
  template <class S, class R, class K>
  StepStats step(S& s, const algo::Sft& sft, const P& mode, const R&, const K&) {
    return step(s, sft, mode);
  }
  /// One optimizer step; returns its statistics.
  template <class S>
  StepStats step(S& s, const algo::Sft& sft, const P& mode) {
    s.start_step_timer();
    double loss = 0.0, tokens = 0.0;
    bool finite = true;
    const bool formatted = sft.options.target == "formatted";
    for (std::int64_t micro = 0; micro < s.options().grad_accum; ++micro) {
      std::vector<model::CompletionBatch> rows;
      for (const data::Sample* sample : s.next_batch()) {
        const auto text = prompt::user_text(*sample, mode);
        const std::string target =
            formatted ? std::string(mode.formatted(*sample, sample->ground_truth)) : sample->ground_truth;
        const std::vector<std::vector<std::int64_t>> answer{s.encoder().answer_ids(target)};
        rows.push_back(s.encoder().with_completions(s.encoder().prompt(*sample, text), answer));
      }
      const auto batch = s.encoder().stack(rows);
      const auto out = sft.loss(s.logprobs(batch, true), batch.mask);
      finite = finite && std::isfinite(out.nll);
      // This rank's part of the global mean: by answers (per_sequence) or by answer tokens.
      const double share = s.global_share(sft.options.per_sequence ? static_cast<double>(rows.size()) : out.tokens);
      backward_share(s, out.loss, share);
      loss += share * s.distributed().world_size() * out.nll / static_cast<double>(s.options().grad_accum);
      tokens += out.tokens;
    }
    StepStats stats;
    stats.set("loss", loss);
    stats.set("answer_tokens", tokens);
    return finish_step(s, finite, stats);
  }
};

}  // namespace vsr::train
