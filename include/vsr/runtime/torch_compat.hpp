#pragma once
/// @file
/// The one place where LibTorch 1.13 (Debian's libtorch-dev) and LibTorch 2.x (CUDA builds, PyTorch wheels)
/// differ for vsr. Include it from .cpp files only; code elsewhere uses these names and never tests versions.

#include <torch/version.h>

#include <ATen/autocast_mode.h>
#include <ATen/core/Tensor.h>

#include <optional>

#if TORCH_VERSION_MAJOR >= 2
#define VSR_TORCH2 1
#else
#define VSR_TORCH2 0
#endif

namespace vsr::compat {

/// True when built against LibTorch 2.x.
inline constexpr bool kTorch2 = VSR_TORCH2 != 0;

/// c10::optional became std::optional in 2.x; convert at the boundary.
template <class T>
std::optional<T> to_std(const c10::optional<T>& v) {
  return v.has_value() ? std::optional<T>(*v) : std::nullopt;
}

/// Mixed precision on CUDA for the life of the object: autocast to `dtype` (bf16 by default) when `enable`, restoring
/// the previous state after; nothing on CPU. The autocast API changed in LibTorch 2.4 (device-type arguments).
class CudaAutocast {
 public:
  /// Enables CUDA autocast to `dtype` when `enable` is true.
  explicit CudaAutocast(bool enable, at::ScalarType dtype = at::kBFloat16) : active_(enable) {
    if (!active_) return;
#if VSR_TORCH2 && (TORCH_VERSION_MAJOR > 2 || TORCH_VERSION_MINOR >= 4)
    was_enabled_ = at::autocast::is_autocast_enabled(at::kCUDA);
    was_dtype_ = at::autocast::get_autocast_dtype(at::kCUDA);
    at::autocast::set_autocast_enabled(at::kCUDA, true);
    at::autocast::set_autocast_dtype(at::kCUDA, dtype);
#else
    was_enabled_ = at::autocast::is_enabled();
    was_dtype_ = at::autocast::get_autocast_gpu_dtype();
    at::autocast::set_enabled(true);
    at::autocast::set_autocast_gpu_dtype(dtype);
#endif
  }
  /// Restores the previous autocast state and clears autocast's weight cache.
  ~CudaAutocast() {
    if (!active_) return;
#if VSR_TORCH2 && (TORCH_VERSION_MAJOR > 2 || TORCH_VERSION_MINOR >= 4)
    at::autocast::set_autocast_enabled(at::kCUDA, was_enabled_);
    at::autocast::set_autocast_dtype(at::kCUDA, was_dtype_);
#else
    at::autocast::set_enabled(was_enabled_);
    at::autocast::set_autocast_gpu_dtype(was_dtype_);
#endif
    at::autocast::clear_cache();
  }
  CudaAutocast(const CudaAutocast&) = delete;
  CudaAutocast& operator=(const CudaAutocast&) = delete;

 private:
  bool active_ = false;
  bool was_enabled_ = false;
  at::ScalarType was_dtype_ = at::kBFloat16;
};

/// LibTorch's version as "major.minor.patch".
inline const char* torch_version() { return TORCH_VERSION; }

}  // namespace vsr::compat
