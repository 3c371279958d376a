#pragma once
/// @file
/// Building and writing scenes in the ScanNet layout (for the synthetic generator and for tests with hand-made
/// geometry): tessellated boxes and floor polygons as mesh pieces with their own segment, and the four files of
/// include/vsr/data/scannet.hpp.

#include "vsr/data/scannet.hpp"

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace vsr::data {

/// A scene in the making: mesh, one segment id per vertex, the instance groups and the alignment matrix.
struct SceneFiles {
  Mesh mesh;                              ///< vertices as they will be stored (unaligned)
  std::vector<std::int64_t> segments;     ///< segment id per vertex
  std::vector<SegGroup> groups;           ///< instances
  Matrix4 alignment = kIdentity4;         ///< written as axisAlignment; identity writes no meta file line
  std::int64_t next_segment = 0;          ///< next free segment id

  /// Adds a box (centre of its bottom face at `base`, sides `size` = length along the yaw direction, width, height,
  /// `yaw` radians counter-clockwise about z) whose faces are split into quads of at most `spacing` metres; returns
  /// the new segment id (one segment per box).
  std::int64_t add_box(const std::array<double, 3>& base, const std::array<double, 3>& size, double yaw,
                       std::array<std::uint8_t, 3> color, double spacing);
  /// Adds a horizontal grid over the cells of a rectilinear polygon given as axis-aligned rectangles
  /// {x0, y0, x1, y1} at height z (grid step `spacing`); returns its segment id.
  std::int64_t add_floor(const std::vector<std::array<double, 4>>& rects, double z, std::array<std::uint8_t, 3> color,
                         double spacing);
  /// Adds a vertical wall quad from (x0, y0) to (x1, y1), from z0 to z1, tessellated at `spacing`; returns its
  /// segment id.
  std::int64_t add_wall(double x0, double y0, double x1, double y1, double z0, double z1,
                        std::array<std::uint8_t, 3> color, double spacing);
  /// Adds an instance made of `segments`.
  void add_object(int id, const std::string& label, std::vector<std::int64_t> segments);
};

/// Writes `<name>_vh_clean_2.ply`, `<name>_vh_clean_2.0.010000.segs.json`, `<name>.aggregation.json` and
/// `<name>.txt` into `dir` (created).
void write_scannet_scene(const std::filesystem::path& dir, const std::string& name, const SceneFiles& files);

/// The inverse of a rigid transform (rotation + translation).
Matrix4 invert_rigid(const Matrix4& m);

}  // namespace vsr::data
