// Qwen2-VL smart_resize (transformers 4.45.1) in plain double arithmetic. No torch headers here.
#include "vsr/vision/smart_resize.hpp"

#include "vsr/eval/python_str.hpp"

#include "vsr/core/error.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <string>

namespace vsr::vision {

namespace {
constexpr const char* kWhere = "<smart_resize>";
constexpr std::int64_t kMaxSide = std::int64_t{1} << 26;  // keeps height*width exact in a double
}  // namespace

double python_round(double x) {
  const double lower = std::floor(x);
  const double diff = x - lower;  // exact for |x| < 2^52
  if (diff > 0.5) return lower + 1.0;
  if (diff < 0.5) return lower;
  return std::fmod(lower, 2.0) == 0.0 ? lower : lower + 1.0;
}


ImageSize smart_resize(std::int64_t height, std::int64_t width, std::int64_t factor, std::int64_t min_pixels,
                       std::int64_t max_pixels) {
  require(factor > 0, kWhere, "factor", "expected a positive factor, got " + std::to_string(factor));
  require(max_pixels > 0, kWhere, "max_pixels", "expected a positive max_pixels, got " + std::to_string(max_pixels));
  if (height < factor || width < factor)
    fail(kWhere, "size",
         "height:" + std::to_string(height) + " or width:" + std::to_string(width) +
             " must be larger than factor:" + std::to_string(factor));
  require(height <= kMaxSide && width <= kMaxSide, kWhere, "size",
          "expected sides of at most " + std::to_string(kMaxSide) + ", got " + std::to_string(height) + "x" +
              std::to_string(width));
  const double h = static_cast<double>(height), w = static_cast<double>(width), f = static_cast<double>(factor);
  const double ratio = static_cast<double>(std::max(height, width)) / static_cast<double>(std::min(height, width));
  if (ratio > 200.0)
    fail(kWhere, "size", "absolute aspect ratio must be smaller than 200, got " + eval::python_float_repr(ratio));

  auto h_bar = static_cast<std::int64_t>(python_round(h / f)) * factor;
  auto w_bar = static_cast<std::int64_t>(python_round(w / f)) * factor;
  const double area = h * w;  // exact: both sides <= 2^26
  if (h_bar * w_bar > max_pixels) {
    const double beta = std::sqrt(area / static_cast<double>(max_pixels));
    h_bar = static_cast<std::int64_t>(std::floor(h / beta / f)) * factor;
    w_bar = static_cast<std::int64_t>(std::floor(w / beta / f)) * factor;
  } else if (h_bar * w_bar < min_pixels) {
    const double beta = std::sqrt(static_cast<double>(min_pixels) / area);
    h_bar = static_cast<std::int64_t>(std::ceil(h * beta / f)) * factor;
    w_bar = static_cast<std::int64_t>(std::ceil(w * beta / f)) * factor;
  }
  return {h_bar, w_bar};
}

}  // namespace vsr::vision
