#pragma once
/// @file
/// Triangle meshes in the PLY format as ScanNet stores them (`<scene>_vh_clean_2.ply`: binary little-endian, vertex
/// x,y,z float + red,green,blue(,alpha) uchar, faces as `list uchar int vertex_indices`). The header is parsed
/// generally (any elements and properties; unknown ones are skipped by their sizes).

#include "vsr/geometry/nearest.hpp"

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace vsr::data {

/// A triangle mesh with per-vertex colours.
struct Mesh {
  std::vector<geometry::Point3f> vertices;               ///< positions (metres)
  std::vector<std::array<std::uint8_t, 3>> colors;       ///< RGB per vertex (grey when the file has none)
  std::vector<std::array<std::uint32_t, 3>> faces;       ///< triangles (polygons are fan-triangulated on reading)
};

/// Parses a binary little-endian PLY held in memory; `origin` names the file in errors. Throws vsr::Error on a bad
/// header, counts that exceed the data, truncated data or face indices out of range. Never allocates by a count
/// before checking it against the bytes left.
Mesh parse_ply(std::string_view bytes, const std::string& origin);

/// Reads a PLY file (see parse_ply).
Mesh read_ply(const std::filesystem::path& path);

/// The PLY bytes of `mesh` in ScanNet's layout (binary little-endian; x,y,z float; red,green,blue,alpha uchar;
/// `list uchar int vertex_indices`).
std::string format_ply(const Mesh& mesh);

}  // namespace vsr::data
