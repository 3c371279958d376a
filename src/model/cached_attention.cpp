// Decode-step attention over the KV cache (see cached_attention.hpp).
#include "cached_attention.hpp"

#include "vsr/runtime/parallel.hpp"

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>

// GCC 12 reports the intrinsics' own undefined pass-through operands as maybe-uninitialized (a known false
// positive of avx512fintrin.h).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"

#include <immintrin.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace vsr::model::detail {

namespace {

/// dot(a, b) over n floats: 16 lanes at a time on AVX-512 CPUs (n a multiple of 16), in order otherwise.
__attribute__((target("avx512f"))) float dot_avx512(const float* a, const float* b, std::int64_t n) {
  __m512 acc = _mm512_setzero_ps();
  for (std::int64_t d = 0; d < n; d += 16) acc = _mm512_fmadd_ps(_mm512_loadu_ps(a + d), _mm512_loadu_ps(b + d), acc);
  return _mm512_reduce_add_ps(acc);
}

float dot_plain(const float* a, const float* b, std::int64_t n) {
  float s = 0.0f;
  for (std::int64_t d = 0; d < n; ++d) s += a[d] * b[d];
  return s;
}

}  // namespace

at::Tensor cached_attention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, const at::Tensor& allowed,
                            double scale) {
  if (c10::GradMode::is_enabled() || !q.defined() || !k.defined() || !v.defined() || !allowed.defined()) return {};
  if (q.dim() != 4 || k.dim() != 4 || v.dim() != 4 || allowed.dim() != 5) return {};
  for (const at::Tensor* t : {&q, &k, &v})
    if (!t->device().is_cpu() || t->scalar_type() != at::kFloat) return {};
  const std::int64_t B = q.size(0), H = q.size(1), L = q.size(2), D = q.size(3);
  const std::int64_t KV = k.size(1), S = k.size(2);
  if (L < 1 || L > kCachedAttentionMaxQueries || KV < 1 || H % KV != 0 || S < 1) return {};
  if (k.sizes() != v.sizes() || k.size(0) != B || k.size(3) != D || k.stride(3) != 1 || v.stride(3) != 1) return {};
  if (allowed.scalar_type() != at::kBool || !allowed.is_contiguous() || allowed.size(0) != B ||
      allowed.size(3) != L || allowed.size(4) != S)
    return {};
  const at::Tensor qc = q.contiguous();
  at::Tensor out = at::empty({B, L, H, D}, q.options());
  const float* qp = qc.data_ptr<float>();
  const float* kp = k.data_ptr<float>();
  const float* vp = v.data_ptr<float>();
  const bool* ap = allowed.data_ptr<bool>();
  float* op = out.data_ptr<float>();
  const std::int64_t rep = H / KV;
  const std::int64_t kb = k.stride(0), kh = k.stride(1), ks = k.stride(2);
  const std::int64_t vb = v.stride(0), vh = v.stride(1), vs = v.stride(2);
  const auto fscale = static_cast<float>(scale);
  const float lowest = std::numeric_limits<float>::lowest();
  static const bool avx512 = __builtin_cpu_supports("avx512f");
  const bool wide = avx512 && D % 16 == 0;
  vsr::parallel_for(0, B * H, 4, [&](std::int64_t u0, std::int64_t u1) {
    std::vector<float> p(static_cast<std::size_t>(S));
    std::vector<float> acc(static_cast<std::size_t>(D));
    for (std::int64_t u = u0; u < u1; ++u) {
      const std::int64_t b = u / H, h = u % H, g = h / rep;
      const float* kbase = kp + b * kb + g * kh;
      const float* vbase = vp + b * vb + g * vh;
      for (std::int64_t l = 0; l < L; ++l) {
        const float* qrow = qp + ((b * H + h) * L + l) * D;
        const bool* arow = ap + (b * L + l) * S;
        float top = lowest;
        for (std::int64_t s = 0; s < S; ++s) {
          const float dot = wide ? dot_avx512(qrow, kbase + s * ks, D) : dot_plain(qrow, kbase + s * ks, D);
          p[s] = arow[s] ? dot * fscale : lowest;
          top = std::max(top, p[s]);
        }
        float sum = 0.0f;
        for (std::int64_t s = 0; s < S; ++s) {
          p[s] = std::exp(p[s] - top);
          sum += p[s];
        }
        std::fill(acc.begin(), acc.end(), 0.0f);
        for (std::int64_t s = 0; s < S; ++s) {
          const float w = p[s] / sum;
          const float* vrow = vbase + s * vs;
          for (std::int64_t d = 0; d < D; ++d) acc[d] += w * vrow[d];
        }
        std::copy(acc.begin(), acc.end(), op + ((b * L + l) * H + h) * D);
      }
    }
  });
  return out.view({B, L, H * D});
}

}  // namespace vsr::model::detail
