// libFuzzer target: ScanNet annotation files: `segIndices` JSON (read_segments), `segGroups` JSON
// (read_aggregation) and the meta text's axisAlignment (read_alignment), each fed the whole input; then a scene
// folder (load_scannet_scene) with a fixed 4-vertex mesh and the input split at "\n#\n" into segs / aggregation /
// meta. Invariants: read_segments gives exactly the count asked for; alignments are finite.
#include "fuzz_support.hpp"
#include "vsr/data/ply.hpp"
#include "vsr/data/scannet.hpp"

#include <cmath>

namespace {

using namespace vsr;

const std::filesystem::path& scene_folder() {
  static const std::filesystem::path dir = [] {
    auto d = fuzz::scratch_dir() / "scene0000_00";
    std::filesystem::create_directories(d);
    data::Mesh mesh;
    mesh.vertices = {{0, 0, 0}, {1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
    mesh.colors.assign(4, {128, 128, 128});
    mesh.faces = {{0, 1, 2}, {0, 2, 3}};
    fuzz::write_bytes(d / data::scannet_file_names("scene0000_00")[0], data::format_ply(mesh));
    return d;
  }();
  return dir;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto text = fuzz::as_text(data, size);
  const auto file = fuzz::write_bytes(fuzz::scratch_dir() / "input.json", text);
  fuzz::expect_vsr_errors([&] {
    const std::size_t n = size % 7;
    fuzz::check(data::read_segments(file, n).size() == n, "read_segments returned another count");
  });
  fuzz::expect_vsr_errors([&] { (void)data::read_aggregation(file); });
  fuzz::expect_vsr_errors([&] {
    const auto m = data::read_alignment(file);
    for (double x : m) fuzz::check(std::isfinite(x), "non-finite alignment accepted");
  });

  const auto names = data::scannet_file_names("scene0000_00");
  std::string_view parts[3];
  std::string_view rest = text;
  for (int i = 0; i < 3; ++i) {
    const auto cut = i < 2 ? rest.find("\n#\n") : std::string_view::npos;
    parts[i] = rest.substr(0, cut);
    rest = cut == std::string_view::npos ? std::string_view{} : rest.substr(cut + 3);
  }
  for (int i = 0; i < 3; ++i) fuzz::write_bytes(scene_folder() / names[i + 1], parts[i]);
  fuzz::expect_vsr_errors([&] {
    const auto scene = data::load_scannet_scene(scene_folder());
    fuzz::check(scene.segments.size() == scene.mesh.vertices.size(), "one segment id per vertex");
    for (const auto& o : scene.objects)
      for (auto v : o.vertex_ids) fuzz::check(v < scene.mesh.vertices.size(), "object vertex out of range");
  });
  return 0;
}
