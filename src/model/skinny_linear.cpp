// Few-row linear layer for decode steps (see skinny_linear.hpp). Float32 weights: each weight row is read once and
// multiplied with every input row kept in AVX-512 registers. Bfloat16-exact weights: an exact bfloat16 copy packed in
// panels of 32 output columns, multiplied against broadcast input values, so no horizontal sums are needed; the work
// is split over output columns.
#include "skinny_linear.hpp"

#include "amx_linear.hpp"
#include "vsr/runtime/parallel.hpp"

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>
#include <c10/util/intrusive_ptr.h>

// GCC 12 reports the intrinsics' own undefined pass-through operands as maybe-uninitialized (a known false
// positive of avx512fintrin.h); nothing in this file reads uninitialised data.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#include <immintrin.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <mutex>
#include <utility>
#include <vector>

namespace vsr::model::detail {

namespace {

/// Sum of the 16 lanes.
__attribute__((target("avx512f,avx512dq,fma"))) inline float lane_sum(__m512 v) {
  const __m256 s8 = _mm256_add_ps(_mm512_extractf32x8_ps(v, 0), _mm512_extractf32x8_ps(v, 1));
  __m128 s4 = _mm_add_ps(_mm256_castps256_ps128(s8), _mm256_extractf128_ps(s8, 1));
  s4 = _mm_add_ps(s4, _mm_movehl_ps(s4, s4));
  s4 = _mm_add_ss(s4, _mm_movehdup_ps(s4));
  return _mm_cvtss_f32(s4);
}

/// 16 float32 weights.
__attribute__((target("avx512f,avx512dq,fma"))) inline __m512 load16(const float* p) { return _mm512_loadu_ps(p); }

/// Output rows [j0, j1) of y [M, N] = x [M, K] w[N, K]^T (+ bias), J weight rows at a time.
template <int M, int J, class W>
__attribute__((target("avx512f,avx512dq,fma"))) void kernel(const float* x, std::int64_t K, const W* w, const float* bias,
                                                   float* y, std::int64_t N, std::int64_t j0, std::int64_t j1) {
  std::int64_t j = j0;
  for (; j + J <= j1; j += J) {
    __m512 acc[J][M];
    for (int r = 0; r < J; ++r)
      for (int m = 0; m < M; ++m) acc[r][m] = _mm512_setzero_ps();
    for (std::int64_t k = 0; k < K; k += 16) {
      __m512 wv[J];
      for (int r = 0; r < J; ++r) wv[r] = load16(w + (j + r) * K + k);
      for (int m = 0; m < M; ++m) {
        const __m512 xv = _mm512_loadu_ps(x + m * K + k);
        for (int r = 0; r < J; ++r) acc[r][m] = _mm512_fmadd_ps(xv, wv[r], acc[r][m]);
      }
    }
    for (int r = 0; r < J; ++r)
      for (int m = 0; m < M; ++m)
        y[m * N + j + r] = lane_sum(acc[r][m]) + (bias ? bias[j + r] : 0.0f);
  }
  if (j < j1) kernel<M, 1, W>(x, K, w, bias, y, N, j, j1);
}

template <int M, class W>
void run_rows(const float* x, std::int64_t K, const W* w, const float* bias, float* y, std::int64_t N) {
  constexpr int J = M <= 7 ? 4 : (M <= 14 ? 2 : 1);  // J * M accumulators + J weight vectors within 32 registers
  vsr::parallel_for(0, N, 512, [&](std::int64_t begin, std::int64_t end) {
    kernel<M, J, W>(x, K, w, bias, y, N, begin, end);
  });
}

/// Output columns of one panel (see pack_panels).
constexpr std::int64_t kPanel = 32;

/// Re-lays the bfloat16 weight w [N, K] as ceil(N / 32) panels of 32 output columns: panel p holds, for each k in
/// order, the 32 values w[32p + c][k] as 16 32-bit words, word i = column 2i in its low half and column 2i + 1 in its
/// high half (so a shift or a mask widens the even or the odd columns exactly); columns past N are zero.
void pack_panels(const std::uint16_t* w, std::int64_t N, std::int64_t K, std::uint16_t* out) {
  const std::int64_t panels = (N + kPanel - 1) / kPanel;
  vsr::parallel_for(0, panels, 64, [&](std::int64_t p0, std::int64_t p1) {
    for (std::int64_t p = p0; p < p1; ++p) {
      std::uint16_t* dst = out + p * K * kPanel;
      for (std::int64_t c = 0; c < kPanel; ++c) {
        const std::int64_t col = p * kPanel + c;
        for (std::int64_t k = 0; k < K; ++k) dst[k * kPanel + c] = col < N ? w[col * K + k] : std::uint16_t{0};
      }
    }
  });
}

/// y[m, c0 .. c0 + 32) (columns below N only) for the M input rows at x (row stride K) and one packed panel: per k,
/// the 32 weights widen to an even and an odd vector and meet x[m][k] broadcast, 2 M float32 accumulators.
template <int M>
__attribute__((target("avx512f,avx512dq,fma"))) void panel_product(const float* x, std::int64_t K,
                                                                  const std::uint16_t* panel, const float* bias,
                                                                  float* y, std::int64_t N, std::int64_t c0) {
  __m512 even[M], odd[M];
  for (int m = 0; m < M; ++m) even[m] = odd[m] = _mm512_setzero_ps();
  const __m512i high = _mm512_set1_epi32(static_cast<int>(0xffff0000u));
  for (std::int64_t k = 0; k < K; ++k) {
    const __m512i raw = _mm512_loadu_si512(panel + k * kPanel);
    const __m512 we = _mm512_castsi512_ps(_mm512_slli_epi32(raw, 16));
    const __m512 wo = _mm512_castsi512_ps(_mm512_and_si512(raw, high));
    for (int m = 0; m < M; ++m) {
      const __m512 xb = _mm512_set1_ps(x[m * K + k]);
      even[m] = _mm512_fmadd_ps(xb, we, even[m]);
      odd[m] = _mm512_fmadd_ps(xb, wo, odd[m]);
    }
  }
  const __m512i first = _mm512_setr_epi32(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
  const __m512i second = _mm512_add_epi32(first, _mm512_set1_epi32(8));
  const std::int64_t left = std::min<std::int64_t>(N - c0, kPanel);
  const __mmask16 m0 = left >= 16 ? __mmask16(0xffff) : __mmask16((1u << left) - 1);
  const __mmask16 m1 = left >= 32 ? __mmask16(0xffff) : left <= 16 ? __mmask16(0) : __mmask16((1u << (left - 16)) - 1);
  const __m512 b0 = bias ? _mm512_maskz_loadu_ps(m0, bias + c0) : _mm512_setzero_ps();
  const __m512 b1 = bias ? _mm512_maskz_loadu_ps(m1, bias + c0 + 16) : _mm512_setzero_ps();
  for (int m = 0; m < M; ++m) {
    float* row = y + m * N + c0;
    _mm512_mask_storeu_ps(row, m0, _mm512_add_ps(_mm512_permutex2var_ps(even[m], first, odd[m]), b0));
    _mm512_mask_storeu_ps(row + 16, m1, _mm512_add_ps(_mm512_permutex2var_ps(even[m], second, odd[m]), b1));
  }
}

/// Most input rows one panel_product call takes (2 M accumulators, 2 weight vectors and a mask within 32 registers).
constexpr int kPanelRows = 14;

using PanelFn = void (*)(const float*, std::int64_t, const std::uint16_t*, const float*, float*, std::int64_t,
                         std::int64_t);

template <int... Ms>
constexpr std::array<PanelFn, sizeof...(Ms)> panel_table(std::integer_sequence<int, Ms...>) {
  return {&panel_product<Ms + 1>...};
}

/// y [M, N] = x [M, K] w^T (+ bias) with w packed by pack_panels; the panels are split over the threads and the rows
/// go through each panel in groups of at most kPanelRows (a panel of K <= 1024 stays in L1/L2 between groups).
void panel_linear(const float* x, std::int64_t M, std::int64_t K, const std::uint16_t* w, const float* bias, float* y,
                  std::int64_t N) {
  static constexpr auto fns = panel_table(std::make_integer_sequence<int, kPanelRows>{});
  const std::int64_t panels = (N + kPanel - 1) / kPanel;
  vsr::parallel_for(0, panels, 16, [&](std::int64_t p0, std::int64_t p1) {
    for (std::int64_t p = p0; p < p1; ++p)
      for (std::int64_t m0 = 0; m0 < M;) {
        const std::int64_t rows = M - m0 <= kPanelRows ? M - m0 : (M - m0 + 1) / 2;
        fns[static_cast<std::size_t>(rows - 1)](x + m0 * K, K, w + p * K * kPanel, bias, y + m0 * N, N, p * kPanel);
        m0 += rows;
      }
  });
}

template <class W>
using RowsFn = void (*)(const float*, std::int64_t, const W*, const float*, float*, std::int64_t);

template <class W, int... Ms>
constexpr std::array<RowsFn<W>, sizeof...(Ms)> table(std::integer_sequence<int, Ms...>) {
  return {&run_rows<Ms + 1, W>...};
}

/// How a cached bfloat16 copy is laid out: AVX-512 panels (pack_panels) or AMX tiles (amx_pack_weight).
enum class Layout { kPanels, kAmxTiles };

/// bfloat16 copies of float32 weights whose every value is exactly a bfloat16 (checkpoints stored in BF16 and not
/// trained since): the kernels then stream half the bytes and widen them exactly, so the products are the same
/// float32 products. Keyed by the weight's TensorImpl, re-checked whenever its version counter moves (an optimiser
/// step or a load changes it in place); entries of freed weights are dropped.
class Bf16Cache {
 public:
  /// The exact bfloat16 copy of `w` in `layout`, or an undefined tensor when `w` has a value that bfloat16 cannot
  /// hold.
  at::Tensor get(const at::Tensor& w, Layout layout) {
    std::lock_guard<std::mutex> lock(mutex_);
    const auto version = w._version();
    for (auto it = entries_.begin(); it != entries_.end();) {
      if (it->weight.expired()) {
        it = entries_.erase(it);
        continue;
      }
      if (it->impl == w.unsafeGetTensorImpl()) {
        if (it->version == version && it->data == w.data_ptr() && (it->layout == layout || !it->bf16.defined()))
          return it->bf16;
        it = entries_.erase(it);
        continue;
      }
      ++it;
    }
    at::Tensor bf16;
    {
      at::NoGradGuard no_grad;
      at::Tensor b = w.to(at::kBFloat16);
      if (b.to(at::kFloat).equal(w)) bf16 = b.contiguous();
      if (bf16.defined()) {
        const auto* rows = reinterpret_cast<const std::uint16_t*>(bf16.data_ptr());
        const std::int64_t N = w.size(0), K = w.size(1);
        if (layout == Layout::kAmxTiles) {
          at::Tensor tiles = at::empty_like(bf16);
          amx_pack_weight(rows, N, K, reinterpret_cast<std::uint16_t*>(tiles.data_ptr()));
          bf16 = tiles;
        } else {
          at::Tensor panels = at::empty({(N + kPanel - 1) / kPanel * kPanel * K}, bf16.options());
          pack_panels(rows, N, K, reinterpret_cast<std::uint16_t*>(panels.data_ptr()));
          bf16 = panels;
        }
      }
    }
    entries_.push_back({c10::weak_intrusive_ptr<c10::TensorImpl>(w.getIntrusivePtr()), w.unsafeGetTensorImpl(),
                        version, w.data_ptr(), layout, bf16});
    return bf16;
  }

 private:
  struct Entry {
    c10::weak_intrusive_ptr<c10::TensorImpl> weight;
    const c10::TensorImpl* impl;
    decltype(std::declval<at::Tensor>()._version()) version;
    const void* data;
    Layout layout;
    at::Tensor bf16;
  };
  std::mutex mutex_;
  std::vector<Entry> entries_;
};

Bf16Cache& bf16_cache() {
  static Bf16Cache cache;
  return cache;
}

}  // namespace

bool cpu_has_avx512() {
  static const bool ok =
      __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("fma");
  return ok;
}

at::Tensor skinny_linear(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias) {
  if (!cpu_has_avx512() || !x.defined() || !weight.defined() || x.dim() < 1 || weight.dim() != 2) return {};
  if (!x.device().is_cpu() || x.scalar_type() != at::kFloat || weight.scalar_type() != at::kFloat) return {};
  if (!weight.device().is_cpu() || !weight.is_contiguous() || !x.is_contiguous()) return {};
  if (bias.defined() && (bias.scalar_type() != at::kFloat || !bias.is_contiguous() || bias.dim() != 1)) return {};
  // Inference only (NoGradGuard, as prefill / decode steps run): with autograd on, every call goes through
  // at::linear, so a forward's rounding never depends on which tensors happen to require gradients.
  if (c10::GradMode::is_enabled()) return {};
  const std::int64_t K = x.size(-1), N = weight.size(0);
  if (K == 0 || K % 16 != 0 || weight.size(1) != K || (bias.defined() && bias.size(0) != N)) return {};
  const std::int64_t M = x.numel() / K;
  if (M < 1 || M > kSkinnyMaxRows) return {};
  std::vector<std::int64_t> shape(x.sizes().begin(), x.sizes().end());
  shape.back() = N;
  at::Tensor y = at::empty(shape, x.options());
  const float* b = bias.defined() ? bias.data_ptr<float>() : nullptr;
  const auto i = static_cast<std::size_t>(M - 1);
  const bool amx = M <= 16 && K % 32 == 0 && amx_usable();
  if (const at::Tensor w16 = bf16_cache().get(weight, amx ? Layout::kAmxTiles : Layout::kPanels); w16.defined()) {
    const auto* w16_bits = reinterpret_cast<const std::uint16_t*>(w16.data_ptr());
    if (amx)
      amx_linear_bf16(x.data_ptr<float>(), M, K, w16_bits, b, y.data_ptr<float>(), N);
    else
      panel_linear(x.data_ptr<float>(), M, K, w16_bits, b, y.data_ptr<float>(), N);
  } else {
    static constexpr auto fns = table<float>(std::make_integer_sequence<int, kSkinnyMaxRows>{});
    fns[i](x.data_ptr<float>(), K, weight.data_ptr<float>(), b, y.data_ptr<float>(), N);
  }
  return y;
}

}  // namespace vsr::model::detail
