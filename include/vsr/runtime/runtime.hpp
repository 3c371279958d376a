#pragma once
/// @file
/// Process-wide compute settings of a run: device, dtype, threads, seed (`[runtime]` section). LibTorch 1.13
/// defaults to half the cores (1 on a 2-core machine), so vsr sets the thread count explicitly.

#include "vsr/core/config.hpp"

#include <cstdint>
#include <string>

namespace vsr {

/// Options of the `[runtime]` section.
struct RuntimeOptions {
  static constexpr const char* kSection = "runtime";
  std::string device = "cpu";      ///< "cpu", "cuda" or "cuda:N"
  std::string dtype = "float32";   ///< "float32" or "bfloat16": the compute dtype of the model
  int threads = 0;                 ///< intra-op threads; 0 = all cores
  std::uint64_t seed = 1234;       ///< seed of every random generator in the run

  /// Declares the keys above.
  void describe(OptionSet& set) {
    set.add("device", device, "compute device: cpu, cuda or cuda:N")
        .add("dtype", dtype, "model compute dtype: float32 or bfloat16")
        .add("threads", threads, "intra-op CPU threads (0 = all cores)")
        .add("seed", seed, "seed of every random generator");
  }
};

/// Applies the options: sets LibTorch's thread count and global seed; checks that the device exists (a clear
/// vsr::Error if CUDA is asked for in a CPU build or when no GPU is visible).
void apply_runtime(const RuntimeOptions& options);

/// Number of intra-op threads LibTorch will use now.
int current_threads();

}  // namespace vsr
