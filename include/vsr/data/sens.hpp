#pragma once
/// @file
/// ScanNet's `.sens` RGB-D streams (the format of ScanNet's SensReader, `SensorData` version 4; ScanNet, arXiv
/// 1702.04405): a header (sensor name, colour / depth intrinsics and extrinsics as row-major 4x4 float matrices,
/// compression types, image sizes, depth shift, frame count), then per frame the camera-to-world 4x4 pose, colour and
/// depth timestamps, and the compressed colour (JPEG) and depth (zlib-compressed little-endian uint16) bytes. vsr reads
/// it as a stream (one frame in memory) to make the training videos and camera tracks (`vsr data sens`) and writes it
/// for tests and synthetic scenes. Torch-free.

#include <array>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

namespace vsr::data {

/// A row-major 4x4 float matrix as stored in .sens files.
using Mat4f = std::array<float, 16>;

/// SensReader's COMPRESSION_TYPE_COLOR.
enum class SensColorCompression : std::int32_t { Unknown = -1, Raw = 0, Png = 1, Jpeg = 2 };
/// SensReader's COMPRESSION_TYPE_DEPTH.
enum class SensDepthCompression : std::int32_t { Unknown = -1, RawUshort = 0, ZlibUshort = 1, OcciUshort = 2 };

/// The header of a .sens file.
struct SensHeader {
  std::string sensor_name;                                    ///< e.g. "StructureSensor"
  Mat4f intrinsic_color{}, extrinsic_color{};                 ///< colour camera calibration
  Mat4f intrinsic_depth{}, extrinsic_depth{};                 ///< depth camera calibration
  SensColorCompression color_compression = SensColorCompression::Jpeg;       ///< ScanNet: JPEG
  SensDepthCompression depth_compression = SensDepthCompression::ZlibUshort;  ///< ScanNet: zlib
  std::uint32_t color_width = 0, color_height = 0;            ///< colour image size
  std::uint32_t depth_width = 0, depth_height = 0;            ///< depth image size
  float depth_shift = 1000;                                   ///< depth units per metre
  std::uint64_t frames = 0;                                   ///< number of RGB-D frames
};

/// One RGB-D frame as stored (compressed).
struct SensFrame {
  Mat4f camera_to_world{};             ///< camera pose (ScanNet / OpenCV convention); -inf entries mark lost tracking
  std::uint64_t timestamp_color = 0;   ///< microseconds
  std::uint64_t timestamp_depth = 0;   ///< microseconds
  std::vector<std::uint8_t> color;     ///< compressed colour bytes
  std::vector<std::uint8_t> depth;     ///< compressed depth bytes
};

/// Reads a .sens file frame by frame. Every malformed field is a vsr::Error naming the file and the field
/// (`header.version`, `frames[12].color_size_bytes`, ...).
class SensReader {
 public:
  /// Opens `path` and reads the header.
  explicit SensReader(const std::filesystem::path& path);
  /// The header.
  const SensHeader& header() const { return header_; }
  /// Reads the next frame into `frame`; false after the last one.
  bool next(SensFrame& frame);
  /// The colour image of `frame` as RGB24 (`color_width * color_height * 3` bytes; JPEG or raw).
  std::vector<std::uint8_t> color_rgb(const SensFrame& frame) const;
  /// The depth image of `frame` in header().depth_shift units per metre (`depth_width * depth_height` values; zlib
  /// or raw).
  std::vector<std::uint16_t> depth(const SensFrame& frame) const;
  /// Frames read so far.
  std::uint64_t frames_read() const { return read_; }

 private:
  std::string file_;
  std::ifstream in_;
  SensHeader header_;
  std::uint64_t read_ = 0;
  std::uint64_t file_size_ = 0;
};

/// Writes a .sens file (to `path` + ".part", renamed into place by close()); the header's frame count is the number
/// of frames written. Colour is JPEG-compressed, depth zlib-compressed, as ScanNet stores them.
class SensWriter {
 public:
  /// Creates the file; `header.frames` is ignored. vsr::Error naming `path` when it cannot be created.
  SensWriter(const std::filesystem::path& path, const SensHeader& header, int jpeg_qscale = 2);
  /// Removes the temporary file unless close() ran.
  ~SensWriter();
  SensWriter(const SensWriter&) = delete;
  SensWriter& operator=(const SensWriter&) = delete;
  /// Appends a frame from an RGB24 image (`color_width * color_height * 3` bytes) and a depth image
  /// (`depth_width * depth_height` values).
  void write(const Mat4f& camera_to_world, std::uint64_t timestamp_us, const std::uint8_t* rgb,
             const std::uint16_t* depth);
  /// Writes the frame count and renames the file into place.
  void close();

 private:
  std::filesystem::path path_, tmp_;
  std::ofstream out_;
  SensHeader header_;
  int qscale_;
  std::uint64_t written_ = 0;
  bool closed_ = false;
};

/// Settings of export_sens.
struct SensExportOptions {
  double fps = 24;              ///< frame rate of the output video; frames are dropped evenly to reach it
  double source_fps = 30;       ///< the colour stream's rate (ScanNet records at 30 Hz) when timestamps are absent
  int quality = 18;             ///< libx264 CRF of the video (0 = lossless in YUV 4:2:0)
  std::filesystem::path depth_dir;  ///< when set: each kept frame's depth as `<frame>.pgm` (16-bit, lossless)
};

/// What export_sens wrote.
struct SensExport {
  std::int64_t frames_in = 0;       ///< frames in the .sens file
  std::int64_t frames_out = 0;      ///< frames in the video
  std::int64_t invalid_poses = 0;   ///< kept frames whose pose was non-finite (they repeat the last valid pose)
  double fov_deg = 0;               ///< horizontal field of view from the colour intrinsics
};

/// Converts a .sens file into a walkthrough video (`video`, H.264) at `options.fps` and a camera track (`track`, the
/// camera-to-world JSON form video::read_camera_track reads, one entry per video frame, the field of view from the
/// colour intrinsics), streaming one frame at a time; `on_frame` receives the running count of frames read.
SensExport export_sens(const std::filesystem::path& sens, const std::filesystem::path& video,
                       const std::filesystem::path& track, const SensExportOptions& options,
                       const std::function<void(std::int64_t)>& on_frame = {});

/// Writes a 16-bit binary PGM (P5, maxval 65535, big-endian samples): a lossless depth image any viewer opens.
void write_pgm16(const std::filesystem::path& path, const std::uint16_t* values, std::int64_t width,
                 std::int64_t height);

/// Reads a 16-bit PGM written by write_pgm16; `width` / `height` receive its size.
std::vector<std::uint16_t> read_pgm16(const std::filesystem::path& path, std::int64_t& width, std::int64_t& height);

}  // namespace vsr::data
