#pragma once
/// @file
/// Decoded video frames as plain bytes: the hand-over format between the FFmpeg reader, the HDF5 frame cache and
/// the Qwen2-VL image processor. Torch-free.

#include <cstdint>
#include <vector>

namespace vsr::video {

/// A batch of RGB24 frames of one video, row-major `[count, height, width, 3]`, with the source frame index of each
/// frame (0-based, in presentation order).
struct Frames {
  std::int64_t count = 0;             ///< number of frames
  std::int64_t height = 0;            ///< rows per frame
  std::int64_t width = 0;             ///< columns per frame
  std::vector<std::uint8_t> rgb;      ///< `count * height * width * 3` bytes, frame-major, HWC, RGB order
  std::vector<std::int64_t> indices;  ///< `count` source frame indices (presentation order, 0-based)

  /// Bytes of one frame (`height * width * 3`).
  std::int64_t frame_bytes() const { return height * width * 3; }
  /// Pointer to frame `i`'s first byte (no bounds check).
  const std::uint8_t* frame(std::int64_t i) const { return rgb.data() + i * frame_bytes(); }
  /// Mutable pointer to frame `i`'s first byte (no bounds check).
  std::uint8_t* frame(std::int64_t i) { return rgb.data() + i * frame_bytes(); }
};

}  // namespace vsr::video
