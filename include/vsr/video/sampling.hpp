#pragma once
/// @file
/// Which frames of a video the model sees: the uniform sampling of the Qwen2-VL tooling (qwen_vl_utils'
/// `torch.linspace(0, total_frames - 1, nframes).round()`), here with numpy semantics.

#include <cstdint>
#include <vector>

namespace vsr::video {

/// `round(linspace(0, total - 1, n))` with numpy semantics (np.linspace in double, then np.round, which rounds half
/// to even). `n` must be even (Qwen2-VL packs 2 frames per temporal patch) and >= 2, `total` >= 1; when `n > total`
/// indices repeat, as linspace + round gives. Throws vsr::Error("<sampling>", ...) otherwise.
std::vector<std::int64_t> uniform_indices(std::int64_t total, std::int64_t n);

}  // namespace vsr::video
