// libFuzzer target: binary little-endian PLY meshes (parse_ply). Invariants: one colour per vertex, finite
// coordinates, face indices inside the vertex list, and format_ply of the mesh parses back to the same mesh.
#include "fuzz_support.hpp"
#include "vsr/data/ply.hpp"

#include <cmath>
#include <cstring>

namespace {

bool same_mesh(const vsr::data::Mesh& a, const vsr::data::Mesh& b) {
  if (a.vertices.size() != b.vertices.size() || a.faces != b.faces || a.colors != b.colors) return false;
  for (std::size_t i = 0; i < a.vertices.size(); ++i)
    for (int k = 0; k < 3; ++k)
      if (std::memcmp(&a.vertices[i][k], &b.vertices[i][k], sizeof(float)) != 0) return false;
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  vsr::fuzz::expect_vsr_errors([&] {
    const auto mesh = vsr::data::parse_ply(vsr::fuzz::as_text(data, size), "fuzz.ply");
    vsr::fuzz::check(mesh.colors.size() == mesh.vertices.size(), "colour count != vertex count");
    for (const auto& v : mesh.vertices)
      for (int k = 0; k < 3; ++k) vsr::fuzz::check(std::isfinite(v[k]), "non-finite coordinate accepted");
    for (const auto& f : mesh.faces)
      for (auto i : f) vsr::fuzz::check(i < mesh.vertices.size(), "face index out of range accepted");
    vsr::data::Mesh again;
    try {
      again = vsr::data::parse_ply(vsr::data::format_ply(mesh), "fuzz-format.ply");
    } catch (const vsr::Error& e) {
      vsr::fuzz::finding("format_ply of an accepted mesh is refused:", e.what());
    }
    vsr::fuzz::check(same_mesh(mesh, again), "format_ply does not round-trip");
  });
  return 0;
}
