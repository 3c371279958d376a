#include "vsr/video/space_aware_sampling.hpp"

#include "vsr/core/error.hpp"
#include "vsr/core/run_dir.hpp"
#include "vsr/video/sampling.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace vsr::video {

namespace {

constexpr std::string_view kSampling = "<sampling>";
constexpr double kPi = 3.14159265358979323846;
constexpr double kEps = 1e-9;
// The covered-cell mask is one byte a cell; a track spread over more floor than this is refused rather than
// allocated (128 MiB: a 2.8 km square at 0.25 m cells).
constexpr std::int64_t kMaxCells = std::int64_t{1} << 27;

bool finite3(const std::array<double, 3>& v) {
  return std::isfinite(v[0]) && std::isfinite(v[1]) && std::isfinite(v[2]);
}

void check_frames(std::span<const CameraFrame> frames, const CoverageOptions& o) {
  require(std::isfinite(o.cell_m) && o.cell_m > 0, kSampling, "cell_m",
          fmt::format("expected a finite number > 0, got {}", o.cell_m));
  require(std::isfinite(o.range_m) && o.range_m > 0, kSampling, "range_m",
          fmt::format("expected a finite number > 0, got {}", o.range_m));
  for (std::size_t i = 0; i < frames.size(); ++i) {
    const CameraFrame& f = frames[i];
    const std::string where = fmt::format("frames[{}]", i);
    require(finite3(f.position), kSampling, where + ".position", "expected finite numbers");
    require(finite3(f.forward), kSampling, where + ".forward", "expected finite numbers");
    require(std::isfinite(f.hfov_deg) && f.hfov_deg > 0 && f.hfov_deg <= 360, kSampling, where + ".hfov_deg",
            fmt::format("expected degrees in (0, 360], got {}", f.hfov_deg));
  }
}

/// The floor cells each frame sees, as indices into a row-major grid of `cells` cells.
struct Visibility {
  std::int64_t cells = 0;
  std::vector<std::vector<std::uint32_t>> seen;
};

Visibility floor_visibility(std::span<const CameraFrame> frames, const CoverageOptions& o) {
  double min_x = frames[0].position[0], max_x = min_x, min_y = frames[0].position[1], max_y = min_y;
  for (const CameraFrame& f : frames) {
    min_x = std::min(min_x, f.position[0]);
    max_x = std::max(max_x, f.position[0]);
    min_y = std::min(min_y, f.position[1]);
    max_y = std::max(max_y, f.position[1]);
  }
  const double r = o.range_m, c = o.cell_m;
  const double x0 = min_x - r, y0 = min_y - r;
  const double span_x = max_x - min_x + 2 * r, span_y = max_y - min_y + 2 * r;
  const double nx_d = std::max(1.0, std::ceil(span_x / c - kEps)), ny_d = std::max(1.0, std::ceil(span_y / c - kEps));
  require(nx_d * ny_d <= static_cast<double>(kMaxCells), kSampling, "cell_m",
          fmt::format("the floor grid would have {:.0f} x {:.0f} cells (more than {}); use larger cells", nx_d, ny_d,
                      kMaxCells));
  const auto nx = static_cast<std::int64_t>(nx_d), ny = static_cast<std::int64_t>(ny_d);

  Visibility vis;
  vis.cells = nx * ny;
  vis.seen.resize(frames.size());
  const double r2 = r * r + kEps;
  for (std::size_t i = 0; i < frames.size(); ++i) {
    const CameraFrame& f = frames[i];
    const double fx = f.forward[0], fy = f.forward[1];
    const double flen = std::hypot(fx, fy);
    if (flen < 1e-6) continue;
    const double ux = fx / flen, uy = fy / flen;
    const double cos_half = std::cos(std::min(f.hfov_deg, 360.0) * kPi / 360.0);
    const double px = f.position[0], py = f.position[1];
    const auto lo_x = std::clamp<std::int64_t>(static_cast<std::int64_t>(std::floor((px - r - x0) / c)), 0, nx - 1);
    const auto hi_x = std::clamp<std::int64_t>(static_cast<std::int64_t>(std::floor((px + r - x0) / c)), 0, nx - 1);
    const auto lo_y = std::clamp<std::int64_t>(static_cast<std::int64_t>(std::floor((py - r - y0) / c)), 0, ny - 1);
    const auto hi_y = std::clamp<std::int64_t>(static_cast<std::int64_t>(std::floor((py + r - y0) / c)), 0, ny - 1);
    auto& out = vis.seen[i];
    for (std::int64_t iy = lo_y; iy <= hi_y; ++iy) {
      const double dy = y0 + (static_cast<double>(iy) + 0.5) * c - py;
      for (std::int64_t ix = lo_x; ix <= hi_x; ++ix) {
        const double dx = x0 + (static_cast<double>(ix) + 0.5) * c - px;
        const double d2 = dx * dx + dy * dy;
        if (d2 > r2) continue;
        if (dx * ux + dy * uy < cos_half * std::sqrt(d2) - kEps) continue;
        out.push_back(static_cast<std::uint32_t>(iy * nx + ix));
      }
    }
  }
  return vis;
}

}  // namespace

std::vector<std::int64_t> space_aware_indices(std::span<const CameraFrame> frames, std::int64_t n,
                                              const CoverageOptions& options) {
  require(n >= 2 && n % 2 == 0, kSampling, "frames",
          fmt::format("expected an even number >= 2 (2 frames per temporal patch), got {}", n));
  require(!frames.empty(), kSampling, "camera track", "expected at least one frame, got none");
  check_frames(frames, options);
  const auto total = static_cast<std::int64_t>(frames.size());
  if (n > total) return uniform_indices(total, n);

  const Visibility vis = floor_visibility(frames, options);
  std::vector<std::uint8_t> covered(static_cast<std::size_t>(vis.cells), 0);
  std::vector<std::uint8_t> chosen(frames.size(), 0);
  std::vector<std::int64_t> out;
  out.reserve(static_cast<std::size_t>(n));

  while (static_cast<std::int64_t>(out.size()) < n) {
    std::size_t best = 0, best_gain = 0;
    for (std::size_t i = 0; i < frames.size(); ++i) {
      if (chosen[i]) continue;
      std::size_t gain = 0;
      for (std::uint32_t cell : vis.seen[i]) gain += covered[cell] == 0;
      if (gain > best_gain) best = i, best_gain = gain;
    }
    if (best_gain == 0) break;
    for (std::uint32_t cell : vis.seen[best]) covered[cell] = 1;
    chosen[best] = 1;
    out.push_back(static_cast<std::int64_t>(best));
  }

  if (static_cast<std::int64_t>(out.size()) < n) {
    // Distance in index from each frame to the nearest chosen one (`total` stands for "none chosen yet").
    std::vector<std::int64_t> gap(frames.size(), total);
    auto mark = [&](std::int64_t k) {
      for (std::int64_t i = 0; i < total; ++i) gap[i] = std::min(gap[i], i > k ? i - k : k - i);
    };
    for (std::int64_t k : out) mark(k);
    while (static_cast<std::int64_t>(out.size()) < n) {
      std::int64_t best = -1;
      for (std::int64_t i = 0; i < total; ++i)
        if (!chosen[i] && (best < 0 || gap[i] > gap[best])) best = i;
      chosen[best] = 1;
      out.push_back(best);
      mark(best);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

namespace {

CameraFrame from_yaw_pitch(const std::array<double, 3>& position, double yaw, double pitch, double fov) {
  const double cp = std::cos(pitch);
  return {position, {cp * std::cos(yaw), cp * std::sin(yaw), std::sin(pitch)}, fov};
}

/// Camera-to-world (row-major 4x4, OpenCV camera: +z looks forward) to a CameraFrame; std::nullopt when a value is
/// not finite or the third rotation column is zero.
std::optional<CameraFrame> from_camera_to_world(const std::array<double, 16>& m, double fov) {
  for (double v : m)
    if (!std::isfinite(v)) return std::nullopt;
  const std::array<double, 3> z{m[2], m[6], m[10]};
  const double len = std::sqrt(z[0] * z[0] + z[1] * z[1] + z[2] * z[2]);
  if (!(len > 1e-12)) return std::nullopt;
  return CameraFrame{{m[3], m[7], m[11]}, {z[0] / len, z[1] / len, z[2] / len}, fov};
}

std::string kind_of(const nlohmann::json& v) {
  if (v.is_object()) return "an object";
  if (v.is_array()) return fmt::format("an array of {}", v.size());
  if (v.is_string()) return "a string";
  if (v.is_boolean()) return "a boolean";
  if (v.is_null()) return "null";
  return "a number";
}

double json_number(const nlohmann::json& v, const std::string& file, const std::string& field) {
  require(v.is_number(), file, field, "expected a number, got " + kind_of(v));
  const double x = v.get<double>();
  require(std::isfinite(x), file, field, "expected a finite number");
  return x;
}

template <std::size_t N>
std::array<double, N> json_numbers(const nlohmann::json& f, const char* key, const std::string& file,
                                   const std::string& where) {
  const std::string field = where + "." + key;
  const nlohmann::json& v = f[key];
  require(v.is_array() && v.size() == N, file, field,
          fmt::format("expected an array of {} numbers, got {}", N, kind_of(v)));
  std::array<double, N> out{};
  for (std::size_t d = 0; d < N; ++d) out[d] = json_number(v[d], file, fmt::format("{}[{}]", field, d));
  return out;
}

std::vector<CameraFrame> read_track_json(const std::filesystem::path& path) {
  const std::string file = path.string();
  const nlohmann::json j = nlohmann::json::parse(read_file(path), nullptr, false);
  require(!j.is_discarded(), file, "", "not a JSON file (expected a camera track {\"frames\": [...]})");
  require(j.is_object(), file, "", "expected a JSON object {\"frames\": [...]}, got " + kind_of(j));
  require(j.contains("frames"), file, "frames", "missing (expected an array with one camera per video frame)");
  const nlohmann::json& frames = j["frames"];
  require(frames.is_array(), file, "frames", "expected an array, got " + kind_of(frames));
  require(!frames.empty(), file, "frames", "expected at least one camera, got an empty array");
  std::vector<CameraFrame> out;
  out.reserve(frames.size());
  for (std::size_t i = 0; i < frames.size(); ++i) {
    const nlohmann::json& f = frames[i];
    const std::string where = fmt::format("frames[{}]", i);
    require(f.is_object(), file, where,
            "expected {position, yaw, pitch, fov_deg} or {camera_to_world, fov_deg}, got " + kind_of(f));
    double fov = 90;
    if (f.contains("fov_deg")) {
      fov = json_number(f["fov_deg"], file, where + ".fov_deg");
      require(fov > 0 && fov < 180, file, where + ".fov_deg", fmt::format("expected degrees in (0, 180), got {}", fov));
    }
    const bool pose = f.contains("position") || f.contains("yaw") || f.contains("pitch");
    if (f.contains("camera_to_world")) {
      require(!pose, file, where, "expected either {position, yaw, pitch} or camera_to_world, not both");
      const auto m = json_numbers<16>(f, "camera_to_world", file, where);
      const auto cam = from_camera_to_world(m, fov);
      require(cam.has_value(), file, where + ".camera_to_world",
              "expected a camera-to-world matrix whose rotation's third column is not zero");
      out.push_back(*cam);
      continue;
    }
    for (const char* key : {"position", "yaw", "pitch"})
      require(f.contains(key), file, where + "." + key,
              "missing (expected {position: [x, y, z], yaw, pitch, fov_deg} or {camera_to_world: [16 numbers], "
              "fov_deg})");
    const auto position = json_numbers<3>(f, "position", file, where);
    const double yaw = json_number(f["yaw"], file, where + ".yaw");
    const double pitch = json_number(f["pitch"], file, where + ".pitch");
    out.push_back(from_yaw_pitch(position, yaw, pitch, fov));
  }
  return out;
}

/// One ScanNet pose file: 4 lines of 4 numbers ("-inf" allowed: the caller skips such poses).
std::array<double, 16> read_pose_file(const std::filesystem::path& path) {
  const std::string file = path.string();
  const std::string text = read_file(path);
  std::array<double, 16> m{};
  int row = 0;
  std::size_t line_no = 0, pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    const std::string_view line(text.data() + pos, end - pos);
    pos = end + 1;
    ++line_no;
    int col = 0;
    std::size_t k = 0;
    auto space = [](char ch) { return ch == ' ' || ch == '\t' || ch == '\r'; };
    while (k < line.size()) {
      while (k < line.size() && space(line[k])) ++k;
      if (k == line.size()) break;
      std::size_t e = k;
      while (e < line.size() && !space(line[e])) ++e;
      std::string_view token = line.substr(k, e - k);
      if (!token.empty() && token[0] == '+') token.remove_prefix(1);
      double v = 0;
      const auto [ptr, ec] = std::from_chars(token.data(), token.data() + token.size(), v);
      require(ec == std::errc() && ptr == token.data() + token.size(), file, fmt::format("line {}", line_no),
              "expected a number, got " + quote(line.substr(k, e - k)));
      require(row < 4, file, fmt::format("line {}", line_no), "expected 4 lines of 4 numbers, found more");
      require(col < 4, file, fmt::format("line {}", line_no), "expected 4 numbers, found more");
      m[static_cast<std::size_t>(row * 4 + col)] = v;
      ++col;
      k = e;
    }
    if (col == 0) continue;
    require(col == 4, file, fmt::format("line {}", line_no), fmt::format("expected 4 numbers, found {}", col));
    ++row;
  }
  require(row == 4, file, "", fmt::format("expected a 4x4 camera-to-world matrix in 4 lines, found {} lines", row));
  return m;
}

std::vector<CameraFrame> read_scannet_poses(const std::filesystem::path& dir) {
  std::error_code ec;
  const std::filesystem::path pose_dir = std::filesystem::is_directory(dir / "pose", ec) ? dir / "pose" : dir;
  const std::string folder = pose_dir.string();
  std::vector<std::pair<std::uint64_t, std::filesystem::path>> files;
  std::filesystem::directory_iterator it(pose_dir, ec), end;
  require(!ec, folder, "", "cannot list the folder: " + ec.message());
  for (; it != end; it.increment(ec)) {
    require(!ec, folder, "", "cannot list the folder: " + ec.message());
    const auto& p = it->path();
    const std::string stem = p.stem().string();
    if (p.extension() != ".txt" || stem.empty() || stem.size() > 18 ||
        !std::all_of(stem.begin(), stem.end(), [](char ch) { return ch >= '0' && ch <= '9'; }))
      continue;
    files.emplace_back(std::stoull(stem), p);
  }
  require(!files.empty(), folder, "pose/",
          "expected ScanNet pose files <frame>.txt (a 4x4 camera-to-world matrix each), found none");
  std::sort(files.begin(), files.end());
  for (std::size_t i = 1; i < files.size(); ++i)
    require(files[i].first != files[i - 1].first, files[i].second.string(), "",
            "two pose files for frame " + std::to_string(files[i].first) + " (" +
                files[i - 1].second.filename().string() + ")");

  constexpr double kScanNetFov = 90;
  std::vector<std::optional<CameraFrame>> poses;
  poses.reserve(files.size());
  for (const auto& [frame, path] : files) poses.push_back(from_camera_to_world(read_pose_file(path), kScanNetFov));
  const auto first = std::find_if(poses.begin(), poses.end(), [](const auto& p) { return p.has_value(); });
  require(first != poses.end(), folder, "pose/", "every pose is invalid (non-finite values such as -inf)");
  std::vector<CameraFrame> out;
  out.reserve(poses.size());
  CameraFrame last = **first;
  for (const auto& p : poses) {
    if (p) last = *p;
    out.push_back(last);
  }
  return out;
}

}  // namespace

std::vector<CameraFrame> read_camera_track(const std::filesystem::path& file) {
  std::error_code ec;
  const auto status = std::filesystem::status(file, ec);
  require(std::filesystem::exists(status), file.string(), "",
          "no such file or folder (expected a camera-track JSON file or a ScanNet pose folder)");
  if (std::filesystem::is_directory(status)) return read_scannet_poses(file);
  return read_track_json(file);
}

std::vector<CameraFrame> resample_track(std::span<const CameraFrame> track, std::int64_t video_frames) {
  require(!track.empty(), kSampling, "camera track", "expected at least one frame, got none");
  require(video_frames >= 1, kSampling, "video frames", fmt::format("expected >= 1, got {}", video_frames));
  const auto t_last = static_cast<std::int64_t>(track.size()) - 1;
  const std::int64_t f_last = video_frames - 1;
  std::vector<CameraFrame> out;
  out.reserve(static_cast<std::size_t>(video_frames));
  for (std::int64_t i = 0; i < video_frames; ++i) {
    const std::int64_t k = f_last == 0 ? 0 : (2 * i * t_last + f_last) / (2 * f_last);
    out.push_back(track[static_cast<std::size_t>(k)]);
  }
  return out;
}

}  // namespace vsr::video
