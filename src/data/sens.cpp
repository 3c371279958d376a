// ScanNet .sens streams: reading, writing, and the export to a walkthrough video plus camera track.
#include "vsr/data/sens.hpp"

#include "vsr/core/error.hpp"
#include "vsr/core/run_dir.hpp"
#include "vsr/video/jpeg.hpp"
#include "vsr/video/writer.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <zlib.h>

#include <cmath>
#include <cstring>
#include <limits>

namespace fs = std::filesystem;

namespace vsr::data {

namespace {

constexpr std::uint32_t kSensVersion = 4;
constexpr std::uint32_t kMaxSide = 16384;
constexpr std::uint64_t kMaxNameBytes = 4096;

template <class T>
T read_pod(std::ifstream& in, const std::string& file, const std::string& field) {
  T value{};
  in.read(reinterpret_cast<char*>(&value), sizeof value);
  require(in.gcount() == static_cast<std::streamsize>(sizeof value), file, field, "the file ends here (truncated)");
  return value;
}

template <class T>
void write_pod(std::ofstream& out, const T& value) {
  out.write(reinterpret_cast<const char*>(&value), sizeof value);
}

void check_size(std::uint32_t w, std::uint32_t h, const std::string& file, const std::string& field) {
  require(w >= 1 && h >= 1 && w <= kMaxSide && h <= kMaxSide, file, field,
          fmt::format("expected an image size in [1, {}], found {}x{}", kMaxSide, w, h));
}

/// The horizontal field of view (degrees) of a colour camera with intrinsics `k` (fx = k[0]) and width `w`.
double horizontal_fov(const Mat4f& k, std::uint32_t w) {
  return k[0] > 0 ? 2 * std::atan(double(w) / (2 * double(k[0]))) * 180 / M_PI : 90.0;
}

bool finite_pose(const Mat4f& m) {
  for (float v : m)
    if (!std::isfinite(v)) return false;
  return true;
}

}  // namespace

SensReader::SensReader(const fs::path& path) : file_(path.string()), in_(path, std::ios::binary) {
  require(in_.good(), file_, "", "cannot open the .sens file");
  std::error_code ec;
  file_size_ = fs::file_size(path, ec);
  const auto version = read_pod<std::uint32_t>(in_, file_, "header.version");
  require(version == kSensVersion, file_, "header.version",
          fmt::format("expected SensorData version {} (ScanNet's SensReader), found {}", kSensVersion, version));
  const auto name_bytes = read_pod<std::uint64_t>(in_, file_, "header.sensor_name");
  require(name_bytes <= kMaxNameBytes, file_, "header.sensor_name",
          fmt::format("expected a name of at most {} bytes, found a length of {}", kMaxNameBytes, name_bytes));
  header_.sensor_name.resize(name_bytes);
  in_.read(header_.sensor_name.data(), static_cast<std::streamsize>(name_bytes));
  require(in_.gcount() == static_cast<std::streamsize>(name_bytes), file_, "header.sensor_name", "truncated");
  for (auto* m : {&header_.intrinsic_color, &header_.extrinsic_color, &header_.intrinsic_depth,
                  &header_.extrinsic_depth})
    *m = read_pod<Mat4f>(in_, file_, "header.calibration");
  const auto color = read_pod<std::int32_t>(in_, file_, "header.color_compression_type");
  const auto depth = read_pod<std::int32_t>(in_, file_, "header.depth_compression_type");
  require(color == 0 || color == 2, file_, "header.color_compression_type",
          fmt::format("expected 2 (jpeg) or 0 (raw), found {}", color));
  require(depth == 0 || depth == 1, file_, "header.depth_compression_type",
          fmt::format("expected 1 (zlib_ushort) or 0 (raw_ushort), found {}", depth));
  header_.color_compression = static_cast<SensColorCompression>(color);
  header_.depth_compression = static_cast<SensDepthCompression>(depth);
  header_.color_width = read_pod<std::uint32_t>(in_, file_, "header.color_width");
  header_.color_height = read_pod<std::uint32_t>(in_, file_, "header.color_height");
  header_.depth_width = read_pod<std::uint32_t>(in_, file_, "header.depth_width");
  header_.depth_height = read_pod<std::uint32_t>(in_, file_, "header.depth_height");
  check_size(header_.color_width, header_.color_height, file_, "header.color_width");
  check_size(header_.depth_width, header_.depth_height, file_, "header.depth_width");
  header_.depth_shift = read_pod<float>(in_, file_, "header.depth_shift");
  require(std::isfinite(header_.depth_shift) && header_.depth_shift > 0, file_, "header.depth_shift",
          fmt::format("expected a positive number of depth units per metre, found {}", header_.depth_shift));
  header_.frames = read_pod<std::uint64_t>(in_, file_, "header.num_frames");
  // Each frame takes at least its 96 fixed bytes: a count past what the file holds is corrupt.
  require(file_size_ == 0 || header_.frames <= file_size_ / 96, file_, "header.num_frames",
          fmt::format("{} frames cannot fit in a file of {} bytes", header_.frames, file_size_));
}

bool SensReader::next(SensFrame& frame) {
  if (read_ >= header_.frames) return false;
  const std::string where = fmt::format("frames[{}]", read_);
  frame.camera_to_world = read_pod<Mat4f>(in_, file_, where + ".camera_to_world");
  frame.timestamp_color = read_pod<std::uint64_t>(in_, file_, where + ".timestamp_color");
  frame.timestamp_depth = read_pod<std::uint64_t>(in_, file_, where + ".timestamp_depth");
  const auto color_bytes = read_pod<std::uint64_t>(in_, file_, where + ".color_size_bytes");
  const auto depth_bytes = read_pod<std::uint64_t>(in_, file_, where + ".depth_size_bytes");
  const auto at = static_cast<std::uint64_t>(in_.tellg());
  for (const auto& [bytes, field] : {std::pair{color_bytes, ".color_size_bytes"}, {depth_bytes, ".depth_size_bytes"}})
    require(file_size_ == 0 || bytes <= file_size_ - std::min(at, file_size_), file_, where + field,
            fmt::format("{} bytes do not fit in the rest of the file", bytes));
  frame.color.resize(color_bytes);
  frame.depth.resize(depth_bytes);
  in_.read(reinterpret_cast<char*>(frame.color.data()), static_cast<std::streamsize>(color_bytes));
  require(in_.gcount() == static_cast<std::streamsize>(color_bytes), file_, where + ".color", "truncated");
  in_.read(reinterpret_cast<char*>(frame.depth.data()), static_cast<std::streamsize>(depth_bytes));
  require(in_.gcount() == static_cast<std::streamsize>(depth_bytes), file_, where + ".depth", "truncated");
  ++read_;
  return true;
}

std::vector<std::uint8_t> SensReader::color_rgb(const SensFrame& frame) const {
  const std::string where = fmt::format("frames[{}].color", read_ == 0 ? 0 : read_ - 1);
  const std::size_t bytes = std::size_t{header_.color_width} * header_.color_height * 3;
  if (header_.color_compression == SensColorCompression::Raw) {
    require(frame.color.size() == bytes, file_, where, fmt::format("expected {} raw RGB bytes, found {}", bytes,
                                                                   frame.color.size()));
    return frame.color;
  }
  std::int64_t w = 0, h = 0;
  auto rgb = video::decode_jpeg(frame.color, w, h, file_ + " " + where);
  require(w == header_.color_width && h == header_.color_height, file_, where,
          fmt::format("expected a {}x{} JPEG (the header's colour size), found {}x{}", header_.color_width,
                      header_.color_height, w, h));
  return rgb;
}

std::vector<std::uint16_t> SensReader::depth(const SensFrame& frame) const {
  const std::string where = fmt::format("frames[{}].depth", read_ == 0 ? 0 : read_ - 1);
  const std::size_t values = std::size_t{header_.depth_width} * header_.depth_height;
  std::vector<std::uint16_t> out(values);
  if (header_.depth_compression == SensDepthCompression::RawUshort) {
    require(frame.depth.size() == values * 2, file_, where,
            fmt::format("expected {} raw depth bytes, found {}", values * 2, frame.depth.size()));
    std::memcpy(out.data(), frame.depth.data(), values * 2);
    return out;
  }
  uLongf size = static_cast<uLongf>(values * 2);
  const int z = uncompress(reinterpret_cast<Bytef*>(out.data()), &size, frame.depth.data(),
                           static_cast<uLong>(frame.depth.size()));
  require(z == Z_OK && size == values * 2, file_, where,
          fmt::format("expected zlib data of a {}x{} uint16 depth image (zlib status {}, {} bytes)", header_.depth_width,
                      header_.depth_height, z, static_cast<std::uint64_t>(size)));
  return out;
}

SensWriter::SensWriter(const fs::path& path, const SensHeader& header, int jpeg_qscale)
    : path_(path), tmp_(fs::path(path.string() + ".part")), header_(header), qscale_(jpeg_qscale) {
  check_size(header.color_width, header.color_height, path.string(), "header.color_width");
  check_size(header.depth_width, header.depth_height, path.string(), "header.depth_width");
  if (path.has_parent_path()) fs::create_directories(path.parent_path());
  out_.open(tmp_, std::ios::binary | std::ios::trunc);
  require(out_.good(), path.string(), "", "cannot create the file");
  header_.color_compression = SensColorCompression::Jpeg;
  header_.depth_compression = SensDepthCompression::ZlibUshort;
  write_pod(out_, kSensVersion);
  write_pod(out_, static_cast<std::uint64_t>(header_.sensor_name.size()));
  out_.write(header_.sensor_name.data(), static_cast<std::streamsize>(header_.sensor_name.size()));
  for (const auto* m : {&header_.intrinsic_color, &header_.extrinsic_color, &header_.intrinsic_depth,
                        &header_.extrinsic_depth})
    write_pod(out_, *m);
  write_pod(out_, static_cast<std::int32_t>(header_.color_compression));
  write_pod(out_, static_cast<std::int32_t>(header_.depth_compression));
  for (std::uint32_t v : {header_.color_width, header_.color_height, header_.depth_width, header_.depth_height})
    write_pod(out_, v);
  write_pod(out_, header_.depth_shift);
  write_pod(out_, std::uint64_t{0});  // the frame count, patched by close()
}

SensWriter::~SensWriter() {
  if (closed_) return;
  out_.close();
  std::error_code ec;
  fs::remove(tmp_, ec);
}

void SensWriter::write(const Mat4f& camera_to_world, std::uint64_t timestamp_us, const std::uint8_t* rgb,
                       const std::uint16_t* depth) {
  require(!closed_, path_.string(), "", "write after close");
  const auto jpeg = video::encode_jpeg(rgb, header_.color_width, header_.color_height, qscale_, path_.string());
  const uLong raw = static_cast<uLong>(std::size_t{header_.depth_width} * header_.depth_height * 2);
  std::vector<std::uint8_t> packed(compressBound(raw));
  uLongf packed_size = static_cast<uLongf>(packed.size());
  require(compress(packed.data(), &packed_size, reinterpret_cast<const Bytef*>(depth), raw) == Z_OK, path_.string(),
          "depth", "zlib compression failed");
  write_pod(out_, camera_to_world);
  write_pod(out_, timestamp_us);
  write_pod(out_, timestamp_us);
  write_pod(out_, static_cast<std::uint64_t>(jpeg.size()));
  write_pod(out_, static_cast<std::uint64_t>(packed_size));
  out_.write(reinterpret_cast<const char*>(jpeg.data()), static_cast<std::streamsize>(jpeg.size()));
  out_.write(reinterpret_cast<const char*>(packed.data()), static_cast<std::streamsize>(packed_size));
  require(out_.good(), path_.string(), "", "write failed (disk full?)");
  ++written_;
}

void SensWriter::close() {
  if (closed_) return;
  // The frame count sits right before the first frame: version, name length, name, 4 matrices, 2 types, 4 sizes,
  // the depth shift.
  const std::streamoff count_at = 4 + 8 + static_cast<std::streamoff>(header_.sensor_name.size()) + 4 * 64 + 2 * 4 +
                                  4 * 4 + 4;
  out_.seekp(count_at);
  write_pod(out_, written_);
  out_.seekp(0, std::ios::end);
  write_pod(out_, std::uint64_t{0});  // no IMU frames (SensorData's trailing list)
  out_.close();
  require(!out_.fail(), path_.string(), "", "write failed (disk full?)");
  std::error_code ec;
  fs::rename(tmp_, path_, ec);
  require(!ec, path_.string(), "", "cannot rename " + tmp_.string() + " into place: " + ec.message());
  closed_ = true;
}

SensExport export_sens(const fs::path& sens, const fs::path& video, const fs::path& track,
                       const SensExportOptions& options, const std::function<void(std::int64_t)>& on_frame) {
  require(options.fps > 0 && std::isfinite(options.fps), "<options>", "fps", "expected frames per second > 0");
  require(options.source_fps > 0 && std::isfinite(options.source_fps), "<options>", "source_fps",
          "expected frames per second > 0");
  SensReader reader(sens);
  const auto& h = reader.header();
  require(h.frames > 0, sens.string(), "header.num_frames", "expected at least one frame, found 0");
  SensExport result;
  result.fov_deg = horizontal_fov(h.intrinsic_color, h.color_width);
  const std::uint32_t w = h.color_width & ~1u, hh = h.color_height & ~1u;  // 4:2:0 video needs even sides
  require(w >= 2 && hh >= 2, sens.string(), "header.color_width", "expected a colour image of at least 2x2");
  video::WriterOptions vopt;
  vopt.quality = options.quality;
  video::VideoWriter writer(video, w, hh, options.fps, vopt);
  if (!options.depth_dir.empty()) fs::create_directories(options.depth_dir);
  nlohmann::json frames = nlohmann::json::array();
  std::vector<std::uint8_t> cropped(std::size_t{w} * hh * 3);
  SensFrame frame;
  Mat4f last_valid{};
  bool have_valid = false;
  std::int64_t pending_invalid = 0;
  std::uint64_t first_ts = 0;
  while (reader.next(frame)) {
    const std::int64_t i = result.frames_in++;
    if (i == 0) first_ts = frame.timestamp_color;
    // The source time of this frame: its timestamp when the stream has them, else its index at source_fps.
    const double t = frame.timestamp_color > first_ts ? double(frame.timestamp_color - first_ts) * 1e-6
                                                      : double(i) / options.source_fps;
    const bool keep = i == 0 || std::floor(t * options.fps + 1e-9) >= double(result.frames_out);
    if (on_frame) on_frame(result.frames_in);
    if (!keep) continue;
    const auto rgb = reader.color_rgb(frame);
    for (std::uint32_t y = 0; y < hh; ++y)
      std::memcpy(cropped.data() + std::size_t{y} * w * 3, rgb.data() + std::size_t{y} * h.color_width * 3,
                  std::size_t{w} * 3);
    writer.write(cropped.data());
    if (!options.depth_dir.empty()) {
      const auto d = reader.depth(frame);
      write_pgm16(options.depth_dir / fmt::format("{}.pgm", result.frames_out), d.data(), h.depth_width,
                  h.depth_height);
    }
    nlohmann::json entry;
    if (finite_pose(frame.camera_to_world)) {
      last_valid = frame.camera_to_world;
      if (!have_valid)  // leading invalid poses take the first valid one, as the pose-folder reader does
        for (std::int64_t k = 0; k < pending_invalid; ++k)
          frames[k]["camera_to_world"] = std::vector<float>(last_valid.begin(), last_valid.end());
      have_valid = true;
    } else {
      ++result.invalid_poses;
      if (!have_valid) ++pending_invalid;
    }
    entry["camera_to_world"] = std::vector<float>(last_valid.begin(), last_valid.end());
    entry["fov_deg"] = result.fov_deg;
    entry["source_frame"] = i;
    frames.push_back(std::move(entry));
    ++result.frames_out;
  }
  require(have_valid, sens.string(), "frames.camera_to_world", "every pose is invalid (non-finite values)");
  writer.close();
  write_file_atomic(track, nlohmann::json{{"frames", frames}, {"source", sens.string()}}.dump() + "\n");
  return result;
}

void write_pgm16(const fs::path& path, const std::uint16_t* values, std::int64_t width, std::int64_t height) {
  std::string bytes = fmt::format("P5\n{} {}\n65535\n", width, height);
  const std::size_t head = bytes.size();
  bytes.resize(head + static_cast<std::size_t>(width * height) * 2);
  for (std::int64_t i = 0; i < width * height; ++i) {
    bytes[head + 2 * i] = static_cast<char>(values[i] >> 8);
    bytes[head + 2 * i + 1] = static_cast<char>(values[i] & 0xFF);
  }
  write_file_atomic(path, bytes);
}

std::vector<std::uint16_t> read_pgm16(const fs::path& path, std::int64_t& width, std::int64_t& height) {
  std::ifstream in(path, std::ios::binary);
  require(in.good(), path.string(), "", "cannot open the PGM file");
  std::string magic;
  int maxval = 0;
  in >> magic >> width >> height >> maxval;
  require(magic == "P5" && maxval == 65535 && width > 0 && height > 0 && width <= kMaxSide && height <= kMaxSide,
          path.string(), "header", "expected a 16-bit binary PGM (P5, maxval 65535)");
  in.get();
  std::vector<unsigned char> raw(static_cast<std::size_t>(width * height) * 2);
  in.read(reinterpret_cast<char*>(raw.data()), static_cast<std::streamsize>(raw.size()));
  require(in.gcount() == static_cast<std::streamsize>(raw.size()), path.string(), "pixels", "truncated");
  std::vector<std::uint16_t> out(static_cast<std::size_t>(width * height));
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = static_cast<std::uint16_t>((raw[2 * i] << 8) | raw[2 * i + 1]);
  return out;
}

}  // namespace vsr::data
