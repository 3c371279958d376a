#pragma once
/// @file
/// Writing RGB24 frames to a video file with FFmpeg: H.264 (libx264, yuv420p) when the FFmpeg build has it, else
/// MPEG-4 Part 2. Used for synthetic test videos, the benchmark video and debugging output. PIMPL: no FFmpeg header.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

namespace vsr::video {

/// Encoder settings.
struct WriterOptions {
  /// libx264's CRF (0 = lossless .. 51, 23 = its default); for the MPEG-4 fallback the fixed quantiser
  /// `clamp(quality / 5, 2, 31)`.
  int quality = 23;
  /// Keyframe distance in frames; 0 keeps the encoder's default (libx264: 250, like the ffmpeg program).
  int gop = 0;
  /// libx264 preset ("ultrafast" .. "veryslow"); ignored by MPEG-4.
  std::string preset = "medium";
  /// Encoder threads. 1 (default): the file is the same on every run. 0 lets FFmpeg choose, N > 1 uses N: faster for
  /// large videos, but multi-threaded libx264 output differs from run to run (measured: 60 of 96 synthetic videos).
  int threads = 1;
  /// Put the MP4 index (moov) before the media data (`-movflags +faststart`); MP4/MOV only.
  bool faststart = false;
};

/// Writes a video frame by frame. The container follows the file extension (.mp4, .mkv, .avi, .mov, ...). Width and
/// height must be even (4:2:0 chroma subsampling): odd sizes are rejected, not padded. Output goes to a temporary
/// file next to `path` (`path` + ".part") that close() renames into place, so a crash never leaves a half video
/// under the final name. Every failure is a vsr::Error naming the file.
class VideoWriter {
 public:
  /// Opens the encoder and the temporary output; `fps` > 0 (stored as a rational, e.g. 29.97 -> 2997/100).
  VideoWriter(const std::filesystem::path& path, std::int64_t width, std::int64_t height, double fps, int quality = 23);
  /// As above with all encoder settings.
  VideoWriter(const std::filesystem::path& path, std::int64_t width, std::int64_t height, double fps,
              const WriterOptions& options);
  /// Closes the file (see close()); when destroyed during stack unwinding (an exception is in flight) the
  /// temporary file is removed instead, and errors are never thrown from here.
  ~VideoWriter();
  VideoWriter(VideoWriter&&) noexcept;
  VideoWriter& operator=(VideoWriter&&) noexcept;
  VideoWriter(const VideoWriter&) = delete;
  VideoWriter& operator=(const VideoWriter&) = delete;

  /// Encodes one frame: `width * height * 3` bytes, HWC, RGB order.
  void write(const std::uint8_t* rgb);
  /// Flushes the encoder, writes the trailer and renames the temporary file to the final name. Idempotent. A video
  /// with zero frames is written as such (readers reject it).
  void close();
  /// Frames written so far.
  std::int64_t frames_written() const;
  /// The encoder in use ("libx264" or "mpeg4").
  std::string encoder_name() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vsr::video
