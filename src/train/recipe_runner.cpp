// The shared main() of experiment programs: options, session, training, errors.
#include "vsr/train/recipe_runner.hpp"

#include "vsr/algo/dpo.hpp"
#include "vsr/algo/grpo.hpp"
#include "vsr/algo/sft.hpp"
#include "vsr/core/error.hpp"
#include "vsr/eval/report.hpp"
#include "vsr/kl/options.hpp"
#include "vsr/reward/answer_options.hpp"
#include "vsr/reward/length.hpp"
#include "vsr/model/sampler.hpp"
#include "vsr/runtime/runtime.hpp"
#include "vsr/train/preemption.hpp"

#include <csignal>
#include <cstdio>
#include <exception>

namespace vsr::train {

namespace fs = std::filesystem;

namespace {

fs::path resolve_config(const fs::path& file) {
  if (file.empty() || file.is_absolute() || fs::exists(file)) return file;
#ifdef VSR_SOURCE_DIR
  const fs::path in_tree = fs::path(VSR_SOURCE_DIR) / file;
  if (fs::exists(in_tree)) return in_tree;
#endif
  return file;
}

}  // namespace

void accept_recipe_sections(Config& cfg) {
  cfg.add_if_absent<algo::GrpoOptions>("grpo.num_generations");
  cfg.add_if_absent<algo::SftOptions>("sft.per_sequence");
  cfg.add_if_absent<algo::DpoOptions>("dpo.beta");
  cfg.add_if_absent<kl::KlOptions>("kl.beta");
  cfg.add_if_absent<reward::LengthOptions>("length.target_words");
  cfg.add_if_absent<reward::AnswerOptions>("reward.answer_rule");
}

int run_recipe(int argc, char** argv, const fs::path& default_config, const RecipeHooks& hooks) {
  const std::string program = fs::path(argv[0]).filename().string();
  try {
    Config cfg(program);
    RunArguments args;
    args.describe(cfg.top_level());
    auto& runtime = cfg.add<RuntimeOptions>();
    auto& train = cfg.add<TrainOptions>();
    auto& lora = cfg.add<LoraOptions>();
    auto& video = cfg.add<model::VideoOptions>();
    auto& processor = cfg.add<vision::ProcessorOptions>();
    auto& sampling = cfg.add<model::SamplingOptions>();
    auto& eval_options = cfg.add<eval::EvalOptions>();
    if (hooks.add_options) hooks.add_options(cfg);
    accept_recipe_sections(cfg);
    if (!cfg.parse(argc, argv, resolve_config(default_config))) return 0;
    if (hooks.apply_options) hooks.apply_options();
    nlohmann::json recipe = hooks.describe ? hooks.describe() : nlohmann::json::object();
    recipe["recipe"] = program;
    eval_options.validate();
    if (!args.eval.empty()) eval::eval_sets(eval_options, hooks.mode_name);  // a bad eval.sets fails before training
    install_preemption_handlers();
    std::signal(SIGXFSZ, SIG_IGN);  // a file-size limit (ulimit -f) fails the write with EFBIG: a vsr::Error, not a kill
    Session session(args, runtime, train, lora, video, processor, sampling, cfg, recipe, [&](Session& s) {
      s.set_eval_options(eval_options);
      s.preflight(hooks.own_mode);
    });
    hooks.train(session);
    // A preempted run keeps the handlers until it exits: a second signal during the shutdown (a scheduler's SIGTERM
    // after its SIGUSR1) must not turn exit 75 into a kill.
    if (!session.preempted()) restore_default_signal_handlers();
    const bool main = session.is_main();  // under a launcher only rank 0 prints and writes the report
    if (session.preempted()) {
      session.mark_preempted();
      session.distributed().barrier();  // no rank exits before rank 0 has written the checkpoint (torchrun)
      if (main)
        std::fprintf(stderr, "%s: preempted by signal %d after step %lld: checkpoint written; run the same command "
                             "with --resume to continue\n", program.c_str(), session.preempted(),
                     static_cast<long long>(session.step()));
      return kPreemptedExitCode;
    }
    session.finish();
    if (main)
      std::printf("%s: %lld steps; adapter in %s\n", program.c_str(), static_cast<long long>(session.step()),
                session.run_dir().file("adapter").string().c_str());
    if (!args.eval.empty()) {
      // The paper's evaluations (vanilla with VSI-Bench's prompts, the own mode with its training prompt) or eval.sets.
      for (const auto& set : eval::eval_sets(eval_options, hooks.mode_name)) {
        const auto stage = set.prompt == "train" ? prompt::Stage::Train : prompt::Stage::Eval;
        const bool own = set.mode == hooks.mode_name && set.prompt == "train" && hooks.own_mode.instruction;
        const auto policy = own ? hooks.own_mode : eval::prompt_policy_named(set.mode, stage, "eval.sets");
        const auto result = session.evaluate(policy, session.run_dir().file("eval") / set.name, set.prompt);
        if (main)
          std::printf("evaluation in %s mode (%s prompt):\n%s", set.mode.c_str(), set.prompt.c_str(),
                      result.table.c_str());
      }
    }
    if (!main) return 0;
    const std::vector<fs::path> runs{session.run_dir().path()};
    const auto report = eval::write_report(runs, session.run_dir().file("report"));
    if (!report.warning.empty()) std::fprintf(stderr, "%s: %s\n", program.c_str(), report.warning.c_str());
    return 0;
  } catch (const Error& e) {
    std::fprintf(stderr, "%s: error: %s\n", program.c_str(), e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: error: %s\n", program.c_str(), e.what());
    return 1;
  }
}

}  // namespace vsr::train
