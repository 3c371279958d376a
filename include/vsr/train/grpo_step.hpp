#pragma once
/// @file
/// One GRPO optimizer step (vsGRPO section 4.2, eq. 1), the glue between the compiled core and a recipe's policies:
/// for each question of each micro-batch, G rollouts from the prompt mode's training prompt, rewards per completion,
/// group advantages, the reference log-probs when the KL setting needs them, the clipped loss, backward; then one
/// update. With grpo.iterations = mu > 1 the same rollouts serve mu consecutive updates, with the ratio taken
/// against their log-probs before the first update (TRL's num_iterations). With grpo.log_rollouts_every = N, every
/// Nth batch of rollouts goes to the run folder's rollouts.jsonl (train/rollout_log.hpp; rank 0's questions).

#include "vsr/algo/grpo.hpp"
#include "vsr/model/token_logprobs.hpp"
#include "vsr/prompt/user_text.hpp"
#include "vsr/train/reward_parts.hpp"
#include "vsr/train/rollout_log.hpp"
#include "vsr/train/session.hpp"
#include "vsr/train/step_stats.hpp"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace vsr::train {

/// The rollouts of one micro-batch, scored and ready for the loss.
struct GrpoMicroBatch {
  model::CompletionBatch batch;  ///< prompt + completion rows, G per question, groups consecutive
  std::vector<model::CompletionBatch> groups;  ///< the per-question batches `batch` stacks (shared-prompt passes)
  algo::GroupAdvantages advantages;  ///< per row
  at::Tensor ref_logp;           ///< reference log-probs (undefined without KL)
  at::Tensor old_logp;           ///< log-probs before the first update (undefined when mu = 1)
  double share = 1.0;            ///< this rank's part of the global loss (Session::global_share; 1 single-process)
};

/// GRPO steps of a recipe with prompt mode P, reward R and KL setting K.
template <PromptMode P, class R, KlSetting K>
class GrpoSteps {
 public:
  /// One optimizer step; returns its statistics.
  StepStats step(Session& s, const algo::Grpo& grpo, const P& mode, const R& reward, const K& kl) {
    s.start_step_timer();
    StepStats stats;
    if (iteration_ == 0) collect(s, grpo, mode, reward, kl, stats);
    double loss = 0.0, policy = 0.0, kl_mean = 0.0, clip = 0.0, clip_low = 0.0, clip_high = 0.0, ratio = 0.0;
    bool finite = true;
    for (auto& mb : buffer_) {
      const at::Tensor logp = s.logprobs(mb.batch, true, mb.groups);
      algo::GrpoBatch batch{logp, mb.old_logp, mb.ref_logp, mb.advantages.advantages.to(logp.device()), mb.batch.mask};
      const auto out = grpo.loss(batch, kl);
      finite = finite && std::isfinite(out.stats.loss);
      s.backward(mb.share == 1.0 ? out.loss : out.loss * mb.share);
      const double n = static_cast<double>(buffer_.size());
      const double w = mb.share * s.distributed().world_size();  // the mean over ranks of w * loss is the global loss
      loss += w * out.stats.loss / n;
      policy += w * out.stats.policy_loss / n;
      kl_mean += out.stats.kl_mean / n;
      clip += out.stats.clip_fraction / n;
      clip_low += out.stats.clip_low / n;
      clip_high += out.stats.clip_high / n;
      ratio += out.stats.ratio_mean / n;
    }
    const auto update = s.update(finite);
    iteration_ = (iteration_ + 1) % std::max<std::int64_t>(1, grpo.options.iterations);
    stats.step = s.step();
    for (const auto& [k, v] : last_rollout_stats_.values) stats.set(k, v);
    stats.set("loss", loss);
    stats.set("policy_loss", policy);
    stats.set("kl", kl_mean);
    stats.set("clip_fraction", clip);
    stats.set("clip_low", clip_low);
    stats.set("clip_high", clip_high);
    stats.set("ratio_mean", ratio);
    stats.set("lr", update.lr);
    stats.set("grad_norm", update.grad_norm);
    stats.set("skipped", update.skipped ? 1.0 : 0.0);
    stats.set("step_time_s", s.seconds_since_step_start());
    return stats;
  }

 private:
  void collect(Session& s, const algo::Grpo& grpo, const P& mode, const R& reward, const K& kl, StepStats&) {
    (void)kl;
    buffer_.clear();
    const std::int64_t G = grpo.options.num_generations;
    RewardStats rewards(reward_names<R>());
    double zero_std = 0.0, group_std = 0.0, seconds = 0.0, tokens = 0.0, logp_sum = 0.0;
    std::int64_t len_min = std::numeric_limits<std::int64_t>::max(), len_max = 0, groups = 0, completions = 0;
    // Rollouts are sampled every mu = grpo.iterations steps: every Nth batch of them is logged (every Nth step at mu 1).
    const std::int64_t every = grpo.options.log_rollouts_every, step = s.step() + 1;
    const std::int64_t batch_number = s.step() / std::max<std::int64_t>(1, grpo.options.iterations) + 1;
    const bool log = every > 0 && batch_number % every == 0 && s.is_main();
    if (every > 0 && s.is_main() && !log_trimmed_) {  // a resumed run first drops the killed run's later steps
      trim_rollouts_after(s.run_dir().file("rollouts.jsonl"), s.step());
      log_trimmed_ = true;
    }
    std::vector<RolloutRecord> logged;
    const auto names = reward_names<R>();
    for (std::int64_t micro = 0; micro < s.options().grad_accum; ++micro) {
      std::vector<model::CompletionBatch> rows;
      std::vector<double> totals;
      const std::size_t first_logged = logged.size();
      for (const data::Sample* sample : s.next_batch()) {
        const auto text = prompt::user_text(*sample, mode);
        auto group = s.rollout(*sample, text, G);
        for (std::int64_t g = 0; g < G; ++g) {
          const auto completion = reward::read_completion(mode, group.texts[static_cast<std::size_t>(g)]);
          const auto parts = reward_components(reward, *sample, completion);
          const double total = reward(*sample, completion);
          rewards.add(parts, total, sample->question_type, completion.format_ok);
          totals.push_back(total);
          const auto n = static_cast<std::int64_t>(group.tokens[static_cast<std::size_t>(g)].size());
          len_min = std::min(len_min, n);
          len_max = std::max(len_max, n);
          if (log)
            logged.push_back({step, sample->id, sample->question_type, sample->ground_truth, g,
                              std::string(completion.text), completion.answer, completion.format_ok, n,
                              named(names, parts), total, 0.0});
        }
        logp_sum += group.logprobs.sum().template item<double>();
        seconds += group.seconds;
        tokens += static_cast<double>(group.new_tokens);
        completions += G;
        rows.push_back(s.encoder().with_completions(group.prompt, group.tokens));
      }
      GrpoMicroBatch mb;
      mb.batch = s.encoder().stack(rows);
      mb.groups = std::move(rows);
      mb.advantages = grpo.advantages(at::tensor(totals, at::kFloat));
      if (log) {
        const at::Tensor a = mb.advantages.advantages.to(at::kCPU, at::kDouble).contiguous();
        for (std::size_t i = first_logged; i < logged.size(); ++i)
          logged[i].advantage = a.data_ptr<double>()[i - first_logged];
      }
      const double n_groups = static_cast<double>(totals.size()) / static_cast<double>(G);
      zero_std += mb.advantages.zero_std_fraction * n_groups;
      group_std += mb.advantages.reward_std_mean * n_groups;
      groups += static_cast<std::int64_t>(n_groups);
      mb.share = loss_share(s, grpo, mb.batch.mask);
      if constexpr (K::kNeedsReference) mb.ref_logp = s.reference_logprobs(mb.batch, mb.groups);
      if (grpo.options.iterations > 1) mb.old_logp = s.logprobs(mb.batch, false, mb.groups);
      buffer_.push_back(std::move(mb));
    }
    if (log) append_rollouts(s.run_dir().file("rollouts.jsonl"), logged);
    StepStats r;
    rewards.write(r);
    r.set("zero_std_fraction", zero_std / static_cast<double>(std::max<std::int64_t>(groups, 1)));
    r.set("reward/group_std_mean", group_std / static_cast<double>(std::max<std::int64_t>(groups, 1)));
    r.set("completion_length_mean", tokens / static_cast<double>(std::max<std::int64_t>(completions, 1)));
    r.set("completion_length_min", static_cast<double>(len_min));
    r.set("completion_length_max", static_cast<double>(len_max));
    r.set("entropy", tokens > 0 ? -logp_sum / tokens : 0.0);
    r.set("rollout_tok_per_s", seconds > 0 ? tokens / seconds : 0.0);
    r.set("rollout_time_s", seconds);
    last_rollout_stats_ = r;
  }

  /// This rank's share of the global loss: by sequences (grpo; dr_grpo with a fixed max_len), by tokens (bnpo), or
  /// for dr_grpo with max_len = 0 by sequences x longest row with the longest row of all ranks as the normaliser.
  static double loss_share(Session& s, const algo::Grpo& grpo, const at::Tensor& mask) {
    const double rows = static_cast<double>(mask.size(0));
    const auto mode = grpo.options.aggregation();
    if (mode == algo::LossAggregation::Bnpo) return s.global_share(mask.to(at::kDouble).sum().template item<double>());
    if (mode == algo::LossAggregation::DrGrpo && grpo.options.max_len == 0) {
      const double len = std::max(1.0, mask.to(at::kDouble).sum(1).max().template item<double>());
      return s.global_share(rows) * (len / s.global_max({len})[0]);
    }
    return s.global_share(rows);
  }

  /// (name, value) pairs of reward components.
  static std::vector<std::pair<std::string, double>> named(const std::vector<std::string>& names,
                                                          const std::vector<double>& values) {
    std::vector<std::pair<std::string, double>> out;
    for (std::size_t i = 0; i < names.size() && i < values.size(); ++i) out.emplace_back(names[i], values[i]);
    return out;
  }

  std::vector<GrpoMicroBatch> buffer_;
  StepStats last_rollout_stats_;
  std::int64_t iteration_ = 0;
  bool log_trimmed_ = false;  ///< rollouts.jsonl was trimmed to this run's first step
};

}  // namespace vsr::train
