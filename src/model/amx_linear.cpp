// Few-row linear product on AMX tiles (see amx_linear.hpp). Tile registers: tmm0-3 accumulate 4 blocks of 16
// output features x 16 input rows, tmm4 holds 16 weight rows x 32 inputs (read straight from the [N, K] bfloat16
// weight), tmm5-7 the three bfloat16 parts of the input in the tile unit's pair-interleaved (VNNI) layout.
#include "amx_linear.hpp"

#include "vsr/runtime/parallel.hpp"


// GCC 12 reports the intrinsics' own undefined pass-through operands as maybe-uninitialized (a known false
// positive of avx512fintrin.h).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#include <immintrin.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <cpuid.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace vsr::model::detail {

namespace {

constexpr int kParts = 3;         // hi + lo + lo2: 3 x 8 significant bits cover float32's 24
constexpr std::int64_t kBlock = 16;  // output features per tile
constexpr std::int64_t kKStep = 32;  // inputs per tile product (16 bfloat16 pairs)

bool cpu_and_os_have_amx() {
  unsigned a = 0, b = 0, c = 0, d = 0;
  if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return false;
  const bool amx_bf16 = (d >> 22) & 1u, amx_tile = (d >> 24) & 1u;
  if (!amx_bf16 || !amx_tile) return false;
  constexpr long kReqXcompPerm = 0x1023, kXfeatureXtiledata = 18;
  return syscall(SYS_arch_prctl, kReqXcompPerm, kXfeatureXtiledata) == 0;
}

std::atomic<bool>& allowed_flag() {
  static std::atomic<bool> allowed{[] {
    const char* env = std::getenv("VSR_AMX");
    return !(env && std::strcmp(env, "0") == 0);
  }()};
  return allowed;
}

/// The 64-byte tile configuration of palette 1: every tile 16 rows x 64 bytes.
struct alignas(64) TileConfig {
  std::uint8_t palette = 1;
  std::uint8_t start_row = 0;
  std::uint8_t reserved[14] = {};
  std::uint16_t colsb[16] = {};
  std::uint8_t rows[16] = {};
};

/// x's rows split into three bfloat16 parts, laid out as B tiles: [part][K / 32][16 pairs][16 rows][2].
__attribute__((target("avx512f,avx512bw"))) void split_input(const float* x, std::int64_t M, std::int64_t K,
                                                             std::uint32_t* out) {
  const std::int64_t k_blocks = K / kKStep;
  std::memset(out, 0, sizeof(std::uint32_t) * kParts * k_blocks * 16 * 16);
  const __m512i round_bias = _mm512_set1_epi32(0x7fff), one = _mm512_set1_epi32(1);
  const __m512i top = _mm512_set1_epi32(static_cast<int>(0xffff0000u)), exp_mask = _mm512_set1_epi32(0x7f800000);
  alignas(64) std::uint16_t parts[kParts][16];
  for (std::int64_t m = 0; m < M; ++m) {
    for (std::int64_t k = 0; k < K; k += 16) {
      __m512 rest = _mm512_loadu_ps(x + m * K + k);
      // Non-finite inputs go whole into the first part (the product is then inf or nan, as in float32).
      const __mmask16 finite =
          _mm512_cmpneq_epi32_mask(_mm512_and_si512(_mm512_castps_si512(rest), exp_mask), exp_mask);
      for (int p = 0; p < kParts; ++p) {
        const __m512i u = _mm512_castps_si512(rest);
        const __m512i rounded = _mm512_and_si512(
            _mm512_add_epi32(_mm512_add_epi32(u, round_bias), _mm512_and_si512(_mm512_srli_epi32(u, 16), one)), top);
        const __m512i part = _mm512_mask_blend_epi32(finite, p == 0 ? u : _mm512_setzero_si512(), rounded);
        _mm256_store_si256(reinterpret_cast<__m256i*>(parts[p]), _mm512_cvtepi32_epi16(_mm512_srli_epi32(part, 16)));
        rest = _mm512_maskz_sub_ps(finite, rest, _mm512_castsi512_ps(part));
      }
      const std::int64_t kb = k / kKStep, pair0 = (k % kKStep) / 2;
      for (int p = 0; p < kParts; ++p) {
        std::uint32_t* tile = out + ((p * k_blocks + kb) * 16) * 16;
        for (int i = 0; i < 8; ++i)
          tile[(pair0 + i) * 16 + m] = std::uint32_t(parts[p][2 * i]) | (std::uint32_t(parts[p][2 * i + 1]) << 16);
      }
    }
  }
}

/// Output features [n0, n0 + 16 * blocks) for all rows: `blocks` (1..4) accumulator tiles, one pass over K.
template <int Blocks>
__attribute__((target("amx-tile,amx-bf16"))) void tile_rows(const std::uint16_t* w, std::int64_t K,
                                                            const std::uint32_t* xb, std::int64_t n0,
                                                            float (*c)[16][16]) {
  const std::int64_t k_blocks = K / kKStep;
  _tile_zero(0);
  if constexpr (Blocks > 1) _tile_zero(1);
  if constexpr (Blocks > 2) _tile_zero(2);
  if constexpr (Blocks > 3) _tile_zero(3);
  for (std::int64_t kb = 0; kb < k_blocks; ++kb) {
    const std::uint32_t* b = xb + kb * 256;
    _tile_loadd(5, b, 64);
    _tile_loadd(6, b + k_blocks * 256, 64);
    _tile_loadd(7, b + 2 * k_blocks * 256, 64);
    const std::uint16_t* a = w + ((n0 / kBlock) * k_blocks + kb) * (kBlock * kKStep);
#define VSR_AMX_BLOCK(i)                                         \
  _tile_loadd(4, a + (i) * k_blocks * (kBlock * kKStep), 64); \
  _tile_dpbf16ps(i, 4, 5);                 \
  _tile_dpbf16ps(i, 4, 6);                 \
  _tile_dpbf16ps(i, 4, 7);
    VSR_AMX_BLOCK(0)
    if constexpr (Blocks > 1) { VSR_AMX_BLOCK(1) }
    if constexpr (Blocks > 2) { VSR_AMX_BLOCK(2) }
    if constexpr (Blocks > 3) { VSR_AMX_BLOCK(3) }
#undef VSR_AMX_BLOCK
  }
  _tile_stored(0, c[0], 64);
  if constexpr (Blocks > 1) _tile_stored(1, c[1], 64);
  if constexpr (Blocks > 2) _tile_stored(2, c[2], 64);
  if constexpr (Blocks > 3) _tile_stored(3, c[3], 64);
}

constexpr TileConfig every_tile_16x64() {
  TileConfig config;
  for (int t = 0; t < 8; ++t) {
    config.rows[t] = 16;
    config.colsb[t] = 64;
  }
  return config;
}

/// A constant in read-only memory: GCC 12 does not see _tile_loadconfig read its operand, so a stack copy's stores
/// can be dropped as dead.
constexpr TileConfig kTileConfig = every_tile_16x64();

__attribute__((target("amx-tile,amx-bf16"))) void load_tile_config() { _tile_loadconfig(&kTileConfig); }

__attribute__((target("amx-tile"))) void release_tiles() { _tile_release(); }

/// One accumulator tile (16 features x 16 rows) into y [M, N] at feature n0, plus the bias.
void write_block(const float (*c)[16], std::int64_t M, const float* bias, float* y, std::int64_t N, std::int64_t n0) {
  for (std::int64_t m = 0; m < M; ++m)
    for (std::int64_t r = 0; r < kBlock; ++r) y[m * N + n0 + r] = c[r][m] + (bias ? bias[n0 + r] : 0.0f);
}

/// Rows of w past the last whole tile: plain float32 dot products of the widened weights.
void scalar_rows(const float* x, std::int64_t M, std::int64_t K, const std::uint16_t* w, const float* bias, float* y,
                 std::int64_t N, std::int64_t n0) {
  for (std::int64_t n = n0; n < N; ++n)
    for (std::int64_t m = 0; m < M; ++m) {
      float s = 0.0f;
      for (std::int64_t k = 0; k < K; ++k) {
        const std::uint32_t bits = std::uint32_t(w[n * K + k]) << 16;
        float wv;
        std::memcpy(&wv, &bits, sizeof wv);
        s += wv * x[m * K + k];
      }
      y[m * N + n] = s + (bias ? bias[n] : 0.0f);
    }
}

}  // namespace

bool amx_usable() {
  static const bool hardware = cpu_and_os_have_amx();
  return hardware && allowed_flag().load(std::memory_order_relaxed);
}

void set_amx_allowed(bool allowed) { allowed_flag().store(allowed, std::memory_order_relaxed); }

void amx_pack_weight(const std::uint16_t* w, std::int64_t N, std::int64_t K, std::uint16_t* out) {
  const std::int64_t whole = N / kBlock, k_blocks = K / kKStep;
  for (std::int64_t b = 0; b < whole; ++b)
    for (std::int64_t kb = 0; kb < k_blocks; ++kb)
      for (std::int64_t r = 0; r < kBlock; ++r)
        std::memcpy(out + ((b * k_blocks + kb) * kBlock + r) * kKStep, w + (b * kBlock + r) * K + kb * kKStep,
                    kKStep * sizeof(std::uint16_t));
  std::memcpy(out + whole * kBlock * K, w + whole * kBlock * K, (N - whole * kBlock) * K * sizeof(std::uint16_t));
}

void amx_linear_bf16(const float* x, std::int64_t M, std::int64_t K, const std::uint16_t* w, const float* bias,
                     float* y, std::int64_t N) {
  std::vector<std::uint32_t> xb(static_cast<std::size_t>(kParts * (K / kKStep) * 256));
  split_input(x, M, K, xb.data());
  const std::int64_t groups = N / (4 * kBlock), whole = N / kBlock;
  // Chunks of at least ~128K weights (256 KB): below that a parallel region costs more than it saves.
  const std::int64_t grain = std::max<std::int64_t>(1, (std::int64_t{1} << 17) / (4 * kBlock * K));
  vsr::parallel_for(0, groups, grain, [&](std::int64_t g0, std::int64_t g1) {
    load_tile_config();
    alignas(64) float c[4][16][16];
    for (std::int64_t g = g0; g < g1; ++g) {
      tile_rows<4>(w, K, xb.data(), g * 4 * kBlock, c);
      for (int b = 0; b < 4; ++b) write_block(c[b], M, bias, y, N, (g * 4 + b) * kBlock);
    }
    release_tiles();
  });
  if (groups * 4 < whole) {
    load_tile_config();
    alignas(64) float c[4][16][16];
    for (std::int64_t blk = groups * 4; blk < whole; ++blk) {
      tile_rows<1>(w, K, xb.data(), blk * kBlock, c);
      write_block(c[0], M, bias, y, N, blk * kBlock);
    }
    release_tiles();
  }
  scalar_rows(x, M, K, w, bias, y, N, whole * kBlock);
}

}  // namespace vsr::model::detail
