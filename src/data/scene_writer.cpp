// Tessellated mesh pieces and the ScanNet file layout writer.
#include "vsr/data/scene_writer.hpp"

#include "vsr/core/error.hpp"
#include "vsr/core/run_dir.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <fmt/format.h>

namespace vsr::data {
namespace {

/// Adds a grid of (nu+1)x(nv+1) vertices o + i/nu*U + j/nv*V and its triangles.
void add_grid(SceneFiles& f, std::int64_t seg, const std::array<double, 3>& o, const std::array<double, 3>& U,
              const std::array<double, 3>& V, double spacing, std::array<std::uint8_t, 3> color) {
  const double lu = std::sqrt(U[0] * U[0] + U[1] * U[1] + U[2] * U[2]);
  const double lv = std::sqrt(V[0] * V[0] + V[1] * V[1] + V[2] * V[2]);
  const int nu = std::max(1, static_cast<int>(std::ceil(lu / spacing - 1e-9)));
  const int nv = std::max(1, static_cast<int>(std::ceil(lv / spacing - 1e-9)));
  const auto base = static_cast<std::uint32_t>(f.mesh.vertices.size());
  for (int j = 0; j <= nv; ++j)
    for (int i = 0; i <= nu; ++i) {
      const double a = double(i) / nu, b = double(j) / nv;
      f.mesh.vertices.push_back({float(o[0] + a * U[0] + b * V[0]), float(o[1] + a * U[1] + b * V[1]),
                                 float(o[2] + a * U[2] + b * V[2])});
      f.mesh.colors.push_back(color);
      f.segments.push_back(seg);
    }
  auto at = [&](int i, int j) { return base + static_cast<std::uint32_t>(j * (nu + 1) + i); };
  for (int j = 0; j < nv; ++j)
    for (int i = 0; i < nu; ++i) {
      f.mesh.faces.push_back({at(i, j), at(i + 1, j), at(i + 1, j + 1)});
      f.mesh.faces.push_back({at(i, j), at(i + 1, j + 1), at(i, j + 1)});
    }
}

}  // namespace

std::int64_t SceneFiles::add_box(const std::array<double, 3>& base, const std::array<double, 3>& size, double yaw,
                                 std::array<std::uint8_t, 3> color, double spacing) {
  const std::int64_t seg = next_segment++;
  const double c = std::cos(yaw), s = std::sin(yaw);
  const std::array<double, 3> ex{c * size[0], s * size[0], 0}, ey{-s * size[1], c * size[1], 0}, ez{0, 0, size[2]};
  const std::array<double, 3> o{base[0] - ex[0] / 2 - ey[0] / 2, base[1] - ex[1] / 2 - ey[1] / 2, base[2]};
  auto plus = [](std::array<double, 3> a, const std::array<double, 3>& b) {
    for (int d = 0; d < 3; ++d) a[d] += b[d];
    return a;
  };
  auto neg = [](std::array<double, 3> a) {
    for (auto& x : a) x = -x;
    return a;
  };
  // Six faces, each wound counter-clockwise seen from outside.
  add_grid(*this, seg, o, ey, ex, spacing, color);                                   // bottom
  add_grid(*this, seg, plus(o, ez), ex, ey, spacing, color);                         // top
  add_grid(*this, seg, o, ex, ez, spacing, color);                                   // front (-y side)
  add_grid(*this, seg, plus(o, ey), ez, ex, spacing, color);                         // back
  add_grid(*this, seg, o, ez, ey, spacing, color);                                   // left (-x side)
  add_grid(*this, seg, plus(plus(o, ex), ey), neg(ey), ez, spacing, color);          // right
  return seg;
}

std::int64_t SceneFiles::add_floor(const std::vector<std::array<double, 4>>& rects, double z,
                                   std::array<std::uint8_t, 3> color, double spacing) {
  const std::int64_t seg = next_segment++;
  for (const auto& r : rects) add_grid(*this, seg, {r[0], r[1], z}, {r[2] - r[0], 0, 0}, {0, r[3] - r[1], 0}, spacing, color);
  return seg;
}

std::int64_t SceneFiles::add_wall(double x0, double y0, double x1, double y1, double z0, double z1,
                                  std::array<std::uint8_t, 3> color, double spacing) {
  const std::int64_t seg = next_segment++;
  add_grid(*this, seg, {x0, y0, z0}, {x1 - x0, y1 - y0, 0}, {0, 0, z1 - z0}, spacing, color);
  return seg;
}

void SceneFiles::add_object(int id, const std::string& label, std::vector<std::int64_t> segs) {
  groups.push_back(SegGroup{id, label, std::move(segs)});
}

Matrix4 invert_rigid(const Matrix4& m) {
  Matrix4 r = kIdentity4;
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) r[4 * i + j] = m[4 * j + i];
  for (int i = 0; i < 3; ++i) r[4 * i + 3] = -(r[4 * i] * m[3] + r[4 * i + 1] * m[7] + r[4 * i + 2] * m[11]);
  return r;
}

void write_scannet_scene(const std::filesystem::path& dir, const std::string& name, const SceneFiles& files) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  require(!ec, dir.string(), "", "cannot create the folder: " + ec.message());
  const auto names = scannet_file_names(name);
  write_file_atomic(dir / names[0], format_ply(files.mesh));
  nlohmann::json segs;
  segs["sceneId"] = name;
  segs["segIndices"] = files.segments;
  write_file_atomic(dir / names[1], segs.dump());
  nlohmann::json agg;
  agg["sceneId"] = name;
  agg["segGroups"] = nlohmann::json::array();
  for (const auto& g : files.groups)
    agg["segGroups"].push_back({{"id", g.id}, {"objectId", g.id}, {"label", g.label}, {"segments", g.segments}});
  write_file_atomic(dir / names[2], agg.dump());
  std::string meta = "sceneType = synthetic\n";
  if (files.alignment != kIdentity4) {
    meta += "axisAlignment =";
    for (double v : files.alignment) meta += fmt::format(" {:.17g}", v);
    meta += "\n";
  }
  write_file_atomic(dir / names[3], meta);
}

}  // namespace vsr::data
