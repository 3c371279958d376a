// Synthetic scenes: ScanNet layout round trip, no interpenetration, alignment, and the visibility rule (every object a
// question names is visible in one of the uniformly sampled frames of the rendered walkthrough).
#include "test_support.hpp"
#include "vsr/data/qa.hpp"
#include "vsr/data/render.hpp"
#include "vsr/data/synth.hpp"

#include "vsr/video/reader.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <set>

using namespace vsr;
using namespace vsr::data;

namespace {

SynthOptions small_options() {
  SynthOptions o;
  o.width = 64;
  o.height = 48;
  o.fps = 2;
  o.seconds_per_turn = 4;
  o.mesh_spacing = 0.1;
  o.write_video = false;
  return o;
}

}  // namespace

TEST(Synth, ScenesLoadBackWithObjectsAndAlignment) {
  const SynthOptions o = small_options();
  const auto dir = test::temp_dir("synth");
  for (int index : {0, 1}) {
    const SynthScene s = make_synthetic_scene(5, index, o);
    write_synthetic_scene(dir, s, o);
    const Scene scene = load_scannet_scene(dir / s.name);
    EXPECT_EQ(scene.alignment == kIdentity4, index % 2 == 0);
    // Aligned floor lies at z = 0 and objects stand on it.
    std::set<std::string> labels;
    for (const auto& obj : scene.objects) {
      labels.insert(obj.label);
      EXPECT_NEAR(obj.box.z_min, 0.0, 1e-4) << obj.label;
    }
    EXPECT_GE(labels.size(), 6u);
    EXPECT_GE(scene.objects.size(), 12u);
    // Footprints of furniture do not overlap (min-area rectangles of the loaded boxes, shrunk by 1 mm).
    for (std::size_t i = 2; i < scene.objects.size(); ++i)
      for (std::size_t j = i + 1; j < scene.objects.size(); ++j) {
        const auto& a = scene.objects[i].box.rect;
        const auto& b = scene.objects[j].box.rect;
        const geometry::Point2 axes[4] = {a.axis, {-a.axis.y, a.axis.x}, b.axis, {-b.axis.y, b.axis.x}};
        bool separated = false;
        for (const auto& ax : axes) {
          double a0 = 1e9, a1 = -1e9, b0 = 1e9, b1 = -1e9;
          for (const auto& p : a.corners()) a0 = std::min(a0, p.x * ax.x + p.y * ax.y), a1 = std::max(a1, p.x * ax.x + p.y * ax.y);
          for (const auto& p : b.corners()) b0 = std::min(b0, p.x * ax.x + p.y * ax.y), b1 = std::max(b1, p.x * ax.x + p.y * ax.y);
          separated |= a1 < b0 + 1e-3 || b1 < a0 + 1e-3;
        }
        EXPECT_TRUE(separated) << scene.objects[i].label << " / " << scene.objects[j].label;
      }
    EXPECT_EQ(read_camera_path(dir / s.name, s.name).size(), s.path.size());
  }
}

TEST(Synth, EveryQuestionObjectIsVisibleInASampledFrame) {
  const SynthOptions o = small_options();
  const auto dir = test::temp_dir("synth_vis");
  const SynthScene s = make_synthetic_scene(9, 1, o);
  write_synthetic_scene(dir, s, o);
  const Scene scene = load_scannet_scene(dir / s.name);
  const auto poses = read_camera_path(dir / s.name, s.name);
  std::vector<CameraPose> sampled;
  for (int i : uniform_frame_indices(int(poses.size()), o.sampled_frames)) sampled.push_back(poses[i]);
  const Visibility vis = compute_visibility(scene, sampled, o.visibility_width, o.visibility_height, o.min_pixels);
  QaOptions q;
  q.max_per_task_per_scene = 0;
  const auto questions = generate_scene_questions(scene, q, &vis);
  ASSERT_GT(questions.size(), 20u);
  std::set<std::string> types;
  for (const auto& question : questions) {
    types.insert(question.question_type);
    for (const auto& cat : question.meta["categories"]) {
      int instances = 0, visible = 0;
      for (std::size_t i = 0; i < scene.objects.size(); ++i)
        if (normalise_label(scene.objects[i].label) == cat.get<std::string>()) {
          ++instances;
          visible += vis.first_frame[i] >= 0;
        }
      EXPECT_GT(instances, 0);
      EXPECT_EQ(visible, instances) << cat << " in " << question.question;
    }
  }
  EXPECT_GE(types.size(), 8u);
  // The renderer draws something in every sampled frame, and the id buffer agrees with the RGB buffer.
  const Renderer r(scene);
  const Frame f = r.render(sampled[0], 64, 48);
  int drawn = 0;
  for (std::size_t p = 0; p < f.object.size(); ++p) {
    const bool colored = f.rgb[3 * p] || f.rgb[3 * p + 1] || f.rgb[3 * p + 2];
    if (f.object[p] >= 0) EXPECT_TRUE(colored);
    drawn += f.object[p] >= 0;
  }
  EXPECT_GT(drawn, 64 * 48 / 2);
}

TEST(Synth, DeterministicForASeed) {
  const SynthOptions o = small_options();
  const SynthScene a = make_synthetic_scene(3, 2, o), b = make_synthetic_scene(3, 2, o), c = make_synthetic_scene(4, 2, o);
  EXPECT_EQ(format_ply(a.files.mesh), format_ply(b.files.mesh));
  EXPECT_NE(format_ply(a.files.mesh), format_ply(c.files.mesh));
}

TEST(Render, OccludedObjectIsNotVisible) {
  // Two boxes on the x axis seen from the origin: the near tall one hides the far small one.
  SceneFiles f;
  f.add_object(0, "cabinet", {f.add_box({2, 0, 0}, {0.4, 2.0, 2.5}, 0, {200, 0, 0}, 0.2)});
  f.add_object(1, "box", {f.add_box({4, 0, 0}, {0.3, 0.3, 0.3}, 0, {0, 200, 0}, 0.1)});
  f.add_object(2, "lamp", {f.add_box({2, 3, 0}, {0.3, 0.3, 1.5}, 0, {0, 0, 200}, 0.1)});
  const auto dir = test::temp_dir("render_occ") / "s";
  write_scannet_scene(dir, "s", f);
  const Scene scene = load_scannet_scene(dir);
  CameraPose front{{0, 0, 1.5}, 0, -0.2, 90};      // facing +x: cabinet visible, box hidden, lamp outside (45+ deg)
  CameraPose left{{0, 0, 1.5}, M_PI / 2, -0.2, 90};  // facing +y: only the lamp
  const Visibility v = compute_visibility(scene, {front, left}, 80, 60, 4);
  EXPECT_EQ(v.first_frame, (std::vector<int>{0, -1, 1}));
}

TEST(Render, CatalogueCategoriesHaveDistinctColours) {
  // Hand value: the first category (chair) is hue 0, saturation 0.95, value 0.9.
  EXPECT_EQ(category_color("chair"), (std::array<std::uint8_t, 3>{229, 11, 11}));
  // Flat shading scales a colour's brightness, so compare chromaticities (r, g, b) / max(r, g, b): every pair of
  // catalogue categories differs by at least 0.1 in some channel (26 colours fit 0.118), each from the floor and wall
  // greys by 0.4. The first wave's hash palette had 14 pairs under 0.1 (trash can / armchair 0.011).
  auto chroma = [](const std::string& label) {
    const auto c = category_color(label);
    const double m = std::max({c[0], c[1], c[2]});
    return std::array<double, 3>{c[0] / m, c[1] / m, c[2] / m};
  };
  auto apart = [](const std::array<double, 3>& a, const std::array<double, 3>& b) {
    return std::max({std::abs(a[0] - b[0]), std::abs(a[1] - b[1]), std::abs(a[2] - b[2])});
  };
  std::vector<std::string> labels = synth_category_names();
  ASSERT_EQ(labels.size(), 26u);
  for (std::size_t i = 0; i < labels.size(); ++i) {
    for (const char* grey : {"floor", "wall"}) EXPECT_GE(apart(chroma(labels[i]), chroma(grey)), 0.4) << labels[i];
    for (std::size_t j = i + 1; j < labels.size(); ++j)
      EXPECT_GE(apart(chroma(labels[i]), chroma(labels[j])), 0.1) << labels[i] << " / " << labels[j];
  }
}

TEST(DataCli, SynthBuildAndStats) {
  const auto dir = test::temp_dir("data_cli");
  const std::string out = (dir / "scenes").string(), q = (dir / "q.jsonl").string();
  auto r = test::run_cli("data synth --scenes 2 --seed 4 --out " + out +
                         " --synth.width 32 --synth.height 24 --synth.fps 1 --synth.mesh_spacing 0.1");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  {
    const video::VideoReader video(dir / "scenes/videos/synthetic/synth000001_00.mp4");
    EXPECT_EQ(video.width(), 32);
    EXPECT_EQ(video.height(), 24);
    const auto poses = read_camera_path(dir / "scenes/synth000001_00", "synth000001_00");
    EXPECT_EQ(video.frame_count(), static_cast<std::int64_t>(poses.size()));
  }
  r = test::run_cli("data build --scannet " + out + " --out " + q + " --with-options --seed 2 --data.max_per_task_per_scene 1");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = test::run_cli("data stats " + q);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // Count, scenes, share of the file, VSI-100k's share (section 4.1: 6.4k of 116.9k counts, 1.5k room sizes).
  EXPECT_NE(r.out.find("object_counting                       2       2   10.5%      5.5%\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("room_size_estimation                  2       2   10.5%      1.3%\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("route_planning                        1       1    5.3%         -\n"), std::string::npos) << r.out;
  // The file against itself as a "benchmark": every scene is shared, and said so.
  r = test::run_cli("data stats " + q + " --benchmark " + q);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("WARNING: " + q + " shares 2 scene(s) with " + q), std::string::npos) << r.out;
  r = test::run_cli("data build --scannet " + out + " --out " + q + " --data.preset vsi100k --exclude " + q);
  EXPECT_EQ(r.exit_code, 2);  // both scenes excluded: nothing left
  EXPECT_NE(r.err.find("no scene folder left"), std::string::npos) << r.err;
  r = test::run_cli("data build --scannet " + (dir / "missing").string() + " --out " + q);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("missing"), std::string::npos) << r.err;
}
