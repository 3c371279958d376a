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
  double collective_timeout_s = 1800;  ///< data-parallel runs: longest wait for another rank in a collective
  bool deterministic = false;      ///< deterministic kernels only (CUDA: see docs/hardening.md, "Determinism")

  /// Declares the keys above.
  void describe(OptionSet& set) {
    set.add("device", device, "compute device: cpu, cuda or cuda:N")
        .add("dtype", dtype, "model compute dtype: float32 or bfloat16")
        .add("threads", threads, "intra-op CPU threads (0 = all cores)")
        .add("seed", seed, "seed of every random generator")
        .add("collective_timeout_s", collective_timeout_s,
             "data-parallel runs: a rank that waits longer than this for another one in a collective stops with an "
             "error (a dead or hung rank)")
        .add("deterministic", deterministic,
             "use only deterministic kernels (LibTorch's deterministic algorithms; CUBLAS_WORKSPACE_CONFIG=:4096:8 "
             "unless set); an operation without one then fails with an error");
  }
};

/// Applies the options: tunes the allocators (keep_freed_memory, cache_large_cpu_blocks), sets LibTorch's thread count and global seed;
/// checks that the device exists (a clear vsr::Error if CUDA is asked for in a CPU build or when no GPU is visible).
void apply_runtime(const RuntimeOptions& options);

/// glibc malloc settings for LibTorch's pattern of freeing and re-allocating the same multi-megabyte blocks (decode
/// steps): blocks up to 32 MB come from the heap and up to 1 GB of freed heap is kept, so a re-allocation does not
/// page-fault fresh memory (see docs/performance.md). Idempotent; a no-op off glibc.
void keep_freed_memory();

/// Installs a CPU allocator for LibTorch that serves blocks of 4 MB and more from whole 2 MB pages (transparent huge
/// pages asked for) and keeps freed ones for the next request of the same size, up to a quarter of the RAM or 4 GB
/// (VSR_CPU_BLOCK_CACHE_MB overrides; 0 turns it off). A training or log-probs pass allocates the same [rows, vocab]
/// logits and [vocab, hidden] gradients every step, beyond glibc's 32 MB heap limit: without it each one is a fresh
/// mmap whose page faults cost a fifth of the pass (see docs/performance.md). Idempotent; called by apply_runtime.
void cache_large_cpu_blocks();

/// Number of intra-op threads LibTorch will use now.
int current_threads();

}  // namespace vsr
