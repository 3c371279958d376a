// Writing synthetic scenes: ScanNet files, camera poses (JSON) and the walkthrough frames.
#include "vsr/data/synth.hpp"

#include "vsr/core/error.hpp"
#include "vsr/core/run_dir.hpp"

#include <nlohmann/json.hpp>

#include <fmt/format.h>

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
  if (o.write_video) {
    const Scene loaded = load_scannet_scene(scene_dir, scene.name);
    write_walkthrough(dir / "videos" / "synthetic" / (scene.name + ".mp4"), loaded, scene.path, o.width, o.height, o.fps);
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
