// Space-aware frame sampling (Spatial-MLLM's greedy coverage on known poses): hand-worked greedy choices, the
// time-spread fill, the uniform fallback, argument errors, and the camera-track readers (synthetic-scene JSON,
// camera_to_world JSON, ScanNet pose folders) with their error messages; resample_track.
#include "test_support.hpp"
#include "vsr/core/error.hpp"
#include "vsr/data/synth.hpp"
#include "vsr/video/sampling.hpp"
#include "vsr/video/space_aware_sampling.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using vsr::video::CameraFrame;
using vsr::video::read_camera_track;
using vsr::video::resample_track;
using vsr::video::space_aware_indices;
using Indices = std::vector<std::int64_t>;

namespace {

constexpr double kPi = 3.14159265358979323846;
const std::array<double, 3> kEast{1, 0, 0}, kNorth{0, 1, 0}, kWest{-1, 0, 0}, kSouth{0, -1, 0};

/// The message of the vsr::Error `f` throws ("" and a test failure when it throws none).
template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const vsr::Error& e) {
    return e.what();
  }
  ADD_FAILURE() << "no vsr::Error thrown";
  return {};
}

void write(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

/// Frames 0-3 stand at A = (0, 0) looking east; frames 4-7 stand at B = (4, -5) looking north, west, south, east.
std::vector<CameraFrame> two_spots() {
  const std::array<double, 3> a{0, 0, 1.5}, b{4, -5, 1.5};
  return {{a, kEast}, {a, kEast}, {a, kEast}, {a, kEast}, {b, kNorth}, {b, kWest}, {b, kSouth}, {b, kEast}};
}

}  // namespace

// Worked by hand (cell 0.25 m, range 4 m, 90-degree views). The grid starts at (0 - 4, -5 - 4) = (-4, -9), so cell
// corners lie on multiples of 0.25 and both cameras stand on a cell corner: a quarter turn about a camera maps cell
// centres onto cell centres, so all 8 wedges hold the same number C of cells, and the grid (12 m x 13 m) holds every
// wedge whole. Overlaps: A-east (x <= 4, |y| <= x) meets B-north (cell (3.125, -1.375) is in both) but neither
// B-west (needs y <= -1 - x, A-east needs y >= -x), B-south (y < -5) nor B-east (x >= 4.125). Same-spot wedges share
// only their diagonal rays (D cells each).
//   pick 1: all gain C, tie -> frame 0.
//   pick 2: 1-3 gain 0, 4 gains C - overlap(4,0) < C, 5, 6, 7 gain C -> frame 5 (earliest).   n=2: {0, 5}
//   pick 3: 4 gains C - D - overlap(4,0), 6 gains C - D (south-west ray), 7 gains C -> frame 7.
//   pick 4: 4 gains C - 2D - overlap(4,0), 6 gains C - 2D -> frame 6.                         n=4: {0, 5, 6, 7}
//   pick 5: 4 still adds (4.125, -1.125), 4.13 m from A -> frame 4; then nothing adds, so the fill takes the
//   frame farthest in index from {0, 4, 5, 6, 7}: 1 -> 1, 2 -> 2, 3 -> 1 -> frame 2.         n=6: {0, 2, 4, 5, 6, 7}
TEST(SpaceAwareSampling, GreedyCoverageOfTwoSpots) {
  const auto frames = two_spots();
  EXPECT_EQ(space_aware_indices(frames, 2), (Indices{0, 5}));
  EXPECT_EQ(space_aware_indices(frames, 4), (Indices{0, 5, 6, 7}));
  EXPECT_EQ(space_aware_indices(frames, 6), (Indices{0, 2, 4, 5, 6, 7}));
  EXPECT_EQ(space_aware_indices(frames, 8), (Indices{0, 1, 2, 3, 4, 5, 6, 7}));
}

// Same spot, same direction: the 120-degree wedge holds the 60- and 90-degree ones, and a camera looking straight
// down sees nothing. Pick 1: frame 1 (most cells); then nobody adds, and the fill takes the frame farthest in index
// from {1}: 0 -> 1, 2 -> 1, 3 -> 2 -> frame 3.
TEST(SpaceAwareSampling, WidestViewFirstVerticalSeesNothing) {
  const std::array<double, 3> p{1, 1, 1.5};
  const std::vector<CameraFrame> frames{{p, kEast, 60}, {p, kEast, 120}, {p, kEast, 90}, {p, {0, 0, -1}, 90}};
  EXPECT_EQ(space_aware_indices(frames, 2), (Indices{1, 3}));
  // Coarser cells and a 1 m range: still 60 <= 90 <= 120 degrees of the same wedge.
  EXPECT_EQ(space_aware_indices(frames, 2, {.cell_m = 0.5, .range_m = 1.0}), (Indices{1, 3}));
}

// All-round (360-degree) cameras on whole-metre spots see the same disc of cells (radius 4 m). Frame 1 at (6, 6) is
// 8.49 m from frame 0 (discs apart, though their 8 m squares overlap), frame 2 at (0, 9) is 9 m away: both add a
// whole disc after frame 0, tie -> frame 1. Counting the square around a camera instead of the disc would pick 2.
TEST(SpaceAwareSampling, RangeIsHorizontalDistance) {
  const std::vector<CameraFrame> frames{{{0, 0, 1}, kEast, 360}, {{6, 6, 2}, kNorth, 360}, {{0, 9, 1}, kWest, 360}};
  EXPECT_EQ(space_aware_indices(frames, 2), (Indices{0, 1}));
}

// Six identical frames: frame 0 covers everything, then the fill spreads in time: farthest from {0} is 5; from
// {0, 5}: 1 -> 1, 2 -> 2, 3 -> 2, 4 -> 1 -> 2; from {0, 2, 5}: 1, 3, 4 all at 1 -> 1.
TEST(SpaceAwareSampling, IdenticalFramesStillGiveDistinctSpreadFrames) {
  const std::vector<CameraFrame> frames(6, CameraFrame{{2, 3, 1.5}, kNorth});
  EXPECT_EQ(space_aware_indices(frames, 2), (Indices{0, 5}));
  EXPECT_EQ(space_aware_indices(frames, 4), (Indices{0, 1, 2, 5}));
  EXPECT_EQ(space_aware_indices(frames, 6), (Indices{0, 1, 2, 3, 4, 5}));
  // No frame sees anything (all vertical): the fill alone, starting from the first frame.
  const std::vector<CameraFrame> down(5, CameraFrame{{0, 0, 2}, {0, 0, -1}});
  EXPECT_EQ(space_aware_indices(down, 2), (Indices{0, 4}));
  EXPECT_EQ(space_aware_indices(down, 4), (Indices{0, 1, 2, 4}));  // from {0, 4}: 2, then 1
}

// n > frames: uniform_indices(3, 4) = round(linspace(0, 2, 4)) = round(0, 0.67, 1.33, 2) = {0, 1, 1, 2}.
TEST(SpaceAwareSampling, MoreFramesThanTrackFallsBackToUniform) {
  const auto frames = two_spots();
  const std::span<const CameraFrame> three(frames.data(), 3);
  EXPECT_EQ(space_aware_indices(three, 4), (Indices{0, 1, 1, 2}));
  EXPECT_EQ(space_aware_indices(three, 4), vsr::video::uniform_indices(3, 4));
  EXPECT_EQ(space_aware_indices(frames, 10), vsr::video::uniform_indices(8, 10));
}

TEST(SpaceAwareSampling, ArgumentErrors) {
  const auto frames = two_spots();
  const std::string odd = error_of([&] { space_aware_indices(frames, 3); });
  EXPECT_NE(odd.find("<sampling>"), std::string::npos) << odd;
  EXPECT_NE(odd.find("even"), std::string::npos) << odd;
  EXPECT_NE(error_of([&] { space_aware_indices(frames, 0); }).find("even"), std::string::npos);
  const std::string empty = error_of([] { space_aware_indices({}, 2); });
  EXPECT_NE(empty.find("at least one frame"), std::string::npos) << empty;
  const std::string cell = error_of([&] { space_aware_indices(frames, 2, {.cell_m = 0}); });
  EXPECT_NE(cell.find("cell_m"), std::string::npos) << cell;
  auto bad = frames;
  bad[1].position[2] = std::nan("");
  const std::string pos = error_of([&] { space_aware_indices(bad, 2); });
  EXPECT_NE(pos.find("frames[1].position"), std::string::npos) << pos;
  bad = frames;
  bad[6].hfov_deg = 0;
  EXPECT_NE(error_of([&] { space_aware_indices(bad, 2); }).find("frames[6].hfov_deg"), std::string::npos);
}

// The synthetic-scene camera file: yaw pi/2, pitch 0 looks along +y; yaw 0, pitch pi/6 along (cos 30, 0, sin 30).
TEST(CameraTrack, ReadsSyntheticSceneCameraJson) {
  const fs::path file = vsr::test::temp_dir("sas_synth") / "scene_camera.json";
  nlohmann::json cam;
  cam["coordinates"] = "aligned";
  cam["frames"] = nlohmann::json::array();
  cam["frames"].push_back({{"position", {1.0, 2.0, 1.5}}, {"yaw", kPi / 2}, {"pitch", 0.0}, {"fov_deg", 60.0}});
  cam["frames"].push_back({{"position", {-1.0, 0.5, 1.25}}, {"yaw", 0.0}, {"pitch", kPi / 6}});
  write(file, cam.dump());
  const auto track = read_camera_track(file);
  ASSERT_EQ(track.size(), 2u);
  EXPECT_EQ(track[0].position, (std::array<double, 3>{1, 2, 1.5}));
  EXPECT_NEAR(track[0].forward[0], 0, 1e-12);
  EXPECT_NEAR(track[0].forward[1], 1, 1e-12);
  EXPECT_NEAR(track[0].forward[2], 0, 1e-12);
  EXPECT_EQ(track[0].hfov_deg, 60);
  EXPECT_NEAR(track[1].forward[0], std::sqrt(3.0) / 2, 1e-12);
  EXPECT_NEAR(track[1].forward[1], 0, 1e-12);
  EXPECT_NEAR(track[1].forward[2], 0.5, 1e-12);
  EXPECT_EQ(track[1].hfov_deg, 90);  // fov_deg left out
}

// The file vsr::data::write_synthetic_scene writes reads back with one camera per pose of the walkthrough.
TEST(CameraTrack, ReadsWhatWriteSyntheticSceneWrites) {
  vsr::data::SynthOptions o;  // a small scene without video: only its camera file matters
  o.width = 64, o.height = 48, o.fps = 2, o.seconds_per_turn = 4, o.mesh_spacing = 0.1, o.write_video = false;
  const auto dir = vsr::test::temp_dir("sas_synth_scene");
  const auto scene = vsr::data::make_synthetic_scene(5, 0, o);
  vsr::data::write_synthetic_scene(dir, scene, o);
  const auto track = read_camera_track(dir / scene.name / (scene.name + "_camera.json"));
  ASSERT_EQ(track.size(), scene.path.size());
  for (std::size_t i = 0; i < track.size(); ++i) {
    const auto& p = scene.path[i];
    EXPECT_EQ(track[i].position, p.position);
    EXPECT_NEAR(track[i].forward[0], std::cos(p.pitch) * std::cos(p.yaw), 1e-12);
    EXPECT_NEAR(track[i].forward[1], std::cos(p.pitch) * std::sin(p.yaw), 1e-12);
    EXPECT_NEAR(track[i].forward[2], std::sin(p.pitch), 1e-12);
    EXPECT_EQ(track[i].hfov_deg, p.fov_deg);
  }
}

// OpenCV camera looking along world +y: camera x = world x, camera y (down) = world -z, camera z = world +y, so the
// rotation's columns are (1,0,0), (0,0,-1), (0,1,0).
TEST(CameraTrack, ReadsCameraToWorldJson) {
  const fs::path file = vsr::test::temp_dir("sas_c2w") / "track.json";
  write(file, R"({"frames": [{"camera_to_world": [1, 0, 0, 3,  0, 0, 1, 4,  0, -1, 0, 1.5,  0, 0, 0, 1],
                              "fov_deg": 70},
                             {"camera_to_world": [0, 0, 2, 0,  0, 1, 0, 0,  -1, 0, 0, 1,  0, 0, 0, 1]}]})");
  const auto track = read_camera_track(file);
  ASSERT_EQ(track.size(), 2u);
  EXPECT_EQ(track[0].position, (std::array<double, 3>{3, 4, 1.5}));
  EXPECT_EQ(track[0].forward, kNorth);
  EXPECT_EQ(track[0].hfov_deg, 70);
  EXPECT_EQ(track[1].position, (std::array<double, 3>{0, 0, 1}));
  EXPECT_EQ(track[1].forward, kEast);  // third column (2, 0, 0), normalized
  EXPECT_EQ(track[1].hfov_deg, 90);
}

// ScanNet's export: pose/0.txt, 1.txt, 2.txt (lost tracking: -inf), 10.txt; numeric order puts 10 last, and 2 takes
// 1's pose. The intrinsics do not change the field of view (90).
TEST(CameraTrack, ReadsScanNetPoseFolder) {
  const fs::path dir = vsr::test::temp_dir("sas_scannet");
  auto pose = [](double x, double y) {
    return "1 0 0 " + std::to_string(x) + "\n0 0 1 " + std::to_string(y) + "\n0 -1 0 1.5\n0 0 0 1\n";
  };
  write(dir / "pose" / "0.txt", pose(0, 0));
  write(dir / "pose" / "1.txt", pose(1, 0));
  write(dir / "pose" / "2.txt", "-inf -inf -inf -inf\n-inf -inf -inf -inf\n-inf -inf -inf -inf\n-inf -inf -inf -inf\n");
  write(dir / "pose" / "10.txt", "0 0 1 5\n0 1 0 6\n-1 0 0 1.5\n0 0 0 1");
  write(dir / "pose" / "notes.md", "not a pose");
  write(dir / "intrinsic" / "intrinsic_color.txt", "1170.19 0 647.75 0\n0 1170.19 483.75 0\n0 0 1 0\n0 0 0 1\n");
  for (const fs::path& folder : {dir, dir / "pose"}) {
    const auto track = read_camera_track(folder);
    ASSERT_EQ(track.size(), 4u) << folder;
    EXPECT_EQ(track[0].position, (std::array<double, 3>{0, 0, 1.5}));
    EXPECT_EQ(track[1].position, (std::array<double, 3>{1, 0, 1.5}));
    EXPECT_EQ(track[1].forward, kNorth);
    EXPECT_EQ(track[2].position, track[1].position);  // copied from its predecessor
    EXPECT_EQ(track[2].forward, track[1].forward);
    EXPECT_EQ(track[3].position, (std::array<double, 3>{5, 6, 1.5}));
    EXPECT_EQ(track[3].forward, kEast);
    for (const auto& f : track) EXPECT_EQ(f.hfov_deg, 90);
  }
  const fs::path empty = vsr::test::temp_dir("sas_scannet_empty");
  const std::string none = error_of([&] { read_camera_track(empty); });
  EXPECT_NE(none.find(empty.string()), std::string::npos) << none;
  EXPECT_NE(none.find("found none"), std::string::npos) << none;
  const fs::path bad = vsr::test::temp_dir("sas_scannet_bad");
  write(bad / "pose" / "0.txt", "1 0 0 0\n0 1 x 0\n0 0 1 0\n0 0 0 1\n");
  const std::string line = error_of([&] { read_camera_track(bad); });
  EXPECT_NE(line.find("0.txt: line 2: expected a number"), std::string::npos) << line;
}

TEST(CameraTrack, BadFilesNameTheField) {
  const fs::path dir = vsr::test::temp_dir("sas_bad");
  auto message = [&](const std::string& name, const std::string& text) {
    write(dir / name, text);
    return error_of([&] { read_camera_track(dir / name); });
  };
  const std::string not_json = message("a.json", "frames: nope");
  EXPECT_NE(not_json.find((dir / "a.json").string()), std::string::npos) << not_json;
  EXPECT_NE(not_json.find("not a JSON file"), std::string::npos) << not_json;
  EXPECT_NE(message("b.json", R"({"frames": []})").find("b.json: frames: expected at least one camera"),
            std::string::npos);
  EXPECT_NE(message("c.json", R"({"cameras": []})").find("c.json: frames: missing"), std::string::npos);
  const std::string short_position =
      message("d.json", R"({"frames": [{"position": [0, 0, 1], "yaw": 0, "pitch": 0},
                                       {"position": [0, 0], "yaw": 0, "pitch": 0}]})");
  EXPECT_NE(short_position.find("d.json: frames[1].position: expected an array of 3 numbers"), std::string::npos)
      << short_position;
  const std::string yaw = message("e.json", R"({"frames": [{"position": [0, 0, 1], "yaw": "east", "pitch": 0}]})");
  EXPECT_NE(yaw.find("frames[0].yaw: expected a number, got a string"), std::string::npos) << yaw;
  const std::string pitch = message("f.json", R"({"frames": [{"position": [0, 0, 1], "yaw": 0}]})");
  EXPECT_NE(pitch.find("frames[0].pitch: missing"), std::string::npos) << pitch;
  const std::string c2w = message("g.json", R"({"frames": [{"camera_to_world": [1, 0, 0, 0]}]})");
  EXPECT_NE(c2w.find("frames[0].camera_to_world: expected an array of 16 numbers"), std::string::npos) << c2w;
  const std::string fov =
      message("h.json", R"({"frames": [{"position": [0, 0, 1], "yaw": 0, "pitch": 0, "fov_deg": 200}]})");
  EXPECT_NE(fov.find("frames[0].fov_deg: expected degrees in (0, 180)"), std::string::npos) << fov;
  const std::string missing = error_of([&] { read_camera_track(dir / "absent.json"); });
  EXPECT_NE(missing.find("no such file or folder"), std::string::npos) << missing;
}

// Track entry x = its index. T = 4, F = 7: i * 3 / 6 = 0, 0.5, 1, 1.5, 2, 2.5, 3 -> 0, 1, 1, 2, 2, 3, 3 (halves up).
// T = 31 (30 fps), F = 25 (24 fps): i * 30 / 24 = 1.25 i -> 0, 1.25, 2.5, 3.75, 5 -> 0, 1, 3, 4, 5; last -> 30.
TEST(CameraTrack, ResampleTrackHandValues) {
  auto track_of = [](int t) {
    std::vector<CameraFrame> track;
    for (int i = 0; i < t; ++i) track.push_back({{double(i), 0, 0}, kEast});
    return track;
  };
  auto xs = [](const std::vector<CameraFrame>& frames) {
    Indices out;
    for (const auto& f : frames) out.push_back(static_cast<std::int64_t>(f.position[0]));
    return out;
  };
  EXPECT_EQ(xs(resample_track(track_of(4), 7)), (Indices{0, 1, 1, 2, 2, 3, 3}));
  const Indices thirty = xs(resample_track(track_of(31), 25));
  ASSERT_EQ(thirty.size(), 25u);
  EXPECT_EQ(Indices(thirty.begin(), thirty.begin() + 5), (Indices{0, 1, 3, 4, 5}));
  EXPECT_EQ(thirty.back(), 30);
  EXPECT_EQ(xs(resample_track(track_of(5), 1)), (Indices{0}));
  EXPECT_EQ(xs(resample_track(track_of(1), 3)), (Indices{0, 0, 0}));
  EXPECT_EQ(xs(resample_track(track_of(3), 3)), (Indices{0, 1, 2}));
  EXPECT_NE(error_of([&] { resample_track({}, 3); }).find("at least one frame"), std::string::npos);
  EXPECT_NE(error_of([&] { resample_track(track_of(3), 0); }).find("video frames"), std::string::npos);
}
