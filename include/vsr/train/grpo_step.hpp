#pragma once
/// @file
/// One GRPO optimizer step (vsGRPO section 4.2, eq. 1), the glue between the compiled core and a recipe's policies:
/// for each question of each micro-batch, G rollouts from the prompt mode's training prompt, rewards per completion,
/// group advantages, the reference log-probs when the KL setting needs them, the clipped loss, backward; then one
/// update. With grpo.iterations = mu > 1 the same rollouts serve mu consecutive updates, with the ratio taken
/// against their log-probs before the first update (TRL's num_iterations). With grpo.log_rollouts_every = N, every
/// Nth batch of rollouts goes to the run folder's rollouts.jsonl (train/rollout_log.hpp; rank 0's questions). A KL
/// setting kl::InReward<K> is applied to the rewards before the advantages (beta * each completion's summed K
/// estimate subtracted) and the loss then has no KL term (verl's use_kl_in_reward).

#include "vsr/algo/grpo.hpp"
#include "vsr/kl/in_reward.hpp"
#include "vsr/kl/none.hpp"
#include "vsr/model/token_logprobs.hpp"
#include "vsr/prompt/user_text.hpp"
#include "vsr/train/reward_parts.hpp"
#include "vsr/train/rollout_log.hpp"
#include "vsr/train/session.hpp"
#include "vsr/train/step_driver.hpp"
#include "vsr/train/step_stats.hpp"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <string>
#include <type_traits>
#include <vector>

namespace vsr::train {

/// The rollouts of one micro-batch, scored and ready for the loss.
struct GrpoMicroBatch {
  model::CompletionBatch batch;  ///< prompt + completion rows, G per question, groups consecutive
  std::vector<model::CompletionBatch> groups;  ///< the per-question batches `batch` stacks (shared-prompt passes)
  algo::GroupAdvantages advantages;  ///< per row
  at::Tensor loss_mask;          ///< batch.mask without the rows truncation::Mask takes out of the loss
  at::Tensor ref_logp;           ///< reference log-probs (undefined without KL)
  at::Tensor old_logp;           ///< log-probs before the first update (undefined when mu = 1)
  double share = 1.0;            ///< this rank's part of the global loss (Session::global_share; 1 single-process)
  /// True when the group filter left no question in this micro-batch (nothing of it trains).
  bool empty() const { return groups.empty(); }
};

/// The steps of a GRPO-family algorithm A (algo::GrpoWith and its variants) with prompt mode P, reward R and KL
/// setting K. A's filter part may drop groups whose rewards are all equal and sample further questions
/// (filter::DynamicSampling: every rank samples the same number of rounds, so the data order stays the same at any
/// world size); its truncation part may take truncated completions out of the loss.
template <class A, PromptMode P, class R, KlSetting K>
class GrpoSteps {
 public:
  /// One optimizer step; returns its statistics. `S` is train::Session, or any type with the members used here (the
  /// fake trainer core of tests/torch/fake_session.hpp: the step logic tested in milliseconds).
  template <class S>
  StepStats step(S& s, const A& grpo_options, const P& mode, const R& reward, const K& kl) {
    s.start_step_timer();
    if (iteration_ == 0) collect(s, grpo_options, mode, reward, kl);
    const A grpo = with_budget(grpo_options);
    double loss = 0.0, policy = 0.0, kl_mean = 0.0, clip = 0.0, clip_low = 0.0, clip_high = 0.0, ratio = 0.0,
           dual = 0.0, trained = 0.0;
    bool finite = true;
    const double n = static_cast<double>(buffer_.size());
    for (auto& mb : buffer_) {
      if (mb.empty()) continue;
      const at::Tensor logp = s.logprobs(mb.batch, true, mb.groups);
      algo::GrpoBatch batch{logp, mb.old_logp, mb.ref_logp, mb.advantages.advantages.to(logp.device()), mb.loss_mask};
      const auto out = [&] {
        if constexpr (kKlInReward) {
          return grpo.loss(batch, kl::None{});  // the KL went into the rewards
        } else {
          return grpo.loss(batch, kl);
        }
      }();
      finite = finite && std::isfinite(out.stats.loss);
      backward_share(s, out.loss, mb.share);
      const double w = mb.share * s.distributed().world_size();  // the mean over ranks of w * loss is the global loss
      loss += w * out.stats.loss / n;
      policy += w * out.stats.policy_loss / n;
      kl_mean += out.stats.kl_mean;  // the diagnostics below: means over the micro-batches that trained
      clip += out.stats.clip_fraction;
      clip_low += out.stats.clip_low;
      clip_high += out.stats.clip_high;
      ratio += out.stats.ratio_mean;
      dual += out.stats.dual_clip_fraction;
      trained += 1.0;
    }
    iteration_ = (iteration_ + 1) % std::max<std::int64_t>(1, grpo.options.iterations);
    // A rank (or a step) that trained nothing reports no diagnostics (NaN): Session::reduce_stats averages the
    // ranks that did.
    const auto mean = [&](double sum) { return trained > 0.0 ? sum / trained : std::nan(""); };
    StepStats stats = last_rollout_stats_;
    stats.set("loss", loss);
    stats.set("policy_loss", policy);
    if constexpr (!kKlInReward) stats.set("kl", mean(kl_mean));
    stats.set("clip_fraction", mean(clip));
    stats.set("clip_low", mean(clip_low));
    stats.set("clip_high", mean(clip_high));
    if constexpr (std::is_same_v<typename A::ClipPart, algo::clip::Dual>) stats.set("dual_clip_fraction", mean(dual));
    stats.set("ratio_mean", mean(ratio));
    return finish_step(s, finite, stats);
  }

 private:
  static constexpr bool kFilters = A::FilterPart::kDropsFlatGroups;
  static constexpr bool kMasksTruncated = A::TruncationPart::kMasksTruncated;
  static constexpr bool kKlInReward = kl::kInReward<K>;
  static constexpr bool kTaskNorm = std::is_same_v<typename A::AdvantagePart, algo::advantage::TaskNorm>;

  /// One micro-batch's kept groups before their advantages are computed.
  struct Kept {
    std::vector<model::CompletionBatch> rows;  ///< one batch per kept question
    std::vector<double> totals;                ///< per completion
    std::vector<float> keep;                   ///< per completion: 1 trains, 0 masked out (truncation::Mask)
    std::vector<double> kl_penalty;            ///< per completion: beta * summed KL taken off its total (InReward)
    at::Tensor sampling_logp;                  ///< the policy's log-probs at sampling time (InReward), reused as old_logp
    std::vector<std::string> types;            ///< per completion: its question type (advantage::TaskNorm)
    std::vector<std::int64_t> logged_row;      ///< per logged completion: its row in `totals`, -1 when dropped
    std::size_t logged_begin = 0;              ///< where this micro-batch's completions start in the log
  };

  /// The index of grpo.filter_metric among the reward's components, -1 for "total".
  static int filter_index(const A& grpo, const std::vector<std::string>& names) {
    if (grpo.options.filter_metric == "total") return -1;
    for (std::size_t i = 0; i < names.size(); ++i)
      if (names[i] == grpo.options.filter_metric) return static_cast<int>(i);
    std::string known = "total";
    for (const auto& n : names) known += ", " + n;
    fail("[grpo]", "grpo.filter_metric", "expected one of " + known + ", got " + quote(grpo.options.filter_metric));
  }

  template <class S>
  void collect(S& s, const A& grpo_options, const P& mode, const R& reward, [[maybe_unused]] const K& kl) {
    buffer_.clear();
    const std::int64_t G = grpo_options.options.num_generations;
    const auto names = reward_names<R>();
    const int filtered_on = kFilters ? filter_index(grpo_options, names) : -1;
    RewardStats rewards(names);
    double flat_groups = 0.0, group_std = 0.0, seconds = 0.0, tokens = 0.0, logp_sum = 0.0;
    std::int64_t len_min = std::numeric_limits<std::int64_t>::max(), len_max = 0, sampled_groups = 0,
                 trained_groups = 0, completions = 0, dropped = 0, extra_rounds = 0, truncated = 0;
    // Rollouts are sampled every mu = grpo.iterations steps: every Nth batch of them is logged (every Nth step at mu 1).
    const std::int64_t every = grpo_options.options.log_rollouts_every, step = s.step() + 1;
    const std::int64_t batch_number = s.step() / std::max<std::int64_t>(1, grpo_options.options.iterations) + 1;
    const bool log = every > 0 && batch_number % every == 0 && s.is_main();
    if (every > 0 && s.is_main() && !log_trimmed_) {  // a resumed run first drops the killed run's later steps
      trim_rollouts_after(s.run_dir().file("rollouts.jsonl"), s.step());
      log_trimmed_ = true;
    }
    std::vector<RolloutRecord> logged;
    std::vector<Kept> kept(static_cast<std::size_t>(s.options().grad_accum));
    for (auto& k : kept) {
      k.logged_begin = logged.size();
      std::size_t wanted = 0;
      for (std::int64_t round = 0;; ++round) {
        const auto questions = s.next_batch();
        if (round == 0) wanted = questions.size();
        for (const data::Sample* sample : questions) {
          if (kFilters && k.rows.size() >= wanted) break;  // full: later questions of the round are skipped (DAPO)
          const auto text = prompt::user_text(*sample, mode);
          auto group = s.rollout(*sample, text, G);
          budget_ = group.max_new_tokens;
          std::vector<double> group_totals, group_filtered;
          const std::size_t first_logged = logged.size();
          for (std::int64_t g = 0; g < G; ++g) {
            const auto gi = static_cast<std::size_t>(g);
            auto completion = reward::read_completion(mode, group.texts[gi]);
            const auto n = static_cast<std::int64_t>(group.tokens[gi].size());
            completion.tokens = n;
            completion.max_tokens = group.max_new_tokens;
            completion.truncated = group.truncated[gi];
            const auto parts = reward_components(reward, *sample, completion);
            const double total = reward(*sample, completion);
            rewards.add(parts, total, sample->question_type, completion.format_ok);
            group_totals.push_back(total);
            group_filtered.push_back(filtered_on < 0 ? total : parts[static_cast<std::size_t>(filtered_on)]);
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
          ++sampled_groups;
          flat_groups += equal(group_totals) ? 1.0 : 0.0;
          group_std += unbiased_std(group_totals);
          if (kFilters && equal(group_filtered)) {
            ++dropped;
            for (std::size_t i = first_logged; i < logged.size(); ++i) k.logged_row.push_back(-1);
            continue;
          }
          for (std::int64_t g = 0; g < G; ++g) {
            if (log) k.logged_row.push_back(static_cast<std::int64_t>(k.totals.size()));
            const bool cut = kMasksTruncated && group.truncated[static_cast<std::size_t>(g)];
            truncated += cut ? 1 : 0;
            k.keep.push_back(cut ? 0.0f : 1.0f);
            k.totals.push_back(group_totals[static_cast<std::size_t>(g)]);
            if constexpr (kTaskNorm) k.types.push_back(sample->question_type);
          }
          k.rows.push_back(s.encoder().with_completions(group.prompt, group.tokens));
          ++trained_groups;
        }
        if (!kFilters || round >= grpo_options.options.max_resample_rounds) break;
        // Every rank samples as many rounds as the emptiest one needs: the data order stays in step across ranks.
        if (s.global_max({k.rows.size() < wanted ? 1.0 : 0.0})[0] == 0.0) break;
        ++extra_rounds;
      }
    }
    const A grpo = with_budget(grpo_options);
    // Each micro-batch's rows stacked once; with the KL in the reward, its penalty comes off the totals here, before
    // any advantage (and before REINFORCE++'s batch moments) sees them.
    std::vector<model::CompletionBatch> stacked(kept.size());
    double penalty_sum = 0.0, penalty_rows = 0.0;
    for (std::size_t i = 0; i < kept.size(); ++i) {
      auto& k = kept[i];
      if (k.rows.empty()) continue;
      stacked[i] = s.encoder().stack(k.rows);
      if constexpr (kKlInReward) {
        const at::Tensor ref = s.reference_logprobs(stacked[i], k.rows);
        const at::Tensor policy = k.sampling_logp = s.logprobs(stacked[i], false, k.rows);
        const at::Tensor mask = stacked[i].mask.to(policy.scalar_type());
        const at::Tensor per_row =
            ((kl.per_token(policy, ref) * mask).sum(1) * kl.beta()).to(at::kCPU, at::kDouble).contiguous();
        for (std::int64_t r = 0; r < per_row.size(0); ++r) {
          const double p = per_row.data_ptr<double>()[r];
          k.kl_penalty.push_back(p);
          k.totals[static_cast<std::size_t>(r)] -= p;
          penalty_sum += p;
          penalty_rows += 1.0;
        }
      }
    }
    // Spatial-R1's task-specific scale: each question type's reward std over every kept completion of the batch.
    std::map<std::string, double> type_std;
    if constexpr (kTaskNorm) {
      std::map<std::string, algo::BatchMoments> mine;
      for (const auto& k : kept)
        for (std::size_t i = 0; i < k.types.size(); ++i) {
          auto& m = mine[k.types[i]];
          m.count += 1.0, m.sum += k.totals[i], m.sum_sq += k.totals[i] * k.totals[i];
        }
      type_std = global_type_std(s, mine);
    }
    // Estimators over the whole batch (REINFORCE++'s whitening): the reward moments of every micro-batch of every
    // rank (one collective, on every rank), weighted as the advantage part asks.
    algo::BatchMoments moments;
    const algo::BatchMoments* global = nullptr;
    constexpr algo::MomentWeights kMoments = algo::advantage::moments_of<typename A::AdvantagePart>();
    if constexpr (kMoments != algo::MomentWeights::None) {
      for (const auto& k : kept) {
        if (k.rows.empty()) continue;
        const at::Tensor weights = kMoments == algo::MomentWeights::Tokens ? token_counts(k.rows) : at::Tensor();
        const auto m = algo::batch_moments(at::tensor(k.totals, at::kDouble), weights);
        moments.count += m.count, moments.sum += m.sum, moments.sum_sq += m.sum_sq;
      }
      const auto sums = s.distributed().all_reduce_sum({moments.count, moments.sum, moments.sum_sq});
      moments = {sums[0], sums[1], sums[2]};
      global = &moments;
    }
    for (std::size_t i = 0; i < kept.size(); ++i) {
      auto& k = kept[i];
      GrpoMicroBatch mb;
      if (!k.rows.empty()) {
        mb.batch = std::move(stacked[i]);
        at::Tensor row_scale;
        if constexpr (kTaskNorm) {
          std::vector<double> scale;
          for (const auto& t : k.types) scale.push_back(type_std.at(t));
          row_scale = at::tensor(scale, at::kDouble);
        }
        mb.advantages = grpo.advantages(at::tensor(k.totals, at::kFloat), mb.batch.mask.sum(1), global, row_scale);
        mb.groups = std::move(k.rows);
        mb.loss_mask = kMasksTruncated ? mb.batch.mask * at::tensor(k.keep).to(mb.batch.mask.device())
                                                             .to(mb.batch.mask.scalar_type()).unsqueeze(1)
                                       : mb.batch.mask;
      }
      if (log) {
        const at::Tensor a = rows_advantages(mb);
        for (std::size_t j = 0; j < k.logged_row.size(); ++j) {
          const std::int64_t row = k.logged_row[j];
          logged[k.logged_begin + j].advantage = row < 0 ? 0.0 : a.data_ptr<double>()[row];
          if (kKlInReward && row >= 0) logged[k.logged_begin + j].kl_penalty = k.kl_penalty[static_cast<std::size_t>(row)];
        }
      }
      mb.share = loss_share(s, grpo, mb.empty() ? at::Tensor() : mb.loss_mask);
      if (!mb.empty()) {
        if constexpr (K::kNeedsReference && !kKlInReward) mb.ref_logp = s.reference_logprobs(mb.batch, mb.groups);
        if (grpo.options.iterations > 1)  // the KL-in-reward pass already took them (the same weights, no grad)
          mb.old_logp = k.sampling_logp.defined() ? k.sampling_logp : s.logprobs(mb.batch, false, mb.groups);
      }
      buffer_.push_back(std::move(mb));
    }
    if (log) append_rollouts(s.run_dir().file("rollouts.jsonl"), logged);
    StepStats r;
    rewards.write(r);
    // Over every sampled group, the dropped ones included.
    r.set("zero_std_fraction", flat_groups / static_cast<double>(std::max<std::int64_t>(sampled_groups, 1)));
    r.set("reward/group_std_mean", group_std / static_cast<double>(std::max<std::int64_t>(sampled_groups, 1)));
    if constexpr (kFilters) {
      r.set("filter/dropped_groups", static_cast<double>(dropped));
      r.set("filter/extra_rounds", static_cast<double>(extra_rounds));
      r.set("filter/trained_groups", static_cast<double>(trained_groups));
    }
    if constexpr (kMasksTruncated) r.set("truncated_masked", static_cast<double>(truncated));
    if constexpr (kKlInReward) r.set("kl_penalty_mean", penalty_rows > 0.0 ? penalty_sum / penalty_rows : std::nan(""));
    r.set("completion_length_mean", tokens / static_cast<double>(std::max<std::int64_t>(completions, 1)));
    r.set("completion_length_min", static_cast<double>(len_min));
    r.set("completion_length_max", static_cast<double>(len_max));
    r.set("entropy", tokens > 0 ? -logp_sum / tokens : 0.0);
    r.set("rollout_tok_per_s", seconds > 0 ? tokens / seconds : 0.0);
    r.set("rollout_time_s", seconds);
    last_rollout_stats_ = r;
  }

  /// `grpo` with aggregate::ConstantLength's normaliser set to the generation budget when grpo.max_len is 0 (Dr.
  /// GRPO divides by the budget, a constant, not by the batch's longest row).
  A with_budget(const A& grpo) const {
    A out = grpo;
    if constexpr (std::is_same_v<typename A::AggregationPart, algo::aggregate::ConstantLength>)
      if (out.options.max_len == 0) out.options.max_len = budget_;
    return out;
  }

  /// Completion tokens per row of the stacked `rows`.
  at::Tensor token_counts(const std::vector<model::CompletionBatch>& rows) const {
    std::vector<at::Tensor> counts;
    for (const auto& r : rows) counts.push_back(r.mask.sum(1).to(at::kCPU, at::kDouble));
    return at::cat(counts);
  }

  /// Whether all values are equal (a group with no advantage signal).
  static bool equal(const std::vector<double>& v) {
    return std::all_of(v.begin(), v.end(), [&](double x) { return x == v.front(); });
  }

  /// The unbiased standard deviation of `v` (torch.std's default).
  static double unbiased_std(const std::vector<double>& v) {
    if (v.size() < 2) return 0.0;
    double mean = 0.0, sq = 0.0;
    for (double x : v) mean += x / static_cast<double>(v.size());
    for (double x : v) sq += (x - mean) * (x - mean);
    return std::sqrt(sq / static_cast<double>(v.size() - 1));
  }

  /// The advantages of a micro-batch's rows as float64 on the CPU (empty when the filter dropped every group).
  static at::Tensor rows_advantages(const GrpoMicroBatch& mb) {
    return mb.empty() ? at::zeros({0}, at::kDouble) : mb.advantages.advantages.to(at::kCPU, at::kDouble).contiguous();
  }

  /// This rank's share of the global loss: by sequences (grpo; dr_grpo with a fixed max_len), by tokens (bnpo), or
  /// for dr_grpo with max_len = 0 by sequences x longest row with the longest row of all ranks as the normaliser.
  /// `mask` undefined: this rank trains nothing in this micro-batch (still a party to the collectives).
  template <class S>
  static double loss_share(S& s, const A& grpo, const at::Tensor& mask) {
    const double rows = mask.defined() ? static_cast<double>(mask.size(0)) : 0.0;
    const auto settings = grpo.loss_settings();
    const auto mode = settings.aggregation;
    if (mode == algo::LossAggregation::Bnpo)
      return s.global_share(mask.defined() ? mask.to(at::kDouble).sum().template item<double>() : 0.0);
    if (mode == algo::LossAggregation::DrGrpo && settings.max_len == 0) {
      const double len = mask.defined() ? std::max(1.0, mask.to(at::kDouble).sum(1).max().template item<double>()) : 1.0;
      const double share = s.global_share(rows);  // two collectives, in this order on every rank
      const double longest = s.global_max({len})[0];
      return share * (len / longest);
    }
    return s.global_share(rows);
  }

  /// The unbiased reward std of each question type over the whole batch: `mine` (this rank's per-type moments)
  /// summed over the ranks in rank order, so every rank gets the same numbers (one broadcast per rank).
  template <class S>
  static std::map<std::string, double> global_type_std(S& s,
                                                       const std::map<std::string, algo::BatchMoments>& mine) {
    nlohmann::json j = nlohmann::json::object();
    for (const auto& [type, m] : mine) j[type] = {m.count, m.sum, m.sum_sq};
    const std::string text = j.dump();
    std::map<std::string, algo::BatchMoments> all;
    for (int r = 0; r < s.distributed().world_size(); ++r) {
      const nlohmann::json theirs = nlohmann::json::parse(s.distributed().broadcast(text, r));
      for (auto it = theirs.begin(); it != theirs.end(); ++it) {
        auto& m = all[it.key()];
        m.count += (*it)[0].get<double>(), m.sum += (*it)[1].get<double>(), m.sum_sq += (*it)[2].get<double>();
      }
    }
    std::map<std::string, double> out;
    for (const auto& [type, m] : all) out[type] = algo::moments_std(m);
    return out;
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
  std::int64_t budget_ = 0;  ///< sampling.max_new_tokens, seen on the rollouts
  std::int64_t iteration_ = 0;
  bool log_trimmed_ = false;  ///< rollouts.jsonl was trimmed to this run's first step
};

}  // namespace vsr::train
