#pragma once
/// @file
/// Training checkpoints: everything a run needs to continue exactly where it stopped (the LoRA adapter in PEFT's
/// format, the AdamW state, the step, the data position and the random-number generators), written into
/// `checkpoints/.tmp-step-N` and then renamed to `checkpoints/step-N`, so a crash never leaves a half checkpoint.
/// Each checkpoint carries `manifest.json` (io/checkpoint_manifest.hpp: every file's size and SHA-256, the step, the
/// hash of the run's resume-relevant configuration, kept beside it as `config.ini`); a resume verifies it.

#include "vsr/core/data_order.hpp"

#include <ATen/core/Generator.h>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vsr::train {

class AdamW;
class LoraAdapters;

/// The trainer's scalar state.
struct TrainState {
  std::int64_t step = 0;                               ///< optimizer steps completed
  DataPosition data;                                   ///< where the data order stands
  nlohmann::json extra = nlohmann::json::object();     ///< callbacks' state (best evaluation, patience, ...)
  std::int64_t world_size = 1;                         ///< data-parallel processes of the run (1 when absent)
};

/// The random-number generators a run draws from: the sampler's and LibTorch's default CPU generator (dropout).
struct RngStates {
  at::Generator* sampling = nullptr;  ///< the rollout sampler's generator
  bool include_default_cpu = true;    ///< also save/restore the default CPU generator
};

/// Writes checkpoint `state.step` of a run into `run_dir`/checkpoints/step-<N> (8 digits) atomically, with
/// `config_text` (io::resume_config of the run's resolved INI) as config.ini and the manifest last, and deletes all
/// but the newest `keep` checkpoints. Returns the checkpoint folder. A write that fails (disk full, a file-size
/// limit) removes the partial folder, keeps every earlier checkpoint and throws vsr::Error saying so.
std::filesystem::path save_checkpoint(const std::filesystem::path& run_dir, const LoraAdapters& adapters,
                                      const AdamW& optimizer, const TrainState& state, const RngStates& rng,
                                      std::int64_t keep, std::string_view config_text);
/// The newest complete checkpoint folder of a run (leftover `.tmp-*` folders of a crash are removed), if any;
/// complete means renamed into place, not verified (see choose_resume_checkpoint).
std::optional<std::filesystem::path> latest_checkpoint(const std::filesystem::path& run_dir);

/// The checkpoint a `--resume` continues from, and what the choice had to say.
struct ResumePoint {
  std::filesystem::path checkpoint;    ///< the newest checkpoint that matches its manifest
  std::vector<std::string> warnings;   ///< damaged newer checkpoints skipped; configuration changes forced through
};

/// The newest checkpoint of `run_dir` whose files match its manifest, which lists every file load_checkpoint needs
/// (newer damaged ones are skipped, each with a warning naming what was wrong, and with `set_aside_damaged` renamed
/// to `damaged-step-N`, so that pruning and later resumes no longer count them), if the run has any checkpoint. The
/// checkpoint must have been written with the same resume-relevant configuration as `config_text`: otherwise
/// vsr::Error listing the changed keys, unless `force`, which turns them into a warning. A checkpoint written before
/// manifests existed is taken unverified, with a warning. vsr::Error when checkpoints exist but none is intact.
/// In a data-parallel run rank 0 chooses and tells the others (Session).
std::optional<ResumePoint> choose_resume_checkpoint(const std::filesystem::path& run_dir, std::string_view config_text,
                                                    bool force, bool set_aside_damaged = false);

/// Restores adapters (weights in place), optimizer and generators from `checkpoint` and returns its state.
/// vsr::Error naming the file when something does not fit.
TrainState load_checkpoint(const std::filesystem::path& checkpoint, LoraAdapters& adapters, AdamW& optimizer,
                           const RngStates& rng);

}  // namespace vsr::train
