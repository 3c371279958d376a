#pragma once
/// @file
/// Reading chosen frames with several independent decoders at once: the wanted frames are dealt out in turn to
/// `workers` threads, each with its own single-threaded VideoReader (its own demuxer and decoder, seeking to the
/// keyframe before each of its frames). Sparse samples (Qwen2-VL's 16-32 uniform frames of a long video) decode from
/// a different keyframe for almost every frame, which FFmpeg's frame threading cannot overlap (its pipeline restarts
/// at every seek); independent decoders can. Same frames, bit for bit, as VideoReader::read_indices.

#include "vsr/video/reader.hpp"

#include <cstdint>
#include <filesystem>
#include <span>

namespace vsr::video {

/// The frames `indices` of `path` (any order, repeats allowed; output in the given order) decoded by `workers`
/// readers in parallel (1 = one reader on this thread; `options.threads` is the FFmpeg thread count of each reader,
/// 1 recommended when workers > 1). The first error of any worker is rethrown (vsr::Error naming the file).
Frames read_indices_parallel(const std::filesystem::path& path, std::span<const std::int64_t> indices, int workers,
                             ReaderOptions options = {});

}  // namespace vsr::video
