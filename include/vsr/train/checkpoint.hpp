#pragma once
/// @file
/// Training checkpoints: everything a run needs to continue exactly where it stopped (the LoRA adapter in PEFT's
/// format, the AdamW state, the step, the data position and the random-number generators), written into
/// `checkpoints/.tmp-step-N` and then renamed to `checkpoints/step-N`, so a crash never leaves a half checkpoint.

#include "vsr/core/data_order.hpp"

#include <ATen/core/Generator.h>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <optional>
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

/// Writes checkpoint `state.step` of a run into `run_dir`/checkpoints/step-<N> (8 digits) atomically and deletes
/// all but the newest `keep` checkpoints. Returns the checkpoint folder.
std::filesystem::path save_checkpoint(const std::filesystem::path& run_dir, const LoraAdapters& adapters,
                                      const AdamW& optimizer, const TrainState& state, const RngStates& rng,
                                      std::int64_t keep);
/// The newest complete checkpoint folder of a run (leftover `.tmp-*` folders of a crash are removed), if any.
std::optional<std::filesystem::path> latest_checkpoint(const std::filesystem::path& run_dir);
/// Restores adapters (weights in place), optimizer and generators from `checkpoint` and returns its state.
/// vsr::Error naming the file when something does not fit.
TrainState load_checkpoint(const std::filesystem::path& checkpoint, LoraAdapters& adapters, AdamW& optimizer,
                           const RngStates& rng);

}  // namespace vsr::train
