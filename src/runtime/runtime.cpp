#include "vsr/runtime/runtime.hpp"

#include "vsr/core/error.hpp"
#include "vsr/runtime/torch_compat.hpp"

#include <ATen/Context.h>
#include <ATen/Parallel.h>
#include <torch/cuda.h>

#include <cstdlib>
#include <thread>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace vsr {

void keep_freed_memory() {
#if defined(__GLIBC__)
  // LibTorch frees and re-allocates the same large blocks every decode step ([B, vocab] logits, 8.5 MB for 14 rows of
  // Qwen2-VL's 151936). With glibc's defaults each such block is an mmap/munmap or a heap trim, so every step pays
  // fresh page faults on megabytes of memory (profiled: half the tiny model's rollout time). Serving blocks up to
  // 32 MB (glibc's maximum) from the heap and keeping up to 1 GB of freed heap makes those re-allocations free.
  static const bool done = [] {
    mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
    mallopt(M_TRIM_THRESHOLD, 1024 * 1024 * 1024);
    mallopt(M_TOP_PAD, 64 * 1024 * 1024);
    return true;
  }();
  (void)done;
#endif
}

void apply_runtime(const RuntimeOptions& options) {
  keep_freed_memory();
  cache_large_cpu_blocks();
  int threads = options.threads;
  if (threads < 0) fail("<config>", "runtime.threads", "expected 0 (all cores) or a positive count");
  if (threads == 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  at::set_num_threads(threads);
  at::manual_seed(options.seed);
  if (options.deterministic) {
    ::setenv("CUBLAS_WORKSPACE_CONFIG", ":4096:8", 0);  // cuBLAS reads it at its first handle: before any GEMM
    at::globalContext().setDeterministicAlgorithms(true, false);
    at::globalContext().setBenchmarkCuDNN(false);
  }
  if (options.dtype != "float32" && options.dtype != "bfloat16")
    fail("<config>", "runtime.dtype", "expected float32 or bfloat16, got " + quote(options.dtype));
  if (options.device.rfind("cuda", 0) == 0) {
    if (!torch::cuda::is_available())
      fail("<config>", "runtime.device", "CUDA asked for but this build or machine has no usable GPU");
  } else if (options.device != "cpu") {
    fail("<config>", "runtime.device", "expected cpu, cuda or cuda:N, got " + quote(options.device));
  }
}

int current_threads() { return at::get_num_threads(); }

}  // namespace vsr
