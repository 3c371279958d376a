// Few-row linear layer for decode steps (see skinny_linear.hpp): each weight row is read once from memory and
// multiplied with every input row kept in AVX-512 registers; the work is split over vocabulary/output rows.
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

/// 16 weights as float32: a plain load, or 16 bfloat16 widened exactly (the bf16 bits are the float's top half).
__attribute__((target("avx512f,avx512dq,fma"))) inline __m512 load16(const float* p) { return _mm512_loadu_ps(p); }
__attribute__((target("avx512f,avx512dq,fma"))) inline __m512 load16(const std::uint16_t* p) {
  const __m256i h = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
  return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(h), 16));
}

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

template <class W>
using RowsFn = void (*)(const float*, std::int64_t, const W*, const float*, float*, std::int64_t);

template <class W, int... Ms>
constexpr std::array<RowsFn<W>, sizeof...(Ms)> table(std::integer_sequence<int, Ms...>) {
  return {&run_rows<Ms + 1, W>...};
}

/// bfloat16 copies of float32 weights whose every value is exactly a bfloat16 (checkpoints stored in BF16 and not
/// trained since): the kernel then streams half the bytes and widens them exactly, so the products are the same
/// float32 products. A copy is row-major (the AVX-512 kernel) or packed in AMX tiles (amx_pack_weight). Keyed by the
/// weight's TensorImpl, re-checked whenever its version counter moves (an optimiser step or a load changes it in
/// place); entries of freed weights are dropped.
class Bf16Cache {
 public:
  /// The exact bfloat16 copy of `w` (packed for AMX when `packed`), or an undefined tensor when `w` has a value
  /// that bfloat16 cannot hold.
  at::Tensor get(const at::Tensor& w, bool packed) {
    std::lock_guard<std::mutex> lock(mutex_);
    const auto version = w._version();
    for (auto it = entries_.begin(); it != entries_.end();) {
      if (it->weight.expired()) {
        it = entries_.erase(it);
        continue;
      }
      if (it->impl == w.unsafeGetTensorImpl()) {
        if (it->version == version && it->data == w.data_ptr() && (it->packed == packed || !it->bf16.defined()))
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
      if (bf16.defined() && packed) {
        at::Tensor tiles = at::empty_like(bf16);
        amx_pack_weight(reinterpret_cast<const std::uint16_t*>(bf16.data_ptr()), w.size(0), w.size(1),
                        reinterpret_cast<std::uint16_t*>(tiles.data_ptr()));
        bf16 = tiles;
      }
    }
    entries_.push_back({c10::weak_intrusive_ptr<c10::TensorImpl>(w.getIntrusivePtr()), w.unsafeGetTensorImpl(),
                        version, w.data_ptr(), packed, bf16});
    return bf16;
  }

 private:
  struct Entry {
    c10::weak_intrusive_ptr<c10::TensorImpl> weight;
    const c10::TensorImpl* impl;
    decltype(std::declval<at::Tensor>()._version()) version;
    const void* data;
    bool packed;
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
  if (const at::Tensor w16 = bf16_cache().get(weight, amx); w16.defined()) {
    const auto* w16_bits = reinterpret_cast<const std::uint16_t*>(w16.data_ptr());
    if (amx) {
      amx_linear_bf16(x.data_ptr<float>(), M, K, w16_bits, b, y.data_ptr<float>(), N);
    } else {
      static constexpr auto fns = table<std::uint16_t>(std::make_integer_sequence<int, kSkinnyMaxRows>{});
      fns[i](x.data_ptr<float>(), K, w16_bits, b, y.data_ptr<float>(), N);
    }
  } else {
    static constexpr auto fns = table<float>(std::make_integer_sequence<int, kSkinnyMaxRows>{});
    fns[i](x.data_ptr<float>(), K, weight.data_ptr<float>(), b, y.data_ptr<float>(), N);
  }
  return y;
}

}  // namespace vsr::model::detail
