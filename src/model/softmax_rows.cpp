// Log-sum-exp and log-prob gradient passes over logits rows (see softmax_rows.hpp).
#include "softmax_rows.hpp"

#include "vsr/runtime/parallel.hpp"

// GCC 12 reports the intrinsics' own undefined pass-through operands as maybe-uninitialized (a known false
// positive of avx512fintrin.h).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#include <immintrin.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace vsr::model::detail {

namespace {

bool has_avx512() {
  static const bool ok = __builtin_cpu_supports("avx512f");
  return ok;
}

/// exp of 16 floats: 2^n * p(r) with x = n ln2 + r, |r| <= ln2 / 2, p the degree-7 Taylor polynomial (relative
/// error < 2e-7); inputs below -87.3 give 0, as float32's exp underflows there; NaN gives NaN.
__attribute__((target("avx512f"))) inline __m512 exp16(__m512 x) {
  const __m512 lo = _mm512_set1_ps(-87.3f);
  const __mmask16 tiny = _mm512_cmp_ps_mask(x, lo, _CMP_LT_OQ);
  x = _mm512_max_ps(lo, x);  // a NaN stays NaN (max returns its second operand when one is NaN)
  const __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(1.44269504088896341f)),
                                        _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693145751953125f), x);
  r = _mm512_fnmadd_ps(n, _mm512_set1_ps(1.428606765330187045e-06f), r);
  __m512 p = _mm512_set1_ps(1.0f / 5040);
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 720));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 120));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 24));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 6));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(0.5f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
  return _mm512_maskz_mov_ps(static_cast<__mmask16>(~tiny), _mm512_scalef_ps(p, n));
}

__attribute__((target("avx512f"))) float row_lse_avx512(const float* z, std::int64_t V) {
  const float lowest = -std::numeric_limits<float>::infinity();
  __m512 m = _mm512_set1_ps(lowest);
  std::int64_t j = 0;
  for (; j + 16 <= V; j += 16) m = _mm512_max_ps(m, _mm512_loadu_ps(z + j));
  float top = _mm512_reduce_max_ps(m);
  for (std::int64_t t = j; t < V; ++t) top = std::max(top, z[t]);
  if (top == lowest) return lowest;
  // The sum is accumulated in float64 (8 + 8 lanes): over a 150k vocabulary, float32 partial sums would drift by
  // ~1e-5 relative.
  const __m512 shift = _mm512_set1_ps(top);
  __m512d s0 = _mm512_setzero_pd(), s1 = _mm512_setzero_pd();
  j = 0;
  for (; j + 16 <= V; j += 16) {
    const __m512 e = exp16(_mm512_sub_ps(_mm512_loadu_ps(z + j), shift));
    s0 = _mm512_add_pd(s0, _mm512_cvtps_pd(_mm512_castps512_ps256(e)));
    s1 = _mm512_add_pd(s1, _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(e), 1))));
  }
  double sum = _mm512_reduce_add_pd(_mm512_add_pd(s0, s1));
  for (; j < V; ++j) sum += std::exp(static_cast<double>(z[j]) - top);
  return top + static_cast<float>(std::log(sum));
}

float row_lse_scalar(const float* z, std::int64_t V) {
  const float top = *std::max_element(z, z + V);
  if (top == -std::numeric_limits<float>::infinity()) return top;
  double sum = 0.0;
  for (std::int64_t j = 0; j < V; ++j) sum += std::exp(z[j] - top);
  return top + static_cast<float>(std::log(sum));
}

__attribute__((target("avx512f"))) void row_grad_avx512(float* z, std::int64_t V, float lse, float g) {
  const __m512 shift = _mm512_set1_ps(lse), scale = _mm512_set1_ps(-g);
  std::int64_t j = 0;
  for (; j + 16 <= V; j += 16)
    _mm512_storeu_ps(z + j, _mm512_mul_ps(scale, exp16(_mm512_sub_ps(_mm512_loadu_ps(z + j), shift))));
  for (; j < V; ++j) z[j] = -g * std::exp(z[j] - lse);
}

}  // namespace

void logsumexp_rows(const float* z, std::int64_t rows, std::int64_t V, float* lse) {
  const bool avx512 = has_avx512();
  vsr::parallel_for(0, rows, 1, [&](std::int64_t r0, std::int64_t r1) {
    for (std::int64_t r = r0; r < r1; ++r) lse[r] = avx512 ? row_lse_avx512(z + r * V, V) : row_lse_scalar(z + r * V, V);
  });
}

void logprob_grad_rows(float* z, std::int64_t rows, std::int64_t V, const float* lse, const float* g,
                       const std::int64_t* targets) {
  const bool avx512 = has_avx512();
  vsr::parallel_for(0, rows, 1, [&](std::int64_t r0, std::int64_t r1) {
    for (std::int64_t r = r0; r < r1; ++r) {
      float* row = z + r * V;
      if (avx512) {
        row_grad_avx512(row, V, lse[r], g[r]);
      } else {
        for (std::int64_t j = 0; j < V; ++j) row[j] = -g[r] * std::exp(row[j] - lse[r]);
      }
      row[targets[r]] += g[r];
    }
  });
}

}  // namespace vsr::model::detail
