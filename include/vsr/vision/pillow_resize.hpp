#pragma once
/// @file
/// Pillow-exact antialiased bicubic resize of 8-bit interleaved images (`Image.resize(size, Image.BICUBIC)` of
/// Pillow's libImaging/Resample.c, which Qwen2-VL's image processor uses): a = -0.5 cubic filter whose support is
/// widened by the downscale factor, per-output tap windows from `center`/`xmin`/`xmax`, weights normalised to sum 1
/// and converted to 22-bit fixed point, a horizontal pass then a vertical pass, each rounded and clamped to uint8;
/// a pass whose dimension is unchanged is skipped. Written from the algorithm's description; byte-identical to
/// Pillow (checked against transformers 4.45.1 goldens and Pillow 9.4 outputs in tests/data/processor). Torch-free.

#include <cstdint>
#include <span>
#include <vector>

namespace vsr::vision {

/// Fractional bits of Pillow's fixed-point weights for 8-bit images (PRECISION_BITS = 32 - 8 - 2).
inline constexpr int kPillowPrecisionBits = 22;

/// Pillow's bicubic kernel (Keys cubic convolution with a = -0.5, support 2).
double pillow_bicubic_filter(double x);

/// The fixed-point filter taps of one axis, as Pillow precomputes them (precompute_coeffs + normalize_coeffs_8bpc).
struct ResampleTaps {
  int in_size = 0;                    ///< source length along the axis
  int out_size = 0;                   ///< target length along the axis
  int ksize = 0;                      ///< taps stored per output position (2 * ceil(support) + 1)
  std::vector<int> first;             ///< per output position: first source index used (Pillow's xmin)
  std::vector<int> count;             ///< per output position: number of source pixels used (Pillow's xmax - xmin)
  std::vector<std::int32_t> weights;  ///< out_size x ksize weights, scaled by 2^kPillowPrecisionBits and rounded
};

/// Taps for resizing `in_size` pixels to `out_size` with Pillow's bicubic filter over the whole source
/// (box [0, in_size)). Throws vsr::Error unless both sizes are positive.
ResampleTaps pillow_bicubic_taps(int in_size, int out_size);

/// A reusable Pillow-exact bicubic resize between two fixed sizes (coefficient tables computed once; every video
/// frame of a clip reuses them). `run` is const and thread-safe.
class PillowBicubicResizer {
 public:
  /// Prepares a resize of [in_height, in_width, channels] to [out_height, out_width, channels] (HWC uint8).
  /// Throws vsr::Error for non-positive sizes or channels outside 1..4.
  PillowBicubicResizer(int in_height, int in_width, int out_height, int out_width, int channels = 3);

  /// Resizes one contiguous HWC image `src` into `dst` (out_height * out_width * channels bytes).
  void run(const std::uint8_t* src, std::uint8_t* dst) const;

  /// Checked variant: throws vsr::Error if the spans do not have the expected sizes.
  void run(std::span<const std::uint8_t> src, std::span<std::uint8_t> dst) const;

  /// Bytes of one source image.
  std::size_t in_bytes() const;
  /// Bytes of one resized image.
  std::size_t out_bytes() const;

  /// True when the width changes (Pillow's need_horizontal), i.e. the horizontal pass runs.
  bool resizes_width() const { return need_horizontal_; }
  /// True when the height changes (Pillow's need_vertical), i.e. the vertical pass runs.
  bool resizes_height() const { return need_vertical_; }

 private:
  int in_h_, in_w_, out_h_, out_w_, channels_;
  bool need_horizontal_, need_vertical_;
  ResampleTaps horizontal_, vertical_;
  int row_first_ = 0, row_last_ = 0;  // source rows the vertical pass reads
};

/// One-shot Pillow-exact bicubic resize of a contiguous HWC uint8 image; returns out_height*out_width*channels bytes.
std::vector<std::uint8_t> pillow_resize_bicubic(std::span<const std::uint8_t> src, int height, int width,
                                                int channels, int out_height, int out_width);

}  // namespace vsr::vision
