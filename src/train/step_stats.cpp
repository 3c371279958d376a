// Reward statistics of one training step.
#include "vsr/train/step_stats.hpp"

#include <map>
#include <numeric>

namespace vsr::train {

namespace {

/// Mean and population std (torch.std(unbiased=False) is what TRL logs as reward_std over the batch; the group
/// std of the advantages is the unbiased one, see grpo_loss.hpp).
std::pair<double, double> mean_std(const std::vector<double>& v) {
  if (v.empty()) return {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::quiet_NaN()};
  const double mean = std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
  double sq = 0.0;
  for (double x : v) sq += (x - mean) * (x - mean);
  return {mean, std::sqrt(sq / static_cast<double>(v.size()))};
}

}  // namespace

void RewardStats::add(std::span<const double> components, double total, const std::string& question_type,
                      bool format_ok) {
  values_.resize(names_.size());
  for (std::size_t i = 0; i < names_.size() && i < components.size(); ++i) values_[i].push_back(components[i]);
  totals_.push_back(total);
  types_.push_back(question_type);
  if (format_ok) ++format_ok_;
}

void RewardStats::write(StepStats& stats) const {
  const auto [tm, ts] = mean_std(totals_);
  stats.set("reward/total_mean", tm);
  stats.set("reward/total_std", ts);
  for (std::size_t i = 0; i < names_.size() && i < values_.size(); ++i) {
    const auto [m, s] = mean_std(values_[i]);
    stats.set("reward/" + names_[i] + "_mean", m);
    stats.set("reward/" + names_[i] + "_std", s);
    std::map<std::string, std::vector<double>> by_type;
    for (std::size_t k = 0; k < values_[i].size(); ++k) by_type[types_[k]].push_back(values_[i][k]);
    for (const auto& [type, v] : by_type) stats.set("reward/" + names_[i] + "/" + type + "_mean", mean_std(v).first);
  }
  if (!totals_.empty())
    stats.set("format_ok_fraction", static_cast<double>(format_ok_) / static_cast<double>(totals_.size()));
}

}  // namespace vsr::train
