#pragma once
// A hand-made scene with known geometry for the data tests (coordinates after alignment, in metres):
// L-shaped room [0,6]x[0,4] + [0,3]x[4,7] (33 m^2), walls 2.5 m high; objects are boxes on the floor:
//   chair x3 0.5x0.5x1.0 at (1,1), (5,1), (1,6)
//   table 1.6x0.8x0.75 at (2.8,1.9) rotated 30 degrees      -> longest side 160 cm
//   sofa 2.0x0.8x0.8 at (4.5,3.0)                        -> x 3.5..5.5, y 2.6..3.4
//   lamp 0.3x0.3x1.5 at (4.5,3.8)                        -> 0.25 m from the sofa (closest points), centres 0.8 m
//   cabinet 0.4x0.4x1.0 at (5.75,3.0)                    -> 0.05 m from the sofa, centres 1.25 m
//   tv 0.9x0.2x0.6 at (1.5,3.5)
// The files store unaligned vertices: inverse(alignment) applied, alignment = rotation 90 degrees + translation.
#include "vsr/data/scene_writer.hpp"

#include <cmath>

namespace vsr::test {

inline data::Matrix4 test_alignment() { return {0, -1, 0, 2.5, 1, 0, 0, -1.0, 0, 0, 1, 0.25, 0, 0, 0, 1}; }

inline data::SceneFiles make_test_scene(bool aligned = true) {
  data::SceneFiles f;
  const double sp = 0.05;
  int id = 0;
  const auto floor = f.add_floor({{0, 0, 6, 4}, {0, 4, 3, 7}}, 0, {120, 100, 80}, 0.1);
  f.add_object(id++, "floor", {floor});
  std::vector<std::int64_t> walls;
  const double pts[][2] = {{0, 0}, {6, 0}, {6, 4}, {3, 4}, {3, 7}, {0, 7}};
  for (int i = 0; i < 6; ++i) {
    const auto& a = pts[i];
    const auto& b = pts[(i + 1) % 6];
    walls.push_back(f.add_wall(a[0], a[1], b[0], b[1], 0, 2.5, {200, 200, 200}, 0.25));
  }
  f.add_object(id++, "wall", walls);
  auto box = [&](const char* label, double x, double y, double l, double w, double h, double yaw_deg) {
    f.add_object(id++, label, {f.add_box({x, y, 0}, {l, w, h}, yaw_deg * M_PI / 180, {50, 90, 200}, sp)});
  };
  box("chair", 1, 1, 0.5, 0.5, 1.0, 0);
  box("chair", 5, 1, 0.5, 0.5, 1.0, 0);
  box("Chair ", 1, 6, 0.5, 0.5, 1.0, 0);
  box("table", 2.8, 1.9, 1.6, 0.8, 0.75, 30);
  box("sofa", 4.5, 3.0, 2.0, 0.8, 0.8, 0);
  box("lamp", 4.5, 3.8, 0.3, 0.3, 1.5, 0);
  box("cabinet", 5.75, 3.0, 0.4, 0.4, 1.0, 0);
  box("tv", 1.5, 3.5, 0.9, 0.2, 0.6, 0);
  if (aligned) {
    f.alignment = test_alignment();
    const auto inv = data::invert_rigid(f.alignment);
    for (auto& v : f.mesh.vertices) v = data::transform_point(inv, v);
  }
  return f;
}

}  // namespace vsr::test
