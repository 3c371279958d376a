#pragma once
/// @file
/// Options of the trainer, section [train]: steps, batch, optimizer (AdamW), schedule, clipping, checkpoints. The
/// paper's values live in configs/vsgrpo_2b.ini and configs/vsgrpo_7b.ini.

#include "vsr/core/config.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace vsr::train {

/// Section [train].
struct TrainOptions {
  static constexpr std::string_view kSection = "train";
  std::int64_t steps = 100;             ///< optimizer steps
  std::int64_t batch_size = 1;          ///< questions per micro-batch (per rank); GRPO samples G rollouts for each
  std::int64_t grad_accum = 1;          ///< micro-batches per optimizer step
  double lr = 1e-5;                     ///< peak learning rate (vsGRPO: 1e-5 for 2B, 5e-6 for 7B)
  std::string schedule = "constant";    ///< constant | cosine | linear (decay after warm-up)
  std::int64_t warmup_steps = 0;        ///< linear warm-up from 0 to lr
  double min_lr_ratio = 0.0;            ///< cosine/linear decay floor as a fraction of lr
  double weight_decay = 0.0;            ///< AdamW decoupled weight decay (TRL default 0)
  double adam_beta1 = 0.9;              ///< AdamW beta1
  double adam_beta2 = 0.999;            ///< AdamW beta2
  double adam_eps = 1e-8;               ///< AdamW epsilon
  double max_grad_norm = 1.0;           ///< global gradient-norm clip (0 = none)
  std::int64_t checkpoint_every = 50;   ///< steps between checkpoints (0 = only at the end)
  std::int64_t keep_checkpoints = 2;    ///< newest checkpoints kept
  std::int64_t eval_every = 0;          ///< steps between periodic evaluations (0 = none)
  std::int64_t early_stop_patience = 0; ///< stop after this many evaluations without improvement (0 = never)
  std::int64_t crash_after_step = 0;    ///< testing aid: abort (SIGKILL-like _exit) right after this step (0 = off)
  /// Also train every base weight (vision tower, embeddings, norms, decoder), not only the LoRA adapters: for making
  /// toy base models from random weights (tools/quickstart.sh). The run then writes OUT/model, the trained model
  /// with the adapters merged. vsGRPO itself trains LoRA adapters (paper section 4.2). Needs checkpoint_every 0 and
  /// no --resume (checkpoints hold adapters and their optimizer state only).
  bool full_weights = false;

  /// Declares the keys of [train].
  void describe(OptionSet& set);
  /// vsr::Error naming `origin` and the key on an unusable value.
  void validate(const std::string& origin = "[train]") const;
};

/// The learning rate at optimizer step `step` (0-based): linear warm-up over warmup_steps (step+1)/warmup * lr,
/// then constant, or cosine / linear decay to min_lr_ratio * lr at `steps` (transformers' get_*_schedule_with_warmup).
double learning_rate(const TrainOptions& options, std::int64_t step);

}  // namespace vsr::train
