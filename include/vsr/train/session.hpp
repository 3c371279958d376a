#pragma once
/// @file
/// The compiled core of every training recipe: one object that owns the model, its LoRA adapters, the tokenizer and
/// sample encoder, the AdamW optimizer and schedule, the sampler's generator, the training questions and their order,
/// the run folder, the metrics log and the checkpoints. The header-only recipes (vsr::Experiment, train/*_step.hpp)
/// call its few entry points: sample rollouts, teacher-forced log-probs with and without the adapters, one optimizer
/// update with clipping and NaN skipping, checkpoint and resume.

#include "vsr/core/config.hpp"
#include "vsr/core/data_order.hpp"
#include "vsr/core/metrics_log.hpp"
#include "vsr/core/run_dir.hpp"
#include "vsr/data/sample.hpp"
#include "vsr/eval/evaluator.hpp"
#include "vsr/model/sample_encoder.hpp"
#include "vsr/model/sampler.hpp"
#include "vsr/train/checkpoint.hpp"
#include "vsr/train/distributed.hpp"
#include "vsr/train/lora.hpp"
#include "vsr/train/options.hpp"
#include "vsr/train/step_stats.hpp"

#include <ATen/core/Generator.h>
#include <ATen/core/Tensor.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace vsr {
struct RuntimeOptions;
}

namespace vsr::train {

/// The command-line arguments every recipe takes (outside any section).
struct RunArguments {
  std::string model;         ///< --model: Hugging Face Qwen2-VL folder (the base / reference policy)
  std::string tokenizer;     ///< --tokenizer: tokenizer folder (default: the model folder)
  std::string train;         ///< --train: training questions (vsr data build JSONL or VSI-Bench-format file)
  std::string eval;          ///< --eval: evaluation questions, evaluated after training (optional)
  std::string video_root;    ///< --video-root: where `{dataset}/{scene_name}.mp4` lives for records without `video`
  std::string out;           ///< --out: the run folder
  std::string init_adapter;  ///< --init-adapter: start from this PEFT adapter instead of a fresh one
  bool resume = false;       ///< --resume: continue from the newest intact checkpoint in --out
  bool resume_force = false; ///< --resume-force: resume even when the configuration changed (the changes printed)
  bool skip_invalid = false; ///< --skip-invalid: drop the records the pre-flight check rejects instead of stopping

  /// Declares the flags on `set` (the config's top level).
  void describe(OptionSet set);
  /// vsr::Error naming the missing flag.
  void validate() const;
};

/// One rollout group: G completions of one question.
struct RolloutGroup {
  std::vector<std::vector<std::int64_t>> tokens;  ///< each completion's ids (stop token included when sampled)
  std::vector<std::string> texts;                 ///< decoded completions (special tokens and stop removed)
  at::Tensor logprobs;                            ///< float32 [G, T]: sampling-time log-probs (0 after the end)
  model::MultimodalInputs prompt;                 ///< the prompt (a batch of one)
  std::int64_t new_tokens = 0;                    ///< tokens generated in all
  std::vector<bool> truncated;                    ///< per completion: ended without a stop token (budget reached)
  std::int64_t max_new_tokens = 0;                ///< the budget, sampling.max_new_tokens
  double seconds = 0.0;                           ///< wall time of encoding + sampling
};

/// The outcome of one optimizer update.
struct UpdateOutcome {
  double lr = 0.0;         ///< the learning rate used
  double grad_norm = 0.0;  ///< global gradient norm before clipping (NaN/Inf when not finite)
  bool skipped = false;    ///< true when loss or gradients were not finite: nothing was applied
};

/// Everything a recipe needs, loaded from its options (see the .cpp for the order of set-up).
///
/// Data parallelism (docs/distributed.md): when the environment names a job of several processes (RANK,
/// WORLD_SIZE, ...), the session joins it. Each rank takes its contiguous slice of every global batch (DataOrder),
/// the step templates scale their local loss by global_share() so that summing gradients over ranks gives the
/// single-process loss of the global batch in every aggregation mode, update() sums the adapters' gradients over
/// ranks before clipping, and reduce_stats() makes every rank see the global step statistics. Rollouts are seeded
/// per question (seed and the question's global position in the data order), so they are the same at any world size.
/// Only rank 0 (is_main) writes the run folder: config, run.json, log, metrics, checkpoints, adapter.
class Session {
 public:
  /// Loads model, tokenizer, adapters (fresh, --init-adapter, or the newest intact checkpoint with --resume),
  /// questions, and opens the run folder (writing config.ini and run.json). `recipe` fields go into run.json.
  /// `prepare`, when given, runs once the model stack and the questions are loaded, before the resume and before
  /// anything is written to the run folder (run_recipe sets the evaluation options and runs preflight() there).
  Session(const RunArguments& args, const RuntimeOptions& runtime, const TrainOptions& train,
          const LoraOptions& lora, const model::VideoOptions& video, const vision::ProcessorOptions& processor,
          const model::SamplingOptions& sampling, const Config& config, nlohmann::json recipe,
          const std::function<void(Session&)>& prepare = {});
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  /// Optimizer steps completed (after a resume: the checkpoint's step).
  std::int64_t step() const { return state_.step; }
  /// The trainer state (data position, callbacks' extra state).
  TrainState& state() { return state_; }
  /// [train] options.
  const TrainOptions& options() const { return train_; }
  /// The run arguments.
  const RunArguments& arguments() const { return args_; }
  /// The run folder.
  const RunDir& run_dir() const { return run_dir_; }
  /// The metrics log (rows up to the resumed step are kept); rank 0 only (vsr::Error elsewhere).
  MetricsLog& metrics();
  /// The model (policy with adapters on; reference with them off).
  model::Qwen2VL& model() { return *model_; }
  /// The adapters being trained.
  LoraAdapters& adapters() { return *adapters_; }
  /// The sample encoder.
  const model::SampleEncoder& encoder() const { return *encoder_; }
  /// The training questions.
  const std::vector<data::Sample>& samples() const { return samples_; }
  /// Whether this run resumed from a checkpoint.
  bool resumed() const { return resumed_; }
  /// The data-parallel process group (a single process when the environment names none).
  const Distributed& distributed() const { return *dist_; }
  /// Whether this process writes the run folder (rank 0).
  bool is_main() const { return dist_->is_main(); }
  /// local_count / (sum of local_count over ranks): the factor that turns this rank's locally averaged loss into
  /// its part of the global average (counts are sequences or tokens, as the loss averages). Exactly 1 on a single
  /// process; 1 / world_size when the global count is 0.
  double global_share(double local_count) const;
  /// Sum of `values` over ranks (element-wise; unchanged on a single process).
  std::vector<double> global_sum(std::vector<double> values) const { return dist_->all_reduce_sum(std::move(values)); }
  /// Maximum of `values` over ranks (element-wise).
  std::vector<double> global_max(std::vector<double> values) const { return dist_->all_reduce_max(std::move(values)); }
  /// The global statistics of a step from every rank's local ones (identical on all ranks): columns ending in _min
  /// take the minimum, _max and the wall times (step_time_s, rollout_time_s) the maximum, throughputs (tok_per_s)
  /// and answer_tokens the sum, every other column the mean over the ranks that have it (the step templates weight
  /// their loss columns so that this mean is the global loss). `stats` is returned as is on a single process.
  StepStats reduce_stats(const StepStats& stats) const;

  /// The questions of the next micro-batch (train.batch_size of them), in the seeded epoch order.
  std::vector<const data::Sample*> next_batch();
  /// G completions of `sample` asked with user text `text`, sampled with [sampling] (the prompt is prefilled once);
  /// adapters on, dropout off, no autograd.
  RolloutGroup rollout(const data::Sample& sample, const std::string& text, std::int64_t group_size);
  /// Token log-probs [B, L] of the batch's rows (0 outside batch.mask): with autograd and adapter dropout when
  /// `train` is true (the policy being optimised), without either otherwise. `groups`, when given, are the batches
  /// `batch` was stacked from, one per prompt (SampleEncoder::with_completions): each group's prompt and pictures
  /// then run once (Qwen2VL::forward_shared_prompt) instead of once per row. That needs the rows of a group to see
  /// the same prompt, so it is used when no adapter dropout applies (`train` false, or lora.dropout 0).
  at::Tensor logprobs(const model::CompletionBatch& batch, bool train,
                      std::span<const model::CompletionBatch> groups = {});
  /// Token log-probs [B, L] under the reference policy: the same model with its adapters off, no autograd.
  at::Tensor reference_logprobs(const model::CompletionBatch& batch,
                                std::span<const model::CompletionBatch> groups = {});
  /// Backpropagates `loss` scaled by 1 / train.grad_accum (gradients accumulate into the adapters).
  void backward(const at::Tensor& loss);
  /// Ends an optimizer step: clips the gradient norm, skips the update when `loss_finite` is false or a gradient
  /// is not finite, otherwise takes an AdamW step at the scheduled learning rate; zeroes the gradients and counts
  /// the step (skipped or not).
  UpdateOutcome update(bool loss_finite);
  /// The evaluation questions (--eval), read on first use; empty without --eval.
  const std::vector<data::Sample>& eval_samples();
  /// Evaluates the current policy (adapters on, no dropout) on --eval with `policy` and the [eval] options into
  /// `out_dir` (resumable predictions, official VSI-Bench scores and table); a non-empty `prompt` replaces
  /// eval.prompt (official | train | mode). vsr::Error without --eval.
  eval::EvalRun evaluate(const eval::PromptPolicy& policy, const std::filesystem::path& out_dir,
                         const std::string& prompt = {});
  /// The [eval] options used by evaluate().
  void set_eval_options(const eval::EvalOptions& options) { eval_options_ = options; }
  /// The pre-flight check (model/preflight.hpp) of the training records, asked in prompt mode `mode` with the
  /// rollout budget, and of the --eval records (evaluation budget): every problem is printed (rank 0), then the run
  /// stops with vsr::Error, or with --skip-invalid the records with problems are dropped and counted in the log.
  /// Call once, from the constructor's `prepare` hook (after set_eval_options).
  void preflight(const eval::PromptPolicy& mode);
  /// Writes a checkpoint of the current state now (metrics.h5 included); on ranks other than 0 writes nothing and
  /// returns the folder rank 0 writes.
  std::filesystem::path save_checkpoint();
  /// Saves the final adapter to `out`/adapter, metrics.h5 and run.json with status "finished" (rank 0 only).
  void finish();
  /// Whether a preemption signal (train/preemption.hpp) reached any rank: every rank gets the same answer, so all
  /// stop after the same step. Called after each step by Experiment::run; once true, preempted() is true.
  bool preemption_requested();
  /// The signal that stopped this run (SIGTERM or SIGUSR1), 0 when it was not preempted.
  int preempted() const { return preempted_by_; }
  /// Records the preemption after the final checkpoint: run.json status "preempted", a log line (rank 0 only).
  void mark_preempted();
  /// Appends `line` to the run's log.txt (rank 0 only).
  void log(const std::string& line) const;
  /// Marks the current step's wall time start (for the step_time_s column).
  double seconds_since_step_start() const;
  /// Restarts the step timer.
  void start_step_timer();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::unique_ptr<Distributed> dist_;
  RunArguments args_;
  TrainOptions train_;
  RunDir run_dir_;
  TrainState state_;
  bool resumed_ = false;
  int preempted_by_ = 0;
  std::unique_ptr<model::Qwen2VL> model_;
  std::unique_ptr<text::Tokenizer> tokenizer_;
  std::unique_ptr<model::SampleEncoder> encoder_;
  std::optional<LoraAdapters> adapters_;
  std::unique_ptr<MetricsLog> metrics_;
  std::vector<data::Sample> samples_;
  std::optional<std::vector<data::Sample>> eval_samples_;
  eval::EvalOptions eval_options_;
};

}  // namespace vsr::train
