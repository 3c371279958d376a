#pragma once
// Private to src/model: y = x W^T + b for the few-row inputs of KV-cached decoding (one row per sequence, e.g. the
// 14 rollouts of a GRPO group), where BLAS packs the whole weight for each call and runs far below the machine's
// memory bandwidth. Float32 weights: each weight row streamed once against all input rows held in registers.
// Bfloat16-exact weights: an exact bfloat16 copy in panels of 32 output columns against broadcast inputs (AVX-512
// FMA; picked at run time; on AMX CPUs these weights go to amx_linear.hpp). Same operation as at::linear, summed in a
// different order (float32 rounding differences only).

#include <ATen/core/Tensor.h>

namespace vsr::model::detail {

/// Most input rows the kernel takes (the row count a decode step has per sequence batch).
inline constexpr std::int64_t kSkinnyMaxRows = 16;

/// Whether this CPU runs the AVX-512 kernel (AVX-512 F/DQ and FMA).
bool cpu_has_avx512();

/// x [..., K] (at most kSkinnyMaxRows rows in all) times weight [N, K]^T plus bias [N] (may be undefined), when the
/// fast kernel applies: CPU float32 contiguous tensors, K a multiple of 16, autograd off (GradMode), an AVX-512 CPU.
/// Returns an undefined tensor otherwise (the caller then uses at::linear).
at::Tensor skinny_linear(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias);

}  // namespace vsr::model::detail
