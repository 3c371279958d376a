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

/// Applies the options: tunes the allocator (keep_freed_memory), sets LibTorch's thread count and global seed;
/// checks that the device exists (a clear vsr::Error if CUDA is asked for in a CPU build or when no GPU is visible).
void apply_runtime(const RuntimeOptions& options);

/// glibc malloc settings for LibTorch's pattern of freeing and re-allocating the same multi-megabyte blocks (decode
/// steps): blocks up to 32 MB come from the heap and up to 1 GB of freed heap is kept, so a re-allocation does not
/// page-fault fresh memory (see docs/performance.md). Idempotent; a no-op off glibc.
void keep_freed_memory();

/// Number of intra-op threads LibTorch will use now.
int current_threads();

}  // namespace vsr
