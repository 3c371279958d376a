#pragma once
/// @file
/// Reading video files with FFmpeg (libavformat/libavcodec/libswscale): metadata, all frames, chosen frames, or the
/// Qwen2-VL uniform sample. FFmpeg stays behind a PIMPL: no FFmpeg header is reachable from here.

#include "vsr/video/frames.hpp"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>

namespace vsr::video {

/// Largest frame side accepted (pixels); larger claims are rejected before anything is allocated.
inline constexpr std::int64_t kMaxSide = 16384;
/// Largest frame area accepted (pixels, 8192 x 8192; an 8K UHD frame is 33 M).
inline constexpr std::int64_t kMaxPixels = std::int64_t{8192} * 8192;
/// Largest frame count accepted from a header or a count (10 M frames, about 4.6 days at 25 fps).
inline constexpr std::int64_t kMaxFrameCount = 10'000'000;

/// Reader settings.
struct ReaderOptions {
  /// Decoder threads (FFmpeg `thread_count`); 0 lets FFmpeg choose (one per core).
  int threads = 0;
  /// Cap on the bytes of one returned Frames (`count * H * W * 3`); a request beyond it fails before allocating.
  std::int64_t max_bytes = std::int64_t{4} << 30;
  /// Seek (to the keyframe before the next wanted frame) when it lies more than this many frames past the last
  /// decoded one; 0 (the default) seeks exactly when a keyframe lies between the two, so no frame is decoded that
  /// a seek would have skipped.
  std::int64_t seek_gap = 0;
};

/// One open video file, its FFmpeg "best" video stream. Frame i is the i-th frame in presentation order. Frames come
/// out as RGB24 at the source size (swscale, bilinear, BT.601 matrix as PyAV's default, full or limited range as the
/// stream says). Frames are identified by presentation time stamp, except where the container has no usable ones
/// (AVI with B-frames stores decoding times; raw streams): there frames are numbered in decoding-output order from
/// the start and the reader only ever seeks back to the start. Not thread-safe: use one reader per thread. Every
/// failure is a vsr::Error naming the file.
class VideoReader {
 public:
  /// Opens `path` and reads its header. Fails on a missing or empty file, a file that is not a video (no video
  /// stream), a truncated file, an unsupported codec, dimensions beyond kMaxSide/kMaxPixels and zero frames.
  explicit VideoReader(const std::filesystem::path& path, ReaderOptions options = {});
  ~VideoReader();
  VideoReader(VideoReader&&) noexcept;
  VideoReader& operator=(VideoReader&&) noexcept;
  VideoReader(const VideoReader&) = delete;
  VideoReader& operator=(const VideoReader&) = delete;

  /// Exact number of frames. MP4/MOV with evenly spaced time stamps and no edit-list trimming: the container's
  /// sample count (`nb_frames`, checked against the file size; no packet is read). Any other container, or a variable
  /// frame rate: counted once at open by demuxing every packet of the stream (no decoding), which also yields each
  /// frame's time stamp and the keyframes; a count well short of the stated duration is reported as truncation.
  std::int64_t frame_count() const;
  /// True when frame_count() was counted by demuxing rather than taken from the container.
  bool frame_count_was_counted() const;
  /// Mean frame rate (frames per second) as the container states it (`avg_frame_rate`, else `r_frame_rate`).
  double fps() const;
  /// Frame width in pixels.
  std::int64_t width() const;
  /// Frame height in pixels.
  std::int64_t height() const;
  /// Stream duration in seconds (from the container, else frame_count() / fps()).
  double duration_s() const;
  /// Mean distance between keyframes in frames (frame count / keyframe count), as measured at open.
  double keyframe_interval() const;
  /// Codec name (FFmpeg's, e.g. "h264").
  std::string codec_name() const;
  /// Container name (FFmpeg's, e.g. "mov,mp4,m4a,3gp,3g2,mj2").
  std::string container_name() const;
  /// The file.
  const std::filesystem::path& path() const;

  /// Decodes every frame. Fails (before allocating) when the result would exceed ReaderOptions::max_bytes.
  Frames read_all();
  /// Decodes the frames with these source indices (any order, repeats allowed; output in the given order). Only
  /// what is needed is decoded: it seeks to the keyframe before a wanted frame when the gap from the last decoded
  /// frame exceeds the seek gap, skips non-reference frames that are not wanted, and identifies frames by their
  /// presentation time stamp. Fails on an index outside [0, frame_count()) or a frame the file does not deliver.
  Frames read_indices(std::span<const std::int64_t> indices);
  /// The Qwen2-VL uniform sample: read_indices(uniform_indices(frame_count(), n)); `n` even and >= 2.
  Frames sample_uniform(std::int64_t n);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vsr::video
