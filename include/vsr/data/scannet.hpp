#pragma once
/// @file
/// ScanNet scenes (Dai et al. 2017) as VSI-Bench builds its questions from them: the cleaned mesh
/// `<scene>_vh_clean_2.ply`, the over-segmentation `<scene>_vh_clean_2.0.010000.segs.json` (`segIndices`, one per
/// vertex), the instance annotation `<scene>.aggregation.json` (`segGroups`: id/objectId, label, segments) and the
/// meta file `<scene>.txt` (`axisAlignment = ` 16 numbers, a row-major 4x4 matrix applied to the vertices).

#include "vsr/data/ply.hpp"
#include "vsr/geometry/planar.hpp"

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace vsr::data {

/// A row-major 4x4 rigid transform.
using Matrix4 = std::array<double, 16>;

/// The identity transform.
constexpr Matrix4 kIdentity4{1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1};

/// `m * (p, 1)`, first three components.
geometry::Point3f transform_point(const Matrix4& m, const geometry::Point3f& p);

/// A gravity-aligned oriented box: the minimum-area rectangle of the points' XY convex hull times their z extent.
struct Box {
  geometry::Rect rect;  ///< footprint on the floor plane
  double z_min = 0;     ///< lowest point
  double z_max = 0;     ///< highest point
  /// The box centre (rectangle centre, middle height).
  std::array<double, 3> centre() const { return {rect.centre.x, rect.centre.y, (z_min + z_max) / 2}; }
  /// The longest of length, width and height (metres).
  double longest_side() const;
};

/// The box of a point set (see Box).
Box bounding_box(const std::vector<geometry::Point3f>& points);

/// One annotated instance (a segGroup).
struct SceneObject {
  int id = 0;                                   ///< segGroup id (objectId)
  std::string label;                            ///< the annotation's label, as written
  std::vector<geometry::Point3f> points;        ///< its vertices, aligned
  std::vector<std::uint32_t> vertex_ids;        ///< indices of those vertices in Scene::mesh
  Box box;                                      ///< gravity-aligned minimal box
};

/// A loaded scene: aligned mesh and its objects.
struct Scene {
  std::string name;                       ///< "scene0000_00"
  Mesh mesh;                              ///< vertices already multiplied by `alignment`
  Matrix4 alignment = kIdentity4;         ///< axisAlignment from `<scene>.txt` (identity when absent)
  std::vector<std::int64_t> segments;     ///< segment id of each vertex
  std::vector<SceneObject> objects;       ///< all segGroups, structural ones included
};

/// One entry of `segGroups`.
struct SegGroup {
  int id = 0;                          ///< `objectId` (or `id` when objectId is absent)
  std::string label;                   ///< `label`
  std::vector<std::int64_t> segments;  ///< `segments`
};

/// Reads `segIndices`; throws vsr::Error naming the file unless it holds exactly `n_vertices` integers.
std::vector<std::int64_t> read_segments(const std::filesystem::path& path, std::size_t n_vertices);

/// Reads `segGroups`; throws vsr::Error naming the file on a missing or mistyped field.
std::vector<SegGroup> read_aggregation(const std::filesystem::path& path);

/// Reads `axisAlignment` from a ScanNet meta file; the identity when the file or the key is absent. Throws
/// vsr::Error naming the file when the value is not 16 finite numbers.
Matrix4 read_alignment(const std::filesystem::path& path);

/// Loads the scene `name` (default: the folder's name) from `dir`. Throws vsr::Error naming the file at fault
/// (including a segGroup segment that no vertex carries).
Scene load_scannet_scene(const std::filesystem::path& dir, std::string name = {});

/// The file names of scene `name` inside its folder, in the order ply, segs, aggregation, meta.
std::array<std::string, 4> scannet_file_names(const std::string& name);

}  // namespace vsr::data
