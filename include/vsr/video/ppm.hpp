#pragma once
/// @file
/// Binary PPM (Netpbm P6, maxval 255) for looking at frames: `vsr video sample` writes them, most image viewers
/// open them.

#include "vsr/video/frames.hpp"

#include <cstdint>
#include <filesystem>

namespace vsr::video {

/// Writes frame `i` of `frames` as a P6 PPM (atomically). Throws vsr::Error naming the file.
void write_ppm(const std::filesystem::path& path, const Frames& frames, std::int64_t i);

/// Reads a P6 PPM with maxval 255 as one frame (index 0). Throws vsr::Error naming the file on anything else.
Frames read_ppm(const std::filesystem::path& path);

}  // namespace vsr::video
