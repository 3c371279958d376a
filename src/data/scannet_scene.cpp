// Loading a ScanNet scene folder: mesh, over-segmentation, instance aggregation and axis alignment.
#include "vsr/data/scannet.hpp"

#include "vsr/core/error.hpp"
#include "vsr/core/run_dir.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <unordered_map>

namespace vsr::data {
namespace {

nlohmann::json parse_json_file(const std::filesystem::path& path) {
  const std::string text = read_file(path);
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  require(!j.is_discarded(), path.string(), "", "not valid JSON");
  require(j.is_object(), path.string(), "", "expected a JSON object at the top level");
  return j;
}

}  // namespace

geometry::Point3f transform_point(const Matrix4& m, const geometry::Point3f& p) {
  geometry::Point3f out;
  for (int r = 0; r < 3; ++r)
    out[r] = static_cast<float>(m[4 * r] * p[0] + m[4 * r + 1] * p[1] + m[4 * r + 2] * p[2] + m[4 * r + 3]);
  return out;
}

double Box::longest_side() const { return std::max({rect.length, rect.width, z_max - z_min}); }

Box bounding_box(const std::vector<geometry::Point3f>& points) {
  Box box;
  if (points.empty()) return box;
  std::vector<geometry::Point2> xy;
  xy.reserve(points.size());
  box.z_min = box.z_max = points[0][2];
  for (const auto& p : points) {
    xy.push_back({p[0], p[1]});
    box.z_min = std::min<double>(box.z_min, p[2]);
    box.z_max = std::max<double>(box.z_max, p[2]);
  }
  box.rect = geometry::min_area_rect(xy);
  return box;
}

std::array<std::string, 4> scannet_file_names(const std::string& name) {
  return {name + "_vh_clean_2.ply", name + "_vh_clean_2.0.010000.segs.json", name + ".aggregation.json",
          name + ".txt"};
}

std::vector<std::int64_t> read_segments(const std::filesystem::path& path, std::size_t n_vertices) {
  const nlohmann::json j = parse_json_file(path);
  const std::string file = path.string();
  require(j.contains("segIndices") && j["segIndices"].is_array(), file, "segIndices", "expected an array");
  const auto& arr = j["segIndices"];
  require(arr.size() == n_vertices, file, "segIndices",
          "expected one entry per mesh vertex (" + std::to_string(n_vertices) + "), found " +
              std::to_string(arr.size()));
  std::vector<std::int64_t> out;
  out.reserve(arr.size());
  for (std::size_t i = 0; i < arr.size(); ++i) {
    if (!arr[i].is_number_integer())  // message built only on failure: this runs per vertex
      fail(file, "segIndices[" + std::to_string(i) + "]", "expected an integer, found " + quote(arr[i].dump()));
    out.push_back(arr[i].get<std::int64_t>());
  }
  return out;
}

std::vector<SegGroup> read_aggregation(const std::filesystem::path& path) {
  const nlohmann::json j = parse_json_file(path);
  const std::string file = path.string();
  require(j.contains("segGroups") && j["segGroups"].is_array(), file, "segGroups", "expected an array");
  std::vector<SegGroup> groups;
  for (std::size_t g = 0; g < j["segGroups"].size(); ++g) {
    const auto& e = j["segGroups"][g];
    const std::string where = "segGroups[" + std::to_string(g) + "]";
    require(e.is_object(), file, where, "expected an object");
    SegGroup group;
    const char* id_key = e.contains("objectId") ? "objectId" : "id";
    require(e.contains(id_key) && e[id_key].is_number_integer(), file, where + ".objectId", "expected an integer");
    group.id = e[id_key].get<int>();
    require(e.contains("label") && e["label"].is_string(), file, where + ".label", "expected a string");
    group.label = e["label"].get<std::string>();
    require(e.contains("segments") && e["segments"].is_array(), file, where + ".segments", "expected an array");
    for (const auto& s : e["segments"]) {
      require(s.is_number_integer(), file, where + ".segments", "expected integers, found " + quote(s.dump()));
      group.segments.push_back(s.get<std::int64_t>());
    }
    groups.push_back(std::move(group));
  }
  return groups;
}

Matrix4 read_alignment(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return kIdentity4;
  const std::string text = read_file(path);
  std::istringstream lines(text);
  std::string line;
  int line_no = 0;
  while (std::getline(lines, line)) {
    ++line_no;
    const auto eq = line.find('=');
    if (eq == std::string::npos) continue;
    std::string key = line.substr(0, eq);
    key.erase(key.find_last_not_of(" \t\r") + 1);
    key.erase(0, key.find_first_not_of(" \t"));
    if (key != "axisAlignment") continue;
    std::istringstream values(line.substr(eq + 1));
    Matrix4 m{};
    std::string token;
    int n = 0;
    while (values >> token) {
      const std::string where = "line " + std::to_string(line_no) + " axisAlignment";
      require(n < 16, path.string(), where, "expected 16 numbers, found more");
      char* end = nullptr;
      const double v = std::strtod(token.c_str(), &end);
      require(end != token.c_str() && *end == '\0' && std::isfinite(v), path.string(), where,
              "expected a number, found " + quote(token));
      m[n++] = v;
    }
    require(n == 16, path.string(), "line " + std::to_string(line_no) + " axisAlignment",
            "expected 16 numbers, found " + std::to_string(n));
    return m;
  }
  return kIdentity4;
}

Scene load_scannet_scene(const std::filesystem::path& dir, std::string name) {
  if (name.empty()) name = dir.filename().string();
  if (name.empty()) name = dir.parent_path().filename().string();
  const auto files = scannet_file_names(name);
  Scene scene;
  scene.name = name;
  scene.mesh = read_ply(dir / files[0]);
  scene.segments = read_segments(dir / files[1], scene.mesh.vertices.size());
  const std::vector<SegGroup> groups = read_aggregation(dir / files[2]);
  scene.alignment = read_alignment(dir / files[3]);
  if (scene.alignment != kIdentity4)
    for (auto& v : scene.mesh.vertices) v = transform_point(scene.alignment, v);

  // Vertices of each segment, in vertex order.
  std::unordered_map<std::int64_t, std::vector<std::uint32_t>> by_segment;
  for (std::size_t i = 0; i < scene.segments.size(); ++i) by_segment[scene.segments[i]].push_back(std::uint32_t(i));
  const std::string agg = (dir / files[2]).string();
  for (std::size_t g = 0; g < groups.size(); ++g) {
    SceneObject obj;
    obj.id = groups[g].id;
    obj.label = groups[g].label;
    for (const std::int64_t s : groups[g].segments) {
      const auto it = by_segment.find(s);
      if (it == by_segment.end())
        fail(agg, "segGroups[" + std::to_string(g) + "].segments",
             "segment " + std::to_string(s) + " is not in the segmentation file");
      for (const auto v : it->second) {
        obj.points.push_back(scene.mesh.vertices[v]);
        obj.vertex_ids.push_back(v);
      }
    }
    obj.box = bounding_box(obj.points);
    scene.objects.push_back(std::move(obj));
  }
  return scene;
}

}  // namespace vsr::data
