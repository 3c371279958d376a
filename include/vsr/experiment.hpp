#pragma once
/// @file
/// A training recipe composed at compile time from policies, and the main() of an experiment program:
///
///     using Recipe = vsr::Experiment<vsr::algo::Grpo, vsr::prompt::Vanilla,
///                                    vsr::reward::Sum<vsr::reward::Accuracy>, vsr::kl::K3>;
///     int main(int argc, char** argv) { return vsr::main<Recipe>(argc, argv, "configs/vsgrpo_2b.ini"); }
///
/// Every number (beta, lr, group size, frames, temperature) is run-time configuration; the template arguments
/// choose what code runs (kl::None has no reference forward pass at all). Wrong combinations fail to compile with
/// a message saying why. See docs/policies.md and docs/training.md.

#include "vsr/algo/dpo.hpp"
#include "vsr/algo/grpo.hpp"
#include "vsr/algo/sft.hpp"
#include "vsr/algo/variants.hpp"
#include "vsr/cb/checkpoint.hpp"
#include "vsr/cb/early_stop.hpp"
#include "vsr/cb/hooks.hpp"
#include "vsr/cb/metrics_log.hpp"
#include "vsr/cb/progress_bar.hpp"
#include "vsr/concepts.hpp"
#include "vsr/eval/evaluator.hpp"
#include "vsr/kl/none.hpp"
#include "vsr/kl/options.hpp"
#include "vsr/reward/accuracy.hpp"
#include "vsr/reward/sum.hpp"
#include "vsr/train/dpo_step.hpp"
#include "vsr/train/grpo_step.hpp"
#include "vsr/train/recipe_runner.hpp"
#include "vsr/train/reward_parts.hpp"
#include "vsr/train/sft_step.hpp"

#include <functional>
#include <tuple>
#include <typeindex>
#include <typeinfo>
#include <type_traits>
#include <utility>
#include <vector>

namespace vsr {

/// A training recipe: algorithm A (algo::Grpo or a variant of algo/variants.hpp, algo::Sft, algo::Dpo), prompt mode
/// P (prompt::Think, Observe, Vanilla), reward R (a reward or reward::Sum of rewards; used by the GRPO family) and
/// KL setting K (kl::None, K1, K2, K3, K3Clamped; GRPO family only). The algorithm's own `Steps` class does each step.
template <Algorithm A, PromptMode P, Reward R = reward::Sum<reward::Accuracy>, KlSetting K = kl::None>
  requires AlgorithmFor<A, P, R, K>
class Experiment {
  static_assert(reward::kFitsMode<R, P>,
                "vsr::Experiment: a format-based reward (reward::Format, reward::Length) needs a prompt mode with a "
                "format (prompt::Think or prompt::Observe); prompt::Vanilla has none");
  static_assert(A::kUsesRollouts || std::is_same_v<K, kl::None>,
                "vsr::Experiment: a KL setting applies to GRPO only; SFT and DPO take kl::None (DPO's reference is "
                "built in)");

 public:
  using AlgorithmType = A;  ///< the training algorithm
  using Mode = P;        ///< the prompt mode
  using RewardType = R;  ///< the reward
  using Kl = K;          ///< the KL setting

  A algo;      ///< algorithm policy (options from its section)
  P mode;      ///< prompt mode
  R reward;    ///< reward (options from [reward] and the components' sections)
  K kl;        ///< KL setting (options from [kl])

  /// Registers the recipe's sections on `cfg`; apply() copies the parsed values in.
  void add_options(Config& cfg) {
    if constexpr (requires { A::kSettings; }) cfg.add_recipe_settings(A::kSettings, "algorithm " + std::string(A::kName));
    auto& algo_options = cfg.add<typename A::Options>();
    appliers_.push_back([this, &algo_options] {
      if constexpr (requires { algo_options.validate(); }) algo_options.validate();
      algo.options = algo_options;
    });
    if constexpr (requires { kl.options; }) {
      auto& kl_options = cfg.add<kl::KlOptions>();
      appliers_.push_back([this, &kl_options] { kl.options = kl_options; });
    }
    if constexpr (A::kUsesRollouts && reward::kIsSum<R>) {
      auto& weights = cfg.add<RewardWeights>();
      appliers_.push_back([this, &weights] { reward.weights = weights.values; });
      std::apply([&](auto&... part) { (add_part_options(cfg, part), ...); }, reward.parts);
    } else if constexpr (A::kUsesRollouts) {
      add_part_options(cfg, reward);
    }
  }
  /// Copies the parsed option values into the policies.
  void apply() {
    for (auto& f : appliers_) f();
  }
  /// The recipe for run.json.
  nlohmann::json describe() const {
    nlohmann::json j{{"algorithm", A::kName}, {"prompt_mode", P::kName}, {"kl", K::kName}};
    if constexpr (requires { A::parts(); }) j["algorithm_parts"] = A::parts();
    j["rewards"] = A::kUsesRollouts ? train::reward_names<R>() : std::vector<std::string>{};
    if constexpr (K::kNeedsReference) {
      j["beta"] = kl.beta();
    } else {
      j["beta"] = 0.0;
    }
    return j;
  }
  /// Trains until train.steps, a callback stops it or a preemption signal arrives (train/preemption.hpp: the step
  /// finishes, then on_end runs, where cb::Checkpoint saves); callbacks see every step in the order given.
  template <class... Callbacks>
  void run(train::Session& s, Callbacks&... callbacks) {
    (cb::begin(callbacks, s), ...);
    while (s.step() < s.options().steps) {
      const train::StepStats stats = s.reduce_stats(step(s));  // global statistics, the same on every rank
      bool stop = false;
      ((stop = cb::step(callbacks, s, stats) || stop), ...);
      const bool preempted = s.preemption_requested();  // every rank, every step (a collective in a multi-rank job)
      const std::int64_t every = s.options().eval_every;
      if (!preempted && every > 0 && s.step() % every == 0 && !s.arguments().eval.empty()) {
        const auto result = s.evaluate(eval::prompt_policy<P>(prompt::Stage::Train, mode),
                                       s.run_dir().file("eval_steps") / ("step-" + std::to_string(s.step())));
        ((stop = cb::eval(callbacks, s, result.aggregate) || stop), ...);
      }
      if (stop || preempted) break;  // SIGTERM / SIGUSR1: the callbacks' on_end saves a checkpoint
    }
    (cb::end(callbacks, s), ...);
  }

 private:
  /// [reward] weights named after the Sum's components.
  struct RewardWeights : reward::SumWeights<R::kCount> {
    RewardWeights() { this->names = R::kNames; }
  };

  /// Registers a reward component's options (its `options` member) and copies them in on apply(), after their
  /// `validate()` when they have one.
  template <class Part>
  void add_part_options(Config& cfg, Part& part) {
    if constexpr (requires { part.options; Part{}.options.describe(std::declval<OptionSet&>()); }) {
      auto& options = part_options<std::remove_cvref_t<decltype(part.options)>>(cfg);
      appliers_.push_back([&part, &options] {
        if constexpr (requires { options.validate(); }) options.validate();
        part.options = options;
      });
    }
  }

  /// The options struct O registered on `cfg` once, however many components hold one (reward::Accuracy and
  /// reward::Mra share [reward] answer_rule).
  template <class O>
  O& part_options(Config& cfg) {
    for (const auto& [type, options] : part_options_)
      if (type == std::type_index(typeid(O))) return *static_cast<O*>(options);
    O& options = cfg.add<O>();
    part_options_.emplace_back(std::type_index(typeid(O)), &options);
    return options;
  }

  train::StepStats step(train::Session& s) { return steps_.step(s, algo, mode, reward, kl); }

  std::vector<std::function<void()>> appliers_;
  std::vector<std::pair<std::type_index, void*>> part_options_;  ///< components' options structs, one per type
  typename A::template Steps<P, R, K> steps_{};  ///< the algorithm's per-run step state
};

/// The main() of an experiment program: parses `--config FILE` (default `default_config`) and overrides, trains the
/// recipe with the standard callbacks (progress bar, metrics log, early stop, checkpoints), writes the adapter.
template <class Recipe>
int main(int argc, char** argv, const std::filesystem::path& default_config = {}) {
  Recipe recipe;
  train::RecipeHooks hooks;
  hooks.add_options = [&](Config& cfg) { recipe.add_options(cfg); };
  hooks.apply_options = [&] { recipe.apply(); };
  hooks.describe = [&] { return recipe.describe(); };
  hooks.mode_name = std::string(Recipe::Mode::kName);
  hooks.own_mode = eval::prompt_policy<typename Recipe::Mode>(prompt::Stage::Train, recipe.mode);
  hooks.train = [&](train::Session& s) {
    cb::ProgressBar progress;
    cb::MetricsLog metrics;
    cb::EarlyStop early_stop;
    cb::Checkpoint checkpoint;
    recipe.run(s, progress, metrics, early_stop, checkpoint);
  };
  return train::run_recipe(argc, argv, default_config, hooks);
}

}  // namespace vsr
