#pragma once
/// @file
/// Single JPEG images through FFmpeg's MJPEG codec: ScanNet's .sens files store every colour frame as a JPEG
/// (SensReader's COMPRESSION_TYPE_COLOR jpeg). PIMPL-free free functions; no FFmpeg header.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace vsr::video {

/// Encodes one RGB24 image (`width * height * 3` bytes, HWC) as a baseline JPEG (4:2:0, full-range YCbCr) with
/// FFmpeg's quantiser scale `qscale` (2 = best .. 31). `where` names the caller in errors.
std::vector<std::uint8_t> encode_jpeg(const std::uint8_t* rgb, std::int64_t width, std::int64_t height, int qscale,
                                      const std::string& where);

/// Decodes one JPEG image to RGB24 (`width * height * 3` bytes, HWC); `width` and `height` receive its size.
/// vsr::Error naming `where` for data that is not a decodable JPEG.
std::vector<std::uint8_t> decode_jpeg(std::span<const std::uint8_t> jpeg, std::int64_t& width, std::int64_t& height,
                                      const std::string& where);

}  // namespace vsr::video
