// Pillow-exact antialiased bicubic resize (see the header for the algorithm). No torch headers here.
#include "vsr/vision/pillow_resize.hpp"

#include "vsr/core/error.hpp"

#include <algorithm>
#include <cmath>
#include <string>

namespace vsr::vision {

namespace {

constexpr const char* kWhere = "<image resize>";
constexpr double kBicubicSupport = 2.0;
constexpr std::int32_t kHalf = std::int32_t{1} << (kPillowPrecisionBits - 1);

inline std::uint8_t clip8(std::int32_t acc) {
  const std::int32_t v = acc >> kPillowPrecisionBits;  // arithmetic shift, as in Pillow
  return static_cast<std::uint8_t>(v < 0 ? 0 : (v > 255 ? 255 : v));
}

std::string size_text(int h, int w) { return std::to_string(h) + "x" + std::to_string(w); }

// Horizontal pass over source rows [row_begin, row_end) of `src` into consecutive rows of `tmp`.
template <int C>
void horizontal_pass(const std::uint8_t* src, int in_w, int row_begin, int row_end, std::uint8_t* tmp,
                     const ResampleTaps& taps) {
  const int out_w = taps.out_size;
  for (int y = row_begin; y < row_end; ++y) {
    const std::uint8_t* s = src + static_cast<std::size_t>(y) * in_w * C;
    std::uint8_t* d = tmp + static_cast<std::size_t>(y - row_begin) * out_w * C;
    for (int xx = 0; xx < out_w; ++xx) {
      const std::int32_t* k = taps.weights.data() + static_cast<std::size_t>(xx) * taps.ksize;
      const std::uint8_t* p = s + static_cast<std::size_t>(taps.first[xx]) * C;
      const int n = taps.count[xx];
      std::int32_t acc[C];
      for (int c = 0; c < C; ++c) acc[c] = kHalf;
      for (int x = 0; x < n; ++x)
        for (int c = 0; c < C; ++c) acc[c] += static_cast<std::int32_t>(p[x * C + c]) * k[x];
      for (int c = 0; c < C; ++c) d[xx * C + c] = clip8(acc[c]);
    }
  }
}

// Vertical pass: output row yy mixes rows first[yy] - row_shift ... of `src` (row length `row_len` bytes).
void vertical_pass(const std::uint8_t* src, std::size_t row_len, int row_shift, std::uint8_t* dst,
                   const ResampleTaps& taps) {
  std::vector<std::int32_t> acc(row_len);
  for (int yy = 0; yy < taps.out_size; ++yy) {
    std::fill(acc.begin(), acc.end(), kHalf);
    const std::int32_t* k = taps.weights.data() + static_cast<std::size_t>(yy) * taps.ksize;
    const int base = taps.first[yy] - row_shift;
    for (int t = 0; t < taps.count[yy]; ++t) {
      const std::uint8_t* row = src + static_cast<std::size_t>(base + t) * row_len;
      const std::int32_t w = k[t];
      std::int32_t* a = acc.data();
      for (std::size_t i = 0; i < row_len; ++i) a[i] += static_cast<std::int32_t>(row[i]) * w;
    }
    std::uint8_t* d = dst + static_cast<std::size_t>(yy) * row_len;
    for (std::size_t i = 0; i < row_len; ++i) d[i] = clip8(acc[i]);
  }
}

void horizontal_dispatch(int channels, const std::uint8_t* src, int in_w, int row_begin, int row_end,
                         std::uint8_t* tmp, const ResampleTaps& taps) {
  switch (channels) {
    case 1: return horizontal_pass<1>(src, in_w, row_begin, row_end, tmp, taps);
    case 2: return horizontal_pass<2>(src, in_w, row_begin, row_end, tmp, taps);
    case 3: return horizontal_pass<3>(src, in_w, row_begin, row_end, tmp, taps);
    default: return horizontal_pass<4>(src, in_w, row_begin, row_end, tmp, taps);
  }
}

}  // namespace

double pillow_bicubic_filter(double x) {
  constexpr double a = -0.5;
  if (x < 0.0) x = -x;
  if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
  if (x < 2.0) return (((x - 5) * x + 8) * x - 4) * a;
  return 0.0;
}

ResampleTaps pillow_bicubic_taps(int in_size, int out_size) {
  require(in_size > 0 && out_size > 0, kWhere, "size",
          "expected positive source and target lengths, got " + std::to_string(in_size) + " -> " +
              std::to_string(out_size));
  ResampleTaps taps;
  taps.in_size = in_size;
  taps.out_size = out_size;
  // Same double arithmetic as Pillow (the box edges are floats 0 and in_size, exact here).
  const double scale = static_cast<double>(static_cast<float>(in_size) - 0.0f) / out_size;
  const double filterscale = scale < 1.0 ? 1.0 : scale;
  const double support = kBicubicSupport * filterscale;
  taps.ksize = static_cast<int>(std::ceil(support)) * 2 + 1;
  taps.first.resize(out_size);
  taps.count.resize(out_size);
  taps.weights.assign(static_cast<std::size_t>(out_size) * taps.ksize, 0);
  std::vector<double> k(taps.ksize);
  for (int xx = 0; xx < out_size; ++xx) {
    const double center = 0.0 + (xx + 0.5) * scale;
    const double ss = 1.0 / filterscale;
    int xmin = static_cast<int>(center - support + 0.5);
    if (xmin < 0) xmin = 0;
    int xmax = static_cast<int>(center + support + 0.5);
    if (xmax > in_size) xmax = in_size;
    xmax -= xmin;
    double ww = 0.0;
    for (int x = 0; x < xmax; ++x) {
      const double w = pillow_bicubic_filter((x + xmin - center + 0.5) * ss);
      k[x] = w;
      ww += w;
    }
    std::int32_t* out = taps.weights.data() + static_cast<std::size_t>(xx) * taps.ksize;
    for (int x = 0; x < xmax; ++x) {
      const double v = ww != 0.0 ? k[x] / ww : k[x];
      const double scaled = v * (1 << kPillowPrecisionBits);
      out[x] = static_cast<std::int32_t>(v < 0 ? -0.5 + scaled : 0.5 + scaled);
    }
    taps.first[xx] = xmin;
    taps.count[xx] = std::max(xmax, 0);
  }
  return taps;
}

PillowBicubicResizer::PillowBicubicResizer(int in_height, int in_width, int out_height, int out_width, int channels)
    : in_h_(in_height), in_w_(in_width), out_h_(out_height), out_w_(out_width), channels_(channels) {
  require(in_height > 0 && in_width > 0 && out_height > 0 && out_width > 0, kWhere, "size",
          "expected positive sizes, got " + size_text(in_height, in_width) + " -> " +
              size_text(out_height, out_width));
  require(channels >= 1 && channels <= 4, kWhere, "channels",
          "expected 1 to 4 interleaved channels, got " + std::to_string(channels));
  need_horizontal_ = out_width != in_width;
  need_vertical_ = out_height != in_height;
  vertical_ = pillow_bicubic_taps(in_height, out_height);
  if (need_horizontal_) horizontal_ = pillow_bicubic_taps(in_width, out_width);
  row_first_ = vertical_.first.front();
  row_last_ = vertical_.first.back() + vertical_.count.back();
}

std::size_t PillowBicubicResizer::in_bytes() const {
  return static_cast<std::size_t>(in_h_) * in_w_ * channels_;
}

std::size_t PillowBicubicResizer::out_bytes() const {
  return static_cast<std::size_t>(out_h_) * out_w_ * channels_;
}

void PillowBicubicResizer::run(const std::uint8_t* src, std::uint8_t* dst) const {
  const std::size_t out_row = static_cast<std::size_t>(out_w_) * channels_;
  if (!need_horizontal_ && !need_vertical_) {
    std::copy(src, src + in_bytes(), dst);
    return;
  }
  if (!need_horizontal_) {
    vertical_pass(src, out_row, 0, dst, vertical_);
    return;
  }
  if (!need_vertical_) {
    horizontal_dispatch(channels_, src, in_w_, 0, in_h_, dst, horizontal_);
    return;
  }
  // Pillow resamples only the source rows the vertical pass reads, into a temporary image.
  std::vector<std::uint8_t> tmp(static_cast<std::size_t>(row_last_ - row_first_) * out_row);
  horizontal_dispatch(channels_, src, in_w_, row_first_, row_last_, tmp.data(), horizontal_);
  vertical_pass(tmp.data(), out_row, row_first_, dst, vertical_);
}

void PillowBicubicResizer::run(std::span<const std::uint8_t> src, std::span<std::uint8_t> dst) const {
  require(src.size() == in_bytes(), kWhere, "source",
          "expected " + std::to_string(in_bytes()) + " bytes (" + size_text(in_h_, in_w_) + "x" +
              std::to_string(channels_) + "), got " + std::to_string(src.size()));
  require(dst.size() == out_bytes(), kWhere, "target",
          "expected " + std::to_string(out_bytes()) + " bytes, got " + std::to_string(dst.size()));
  run(src.data(), dst.data());
}

std::vector<std::uint8_t> pillow_resize_bicubic(std::span<const std::uint8_t> src, int height, int width,
                                                int channels, int out_height, int out_width) {
  const PillowBicubicResizer resizer(height, width, out_height, out_width, channels);
  std::vector<std::uint8_t> out(resizer.out_bytes());
  resizer.run(src, out);
  return out;
}

}  // namespace vsr::vision
