#pragma once
/// @file
/// Qwen2-VL's `smart_resize` (transformers 4.45.1, models/qwen2_vl/image_processing_qwen2_vl.py): the target size of
/// an image or video frame, both sides multiples of `factor` (patch 14 x merge 2 = 28), area within
/// [min_pixels, max_pixels], aspect ratio kept as closely as possible. Torch-free.

#include <cstdint>
#include <string>

namespace vsr::vision {

/// A height and width in pixels.
struct ImageSize {
  std::int64_t height = 0;  ///< rows
  std::int64_t width = 0;   ///< columns
  /// Member-wise equality.
  friend bool operator==(const ImageSize&, const ImageSize&) = default;
};

/// Python 3's `round(x)` of a double: nearest integer, halves to even (2.5 -> 2, 3.5 -> 4); independent of the
/// floating-point rounding mode.
double python_round(double x);

/// Qwen2-VL's smart_resize exactly as transformers 4.45.1 computes it (same double arithmetic, Python's half-to-even
/// `round`, `floor`/`ceil` with the `beta` scale). Throws vsr::Error with transformers' own message as the problem
/// when `height < factor or width < factor` ("height:27 or width:100 must be larger than factor:28") or when the
/// aspect ratio exceeds 200 ("absolute aspect ratio must be smaller than 200, got 201.03571428571428"), and for
/// inputs Python would crash on or that exceed exact double arithmetic (factor or max_pixels <= 0, a side
/// above 2^26). Like the reference it may return a 0 side for extreme max_pixels; callers check.
ImageSize smart_resize(std::int64_t height, std::int64_t width, std::int64_t factor = 28,
                       std::int64_t min_pixels = 56 * 56, std::int64_t max_pixels = 28 * 28 * 1280);

}  // namespace vsr::vision
