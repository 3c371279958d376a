// ScanNet reading: a hand-made scene with a non-identity alignment, and corrupt files of each kind.
#include "data_test_scenes.hpp"
#include "test_support.hpp"
#include "vsr/core/error.hpp"
#include "vsr/core/run_dir.hpp"
#include "vsr/data/scannet.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <fstream>

using namespace vsr;
using namespace vsr::data;

namespace {

std::filesystem::path write_test_scene(const std::string& name, bool aligned = true) {
  const auto dir = test::temp_dir(name) / "scene0001_00";
  write_scannet_scene(dir, "scene0001_00", test::make_test_scene(aligned));
  return dir;
}

const SceneObject& find(const Scene& s, const std::string& label) {
  for (const auto& o : s.objects)
    if (o.label == label) return o;
  throw std::runtime_error("no " + label);
}

/// Expects load_scannet_scene to throw a vsr::Error whose file ends with `file_suffix`.
void expect_error_in(const std::filesystem::path& dir, const std::string& file_suffix, const std::string& needle) {
  try {
    load_scannet_scene(dir);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_TRUE(e.file().ends_with(file_suffix)) << e.what();
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
}

}  // namespace

TEST(ScanNet, LoadsHandMadeSceneAndAppliesTheAlignment) {
  const auto dir = write_test_scene("scannet_aligned");
  const Scene s = load_scannet_scene(dir);
  EXPECT_EQ(s.name, "scene0001_00");
  EXPECT_EQ(s.alignment, test::test_alignment());
  ASSERT_EQ(s.objects.size(), 10u);
  // Rotated table: min-area rectangle 1.6 x 0.8, height 0.75, centre (2.8, 1.9) after alignment.
  const auto& table = find(s, "table");
  EXPECT_NEAR(std::max(table.box.rect.length, table.box.rect.width), 1.6, 1e-4);
  EXPECT_NEAR(std::min(table.box.rect.length, table.box.rect.width), 0.8, 1e-4);
  EXPECT_NEAR(table.box.z_max - table.box.z_min, 0.75, 1e-5);
  EXPECT_NEAR(table.box.centre()[0], 2.8, 1e-4);
  EXPECT_NEAR(table.box.centre()[1], 1.9, 1e-4);
  EXPECT_NEAR(table.box.centre()[2], 0.375, 1e-5);
  EXPECT_NEAR(table.box.longest_side(), 1.6, 1e-4);
  const auto& sofa = find(s, "sofa");
  EXPECT_NEAR(sofa.box.centre()[0], 4.5, 1e-4);
  EXPECT_NEAR(sofa.box.centre()[1], 3.0, 1e-4);
  EXPECT_NEAR(sofa.box.z_min, 0.0, 1e-5);
  // The stored vertices are not the aligned ones.
  const Mesh raw = read_ply(dir / "scene0001_00_vh_clean_2.ply");
  EXPECT_EQ(raw.vertices.size(), s.mesh.vertices.size());
  EXPECT_GT(std::abs(raw.vertices[5][0] - s.mesh.vertices[5][0]) + std::abs(raw.vertices[5][1] - s.mesh.vertices[5][1]),
            0.1);
}

TEST(ScanNet, IdentityWhenTheMetaFileIsAbsent) {
  const auto dir = write_test_scene("scannet_noalign", false);
  std::filesystem::remove(dir / "scene0001_00.txt");
  const Scene s = load_scannet_scene(dir);
  EXPECT_EQ(s.alignment, kIdentity4);
  EXPECT_NEAR(find(s, "sofa").box.centre()[0], 4.5, 1e-4);
}

TEST(ScanNet, PlyRoundTripAndUnknownPropertiesSkipped) {
  Mesh m;
  m.vertices = {{0, 0, 0}, {1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
  m.colors = {{1, 2, 3}, {4, 5, 6}, {7, 8, 9}, {10, 11, 12}};
  m.faces = {{0, 1, 2}, {0, 2, 3}};
  const Mesh back = parse_ply(format_ply(m), "mem");
  EXPECT_EQ(back.vertices, m.vertices);
  EXPECT_EQ(back.colors, m.colors);
  EXPECT_EQ(back.faces, m.faces);
  // Extra properties (double nx, a list on vertices, an unknown element) and a quad face are handled.
  std::string ply = "ply\nformat binary_little_endian 1.0\ncomment x\nelement vertex 4\nproperty float x\n"
                    "property double nx\nproperty float y\nproperty float z\nproperty list uchar short extra\n"
                    "element face 1\nproperty uchar flags\nproperty list uchar uint vertex_indices\n"
                    "element material 1\nproperty list uchar float stuff\nend_header\n";
  auto put = [&](const void* p, std::size_t n) { ply.append(static_cast<const char*>(p), n); };
  for (int v = 0; v < 4; ++v) {
    const float x = float(v), y = float(2 * v), z = 0.5f;
    const double nx = 9;
    const unsigned char n = static_cast<unsigned char>(v % 2);
    const short e = 77;
    put(&x, 4), put(&nx, 8), put(&y, 4), put(&z, 4), put(&n, 1);
    for (int k = 0; k < n; ++k) put(&e, 2);
  }
  const unsigned char flags = 1, four = 4;
  const std::uint32_t idx[4] = {0, 1, 2, 3};
  put(&flags, 1), put(&four, 1), put(idx, 16);
  const unsigned char two = 2;
  const float stuff[2] = {1, 2};
  put(&two, 1), put(stuff, 8);
  const Mesh q = parse_ply(ply, "mem");
  ASSERT_EQ(q.vertices.size(), 4u);
  EXPECT_EQ(q.vertices[3], (geometry::Point3f{3, 6, 0.5f}));
  ASSERT_EQ(q.faces.size(), 2u);  // the quad is split in two triangles
  EXPECT_EQ(q.faces[1], (std::array<std::uint32_t, 3>{0, 2, 3}));
}

TEST(ScanNet, CorruptPlyIsAnErrorNamingTheFile) {
  const Mesh m{{{0, 0, 0}, {1, 0, 0}, {0, 1, 0}}, {{1, 1, 1}, {1, 1, 1}, {1, 1, 1}}, {{0, 1, 2}}};
  const std::string good = format_ply(m);
  auto expect_bad = [](const std::string& bytes, const std::string& needle) {
    try {
      parse_ply(bytes, "x.ply");
      FAIL() << "accepted: " << needle;
    } catch (const Error& e) {
      EXPECT_EQ(e.file(), "x.ply");
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
  };
  expect_bad("plx\n" + good.substr(4), "expected \"ply\"");
  expect_bad(good.substr(0, good.find("end_header")), "end_header");
  std::string ascii = good;
  ascii.replace(ascii.find("binary_little_endian"), 20, "ascii");
  expect_bad(ascii, "binary_little_endian");
  std::string lie = good;
  lie.replace(lie.find("vertex 3"), 8, "vertex 99999999999");  // count far beyond the data: no allocation
  expect_bad(lie, "bytes left");
  expect_bad(good.substr(0, good.size() - 3), "exceeds the data left");
  expect_bad(good.substr(0, good.size() - 20), "bytes left");
  std::string bad_index = good;
  const std::int32_t seven = 7;
  std::memcpy(bad_index.data() + bad_index.size() - 4, &seven, 4);
  expect_bad(bad_index, "out of range");
  std::string bad_prop = good;
  bad_prop.replace(bad_prop.find("property float x"), 16, "property flot x");
  expect_bad(bad_prop, "property TYPE NAME");
}

TEST(ScanNet, CorruptSegmentsAggregationAndAlignmentAreErrorsNamingTheFile) {
  const std::string n = "scene0001_00";
  {
    const auto dir = write_test_scene("bad_segs_len", false);
    auto text = read_file(dir / (n + "_vh_clean_2.0.010000.segs.json"));
    text.replace(text.find("[") + 1, 0, "0,");
    write_file_atomic(dir / (n + "_vh_clean_2.0.010000.segs.json"), text);
    expect_error_in(dir, ".segs.json", "one entry per mesh vertex");
  }
  {
    const auto dir = write_test_scene("bad_segs_json", false);
    write_file_atomic(dir / (n + "_vh_clean_2.0.010000.segs.json"), "{\"segIndices\": [1, 2");
    expect_error_in(dir, ".segs.json", "not valid JSON");
  }
  {
    const auto dir = write_test_scene("bad_segment_id", false);
    auto text = read_file(dir / (n + ".aggregation.json"));
    text.replace(text.find("\"segments\":[") + 12, 0, "123456,");
    write_file_atomic(dir / (n + ".aggregation.json"), text);
    expect_error_in(dir, ".aggregation.json", "segment 123456 is not in the segmentation file");
  }
  {
    const auto dir = write_test_scene("bad_label", false);
    auto text = read_file(dir / (n + ".aggregation.json"));
    text.replace(text.find("\"label\":\"floor\""), 15, "\"label\":7");
    write_file_atomic(dir / (n + ".aggregation.json"), text);
    expect_error_in(dir, ".aggregation.json", "label");
  }
  {
    const auto dir = write_test_scene("bad_align", false);
    write_file_atomic(dir / (n + ".txt"), "axisAlignment = 1 0 0 0 0 1 0 0 0 0 1 zero 0 0 0 1\n");
    expect_error_in(dir, ".txt", "expected a number, found \"zero\"");
    write_file_atomic(dir / (n + ".txt"), "axisAlignment = 1 0 0 0 0 1 0 0 0 0 1 0 0 0 0\n");
    expect_error_in(dir, ".txt", "found 15");
  }
  {
    const auto dir = write_test_scene("bad_ply", false);
    auto text = read_file(dir / (n + "_vh_clean_2.ply"));
    write_file_atomic(dir / (n + "_vh_clean_2.ply"), text.substr(0, text.size() / 2));
    expect_error_in(dir, "_vh_clean_2.ply", "");
  }
}
