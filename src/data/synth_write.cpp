// Writing synthetic scenes: ScanNet files, camera poses (JSON) and the walkthrough frames.
#include "vsr/data/synth.hpp"

#include "vsr/core/error.hpp"
#include "vsr/core/run_dir.hpp"
#include "vsr/data/sens.hpp"

#include <nlohmann/json.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "vsr/video/writer.hpp"

namespace vsr::data {

void write_walkthrough(const std::filesystem::path& path, const Scene& scene, const std::vector<CameraPose>& poses,
                       int width, int height, double fps) {
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  require(!ec, path.parent_path().string(), "", "cannot create the folder: " + ec.message());
  const Renderer renderer(scene);
  video::VideoWriter writer(path, width, height, fps);
  for (const auto& pose : poses) {
    const Frame fr = renderer.render(pose, width, height);
    writer.write(fr.rgb.data());
  }
  writer.close();
}

std::array<double, 16> camera_to_world(const CameraPose& pose) {
  const double cy = std::cos(pose.yaw), sy = std::sin(pose.yaw), cp = std::cos(pose.pitch), sp = std::sin(pose.pitch);
  const std::array<double, 3> f{cy * cp, sy * cp, sp}, r{sy, -cy, 0};
  const std::array<double, 3> d{f[1] * r[2] - f[2] * r[1], f[2] * r[0] - f[0] * r[2], f[0] * r[1] - f[1] * r[0]};
  const auto& t = pose.position;
  return {r[0], d[0], f[0], t[0], r[1], d[1], f[1], t[1], r[2], d[2], f[2], t[2], 0, 0, 0, 1};
}

void write_walkthrough_sens(const std::filesystem::path& path, const Scene& scene, const std::vector<CameraPose>& poses,
                            const Matrix4& alignment, int width, int height, double fps) {
  require(!poses.empty(), path.string(), "poses", "expected at least one camera pose");
  const Renderer renderer(scene);
  // The inverse of the rigid alignment [R t]: [R^T, -R^T t].
  Matrix4 to_stored = kIdentity4;
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 3; ++j) to_stored[i * 4 + j] = alignment[j * 4 + i];
    to_stored[i * 4 + 3] = -(alignment[0 * 4 + i] * alignment[3] + alignment[1 * 4 + i] * alignment[7] +
                             alignment[2 * 4 + i] * alignment[11]);
  }
  const double focal = (width / 2.0) / std::tan(poses.front().fov_deg * M_PI / 360.0);
  SensHeader header;
  header.sensor_name = "vsr synthetic renderer";
  header.intrinsic_color = {float(focal), 0, float(width / 2.0), 0, 0, float(focal), float(height / 2.0), 0,
                            0, 0, 1, 0, 0, 0, 0, 1};
  header.intrinsic_depth = header.intrinsic_color;
  for (auto* m : {&header.extrinsic_color, &header.extrinsic_depth})
    *m = {1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1};
  header.color_width = header.depth_width = static_cast<std::uint32_t>(width);
  header.color_height = header.depth_height = static_cast<std::uint32_t>(height);
  header.depth_shift = 1000;
  SensWriter writer(path, header);
  std::vector<std::uint16_t> depth(std::size_t(width) * height);
  for (std::size_t i = 0; i < poses.size(); ++i) {
    const Frame fr = renderer.render(poses[i], width, height);
    for (std::size_t p = 0; p < depth.size(); ++p)
      depth[p] = static_cast<std::uint16_t>(std::clamp(std::lround(fr.depth[p] * 1000.0), 0L, 65535L));
    const auto aligned = camera_to_world(poses[i]);
    Mat4f stored{};
    for (int r = 0; r < 4; ++r)
      for (int c = 0; c < 4; ++c) {
        double v = 0;
        for (int k = 0; k < 4; ++k) v += to_stored[r * 4 + k] * aligned[k * 4 + c];
        stored[r * 4 + c] = static_cast<float>(v);
      }
    writer.write(stored, static_cast<std::uint64_t>(std::llround(double(i) * 1e6 / fps)), fr.rgb.data(), depth.data());
  }
  writer.close();
}

void write_synthetic_scene(const std::filesystem::path& dir, const SynthScene& scene, const SynthOptions& o) {
  const auto scene_dir = dir / scene.name;
  write_scannet_scene(scene_dir, scene.name, scene.files);
  nlohmann::json cam;
  cam["coordinates"] = "aligned";  // the frame after axisAlignment, z up, floor at z = 0
  cam["width"] = o.width;
  cam["height"] = o.height;
  cam["fps"] = o.fps;
  cam["frames"] = nlohmann::json::array();
  for (const auto& p : scene.path)
    cam["frames"].push_back({{"position", p.position}, {"yaw", p.yaw}, {"pitch", p.pitch}, {"fov_deg", p.fov_deg}});
  write_file_atomic(scene_dir / (scene.name + "_camera.json"), cam.dump());
  if (o.write_video || o.write_sens) {
    const Scene loaded = load_scannet_scene(scene_dir, scene.name);
    if (o.write_video)
      write_walkthrough(dir / "videos" / "synthetic" / (scene.name + ".mp4"), loaded, scene.path, o.width, o.height,
                        o.fps);
    if (o.write_sens)
      write_walkthrough_sens(scene_dir / (scene.name + ".sens"), loaded, scene.path, scene.files.alignment, o.width,
                             o.height, o.fps);
  }
}

std::vector<CameraPose> read_camera_path(const std::filesystem::path& scene_dir, const std::string& name) {
  const auto path = scene_dir / (name + "_camera.json");
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return {};
  const std::string file = path.string();
  const nlohmann::json j = nlohmann::json::parse(read_file(path), nullptr, false);
  require(!j.is_discarded() && j.is_object(), file, "", "not a JSON object");
  require(j.contains("frames") && j["frames"].is_array(), file, "frames", "expected an array");
  std::vector<CameraPose> out;
  for (std::size_t i = 0; i < j["frames"].size(); ++i) {
    const auto& f = j["frames"][i];
    const std::string where = "frames[" + std::to_string(i) + "]";
    require(f.is_object() && f.contains("position") && f["position"].is_array() && f["position"].size() == 3 &&
                f.contains("yaw") && f["yaw"].is_number() && f.contains("pitch") && f["pitch"].is_number(),
            file, where, "expected {position: [x, y, z], yaw, pitch, fov_deg}");
    CameraPose p;
    for (int d = 0; d < 3; ++d) {
      require(f["position"][d].is_number(), file, where + ".position", "expected numbers");
      p.position[d] = f["position"][d].get<double>();
    }
    p.yaw = f["yaw"].get<double>();
    p.pitch = f["pitch"].get<double>();
    if (f.contains("fov_deg") && f["fov_deg"].is_number()) p.fov_deg = f["fov_deg"].get<double>();
    out.push_back(p);
  }
  return out;
}

}  // namespace vsr::data
