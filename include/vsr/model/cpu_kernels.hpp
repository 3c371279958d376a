#pragma once
/// @file
/// Which CPU kernel computes the few-row, gradient-free linear products of KV-cached decoding (Linear::forward and
/// the lm_head when a batch has at most 16 rows): the choice is made at run time from the CPU, and can be narrowed
/// for tests, benchmarks and side-by-side measurements. All kernels compute the same float32 products and differ
/// only in summation order; see docs/performance.md for the measurements behind each.

namespace vsr::model {

/// The few-row linear kernels, fastest last.
enum class FewRowKernel {
  kAten,     ///< at::linear (BLAS): CPUs without AVX-512, or inputs the fast kernels do not take
  kAvx512,   ///< AVX-512: bfloat16-exact weights as 32-column panels against broadcast inputs, float32 weights
             ///< streamed row by row against every input row held in registers
  kAmxBf16,  ///< Intel AMX tiles on bfloat16-exact weights, the input split into three exact bfloat16 parts
};

/// The kernel a few-row product of a bfloat16-exact weight uses on this machine now.
FewRowKernel few_row_kernel();

/// Allows (default) or forbids the AMX kernel in this process; the environment variable VSR_AMX=0 forbids it too.
void allow_amx_kernel(bool allowed);

/// "aten", "avx512" or "amx-bf16x3" (the name printed in `vsr perf` lines).
const char* to_string(FewRowKernel kernel);

}  // namespace vsr::model
