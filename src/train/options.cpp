// [train] options and the learning-rate schedule.
#include "vsr/train/options.hpp"

#include "vsr/core/error.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace vsr::train {

void TrainOptions::describe(OptionSet& set) {
  set.add("steps", steps, "optimizer steps")
      .add("batch_size", batch_size, "questions per micro-batch and rank (GRPO samples G rollouts for each)")
      .add("grad_accum", grad_accum, "micro-batches per optimizer step")
      .add("lr", lr, "peak learning rate (vsGRPO: 1e-5 for 2B, 5e-6 for 7B)")
      .add("schedule", schedule, "constant | cosine | linear decay after warm-up")
      .add("warmup_steps", warmup_steps, "linear warm-up steps")
      .add("min_lr_ratio", min_lr_ratio, "cosine/linear decay floor, as a fraction of lr")
      .add("weight_decay", weight_decay, "AdamW decoupled weight decay")
      .add("adam_beta1", adam_beta1, "AdamW beta1")
      .add("adam_beta2", adam_beta2, "AdamW beta2")
      .add("adam_eps", adam_eps, "AdamW epsilon")
      .add("max_grad_norm", max_grad_norm, "clip the global gradient norm to this (0 = no clipping)")
      .add("checkpoint_every", checkpoint_every, "steps between checkpoints (0 = only at the end)")
      .add("keep_checkpoints", keep_checkpoints, "newest checkpoints kept")
      .add("eval_every", eval_every, "steps between evaluations on --eval (0 = none)")
      .add("early_stop_patience", early_stop_patience, "stop after this many evaluations without improvement (0 = never)")
      .add("crash_after_step", crash_after_step, "testing aid: exit abruptly right after this step (0 = off)")
      .add("full_weights", full_weights,
           "also train every base weight, not only LoRA (toy bases from random weights); writes OUT/model");
}

void TrainOptions::validate(const std::string& origin) const {
  if (steps < 1) fail(origin, "train.steps", "expected at least 1 step");
  if (batch_size < 1) fail(origin, "train.batch_size", "expected at least 1");
  if (grad_accum < 1) fail(origin, "train.grad_accum", "expected at least 1");
  if (!(lr >= 0.0)) fail(origin, "train.lr", "expected a learning rate >= 0");
  if (schedule != "constant" && schedule != "cosine" && schedule != "linear")
    fail(origin, "train.schedule", "expected constant, cosine or linear, got " + quote(schedule));
  if (warmup_steps < 0) fail(origin, "train.warmup_steps", "expected >= 0");
  if (full_weights && checkpoint_every != 0)
    fail(origin, "train.checkpoint_every", "expected 0 with train.full_weights (checkpoints hold adapters only)");
  if (min_lr_ratio < 0.0 || min_lr_ratio > 1.0) fail(origin, "train.min_lr_ratio", "expected a value in [0, 1]");
  if (adam_beta1 < 0.0 || adam_beta1 >= 1.0) fail(origin, "train.adam_beta1", "expected a value in [0, 1)");
  if (adam_beta2 < 0.0 || adam_beta2 >= 1.0) fail(origin, "train.adam_beta2", "expected a value in [0, 1)");
  if (!(adam_eps > 0.0)) fail(origin, "train.adam_eps", "expected a value > 0");
  if (max_grad_norm < 0.0) fail(origin, "train.max_grad_norm", "expected >= 0");
  if (checkpoint_every < 0) fail(origin, "train.checkpoint_every", "expected >= 0");
  if (keep_checkpoints < 1) fail(origin, "train.keep_checkpoints", "expected at least 1");
  if (eval_every < 0) fail(origin, "train.eval_every", "expected >= 0");
}

double learning_rate(const TrainOptions& o, std::int64_t step) {
  if (step < o.warmup_steps) return o.lr * static_cast<double>(step + 1) / static_cast<double>(o.warmup_steps);
  if (o.schedule == "constant") return o.lr;
  const double span = static_cast<double>(std::max<std::int64_t>(1, o.steps - o.warmup_steps));
  const double progress = std::clamp(static_cast<double>(step - o.warmup_steps) / span, 0.0, 1.0);
  const double factor = o.schedule == "cosine" ? 0.5 * (1.0 + std::cos(std::numbers::pi * progress)) : 1.0 - progress;
  return o.lr * (o.min_lr_ratio + (1.0 - o.min_lr_ratio) * factor);
}

}  // namespace vsr::train
