#pragma once
/// @file
/// The one place where LibTorch 1.13 (Debian's libtorch-dev) and LibTorch 2.x (CUDA builds, PyTorch wheels)
/// differ for vsr. Include it from .cpp files only; code elsewhere uses these names and never tests versions.

#include <torch/version.h>

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

/// LibTorch's version as "major.minor.patch".
inline const char* torch_version() { return TORCH_VERSION; }

}  // namespace vsr::compat
