#include "vsr/runtime/runtime.hpp"

#include "vsr/core/error.hpp"
#include "vsr/runtime/torch_compat.hpp"

#include <ATen/Context.h>
#include <ATen/Parallel.h>
#include <torch/cuda.h>

#include <thread>

namespace vsr {

void apply_runtime(const RuntimeOptions& options) {
  int threads = options.threads;
  if (threads < 0) fail("<config>", "runtime.threads", "expected 0 (all cores) or a positive count");
  if (threads == 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  at::set_num_threads(threads);
  at::manual_seed(options.seed);
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
