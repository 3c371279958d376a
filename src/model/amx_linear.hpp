#pragma once
// Private to src/model: the few-row linear product on Intel AMX tiles for weights held as exact bfloat16 copies.
// The float32 input rows are split into three bfloat16 parts (hi + lo + lo2 == x exactly), so every product
// w * x is the exact float32 product and is accumulated in float32 by the tile unit: the result differs from
// at::linear by summation order only, like the AVX-512 kernel it replaces on AMX CPUs (Sapphire Rapids and later).

#include <cstdint>

namespace vsr::model::detail {

/// Whether the AMX path can run here: the CPU has AMX-TILE and AMX-BF16, the kernel granted this process the tile
/// state (arch_prctl ARCH_REQ_XCOMP_PERM, asked once), and it was not switched off (VSR_AMX=0 or set_amx_allowed).
bool amx_usable();

/// Allows or forbids the AMX path for this process (tests and side-by-side measurements of the other kernels).
void set_amx_allowed(bool allowed);

/// Re-lays the bfloat16 weight w [N, K] (K a multiple of 32) for amx_linear_bf16 into `out` (N * K values): each
/// 16-row x 32-column tile contiguous, the tiles of a 16-row block in K order, so a product streams the weight
/// front to back; the last N % 16 rows stay row-major at the end.
void amx_pack_weight(const std::uint16_t* w, std::int64_t N, std::int64_t K, std::uint16_t* out);

/// y [M, N] = x [M, K] w [N, K]^T (+ bias [N], may be null) with w packed by amx_pack_weight. Needs amx_usable(),
/// 1 <= M <= 16 and K a multiple of 32; any N (the last N % 16 rows are computed by a scalar loop).
void amx_linear_bf16(const float* x, std::int64_t M, std::int64_t K, const std::uint16_t* w, const float* bias,
                     float* y, std::int64_t N);

}  // namespace vsr::model::detail
