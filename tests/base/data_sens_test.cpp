// ScanNet .sens streams: a synthetic scene written as .sens, read back, and exported to a video and camera track
// (poses exact, video frames within a PSNR of the JPEG-decoded originals, depth bit-exact), plus bad files.
#include "test_support.hpp"
#include "vsr/core/error.hpp"
#include "vsr/data/sens.hpp"
#include "vsr/data/synth.hpp"
#include "vsr/video/jpeg.hpp"
#include "vsr/video/reader.hpp"
#include "vsr/video/space_aware_sampling.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>

using namespace vsr;
namespace fs = std::filesystem;

namespace {

/// A small synthetic scene written with its .sens stream (no MP4); returns the .sens path.
fs::path synthetic_sens(const std::string& name, data::SynthScene* out = nullptr) {
  const auto dir = test::temp_dir(name);
  data::SynthOptions o;
  o.write_video = false;
  o.write_sens = true;
  o.width = 96;
  o.height = 72;
  o.fps = 4;
  o.seconds_per_turn = 2;
  o.mesh_spacing = 0.1;
  auto scene = data::make_synthetic_scene(5, 1, o);  // scene 1: stored unaligned, so the poses are transformed
  data::write_synthetic_scene(dir, scene, o);
  const auto path = dir / scene.name / (scene.name + ".sens");
  if (out) *out = std::move(scene);
  return path;
}

double psnr(const std::vector<std::uint8_t>& a, const std::uint8_t* b) {
  double se = 0;
  for (std::size_t i = 0; i < a.size(); ++i) se += (double(a[i]) - b[i]) * (double(a[i]) - b[i]);
  const double mse = se / double(a.size());
  return mse == 0 ? 99.0 : 10 * std::log10(255.0 * 255.0 / mse);
}

}  // namespace

TEST(Sens, SyntheticStreamReadsBackWithPosesInTheStoredFrame) {
  data::SynthScene scene;
  const auto path = synthetic_sens("sens_read", &scene);
  data::SensReader reader(path);
  const auto& h = reader.header();
  EXPECT_EQ(h.frames, scene.path.size());
  EXPECT_EQ(h.color_width, 96u);
  EXPECT_EQ(h.depth_height, 72u);
  EXPECT_EQ(h.color_compression, data::SensColorCompression::Jpeg);
  EXPECT_EQ(h.depth_compression, data::SensDepthCompression::ZlibUshort);
  EXPECT_NEAR(h.intrinsic_color[0], 48.0, 1e-4);  // 90-degree FOV: fx = width / 2
  data::SensFrame frame;
  std::size_t i = 0;
  const auto& a = scene.files.alignment;
  while (reader.next(frame)) {
    // Mapping the stored pose back with the alignment gives the aligned pose the renderer used.
    const auto aligned = data::camera_to_world(scene.path[i]);
    for (int r = 0; r < 3; ++r)
      for (int c = 0; c < 4; ++c) {
        double v = 0;
        for (int k = 0; k < 4; ++k) v += a[r * 4 + k] * frame.camera_to_world[k * 4 + c];
        EXPECT_NEAR(v, aligned[r * 4 + c], 1e-4) << "frame " << i << " (" << r << "," << c << ")";
      }
    EXPECT_EQ(frame.timestamp_color, i * 250000u);
    const auto rgb = reader.color_rgb(frame);
    EXPECT_EQ(rgb.size(), 96u * 72 * 3);
    const auto depth = reader.depth(frame);
    ASSERT_EQ(depth.size(), 96u * 72);
    // The camera stands 0.8 m or more from every object, inside a room of sides <= 10 m, so depths lie in between;
    // 0 (ScanNet's "no depth") where the open-topped room shows nothing.
    std::uint16_t lo = 65535, hi = 0;
    std::size_t seen = 0;
    for (const auto d : depth)
      if (d > 0) lo = std::min(lo, d), hi = std::max(hi, d), ++seen;
    EXPECT_GT(seen, depth.size() / 2) << "frame " << i;
    EXPECT_GT(lo, 300) << "frame " << i;
    EXPECT_LT(hi, 15000) << "frame " << i;
    ++i;
  }
  EXPECT_EQ(i, scene.path.size());
  EXPECT_FALSE(reader.next(frame));
}

TEST(Sens, ExportKeepsPosesExactFramesCloseAndDepthExact) {
  const auto path = synthetic_sens("sens_export");
  const auto out = test::temp_dir("sens_export_out");
  data::SensExportOptions o;
  o.fps = 4;  // the stream's own rate: every frame kept
  o.quality = 0;
  o.depth_dir = out / "depth";
  const auto result = data::export_sens(path, out / "walk.mp4", out / "walk.camera.json", o);
  data::SensReader reader(path);
  ASSERT_EQ(result.frames_out, static_cast<std::int64_t>(reader.header().frames));
  EXPECT_NEAR(result.fov_deg, 90.0, 1e-3);
  video::VideoReader video(out / "walk.mp4");
  const auto frames = video.read_all();
  ASSERT_EQ(frames.count, result.frames_out);
  const auto track = nlohmann::json::parse(std::ifstream(out / "walk.camera.json"));
  ASSERT_EQ(track["frames"].size(), static_cast<std::size_t>(result.frames_out));
  data::SensFrame frame;
  double worst = 99;
  for (std::int64_t i = 0; reader.next(frame); ++i) {
    const auto pose = track["frames"][i]["camera_to_world"].get<std::vector<double>>();
    for (int k = 0; k < 16; ++k) EXPECT_EQ(static_cast<float>(pose[k]), frame.camera_to_world[k]) << i << "," << k;
    worst = std::min(worst, psnr(reader.color_rgb(frame), frames.frame(i)));
    std::int64_t w = 0, hh = 0;
    EXPECT_EQ(data::read_pgm16(o.depth_dir / (std::to_string(i) + ".pgm"), w, hh), reader.depth(frame)) << i;
  }
  // H.264 at CRF 0 is lossless in YUV 4:2:0; what remains is the RGB -> 4:2:0 -> RGB round trip at colour edges.
  EXPECT_GT(worst, 30.0);
  RecordProperty("worst_psnr_db", std::to_string(worst));
  // The exported track is one read_camera_track accepts.
  EXPECT_EQ(static_cast<std::int64_t>(video::read_camera_track(out / "walk.camera.json").size()), result.frames_out);
}

TEST(Sens, ExportDropsFramesEvenlyToTheAskedRate) {
  const auto path = synthetic_sens("sens_rate");
  const auto out = test::temp_dir("sens_rate_out");
  data::SensExportOptions o;
  o.fps = 2;  // half the stream's 4 fps
  const auto result = data::export_sens(path, out / "walk.mp4", out / "walk.camera.json", o);
  EXPECT_EQ(result.frames_out, (result.frames_in + 1) / 2);
  const auto track = nlohmann::json::parse(std::ifstream(out / "walk.camera.json"));
  for (std::size_t i = 0; i < track["frames"].size(); ++i) EXPECT_EQ(track["frames"][i]["source_frame"], 2 * i);
}

TEST(Sens, JpegRoundTripIsClose) {
  std::vector<std::uint8_t> rgb(32 * 16 * 3);
  for (std::size_t i = 0; i < rgb.size(); ++i) rgb[i] = static_cast<std::uint8_t>((i * 7) % 200 + 20);
  const auto jpeg = video::encode_jpeg(rgb.data(), 32, 16, 2, "test");
  std::int64_t w = 0, h = 0;
  const auto back = video::decode_jpeg(jpeg, w, h, "test");
  EXPECT_EQ(w, 32);
  EXPECT_EQ(h, 16);
  EXPECT_GT(psnr(rgb, back.data()), 20.0);  // a high-frequency pattern: JPEG keeps it only roughly
  EXPECT_THROW(video::decode_jpeg(std::vector<std::uint8_t>{1, 2, 3, 4}, w, h, "test"), Error);
}

TEST(Sens, BadFilesNameTheField) {
  const auto path = synthetic_sens("sens_bad");
  std::string bytes;
  {
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  const auto bad = test::temp_dir("sens_bad_files");
  auto expect_error = [&](const std::string& name, const std::string& contents, const std::string& field) {
    const auto file = bad / name;
    std::ofstream(file, std::ios::binary) << contents;
    try {
      data::SensReader reader(file);
      data::SensFrame frame;
      while (reader.next(frame)) {
      }
      FAIL() << name << ": no error";
    } catch (const Error& e) {
      const std::string what = e.what();
      EXPECT_NE(what.find(file.string()), std::string::npos) << what;
      EXPECT_NE(what.find(field), std::string::npos) << what;
    }
  };
  std::string version = bytes;
  version[0] = 3;
  expect_error("version.sens", version, "header.version");
  expect_error("truncated_header.sens", bytes.substr(0, 100), "header.calibration");
  expect_error("truncated_frame.sens", bytes.substr(0, bytes.size() / 2), "frames[");
  std::string compression = bytes;
  const std::size_t color_type_at = 4 + 8 + std::string("vsr synthetic renderer").size() + 4 * 64;
  compression[color_type_at] = 1;  // png colour: not what ScanNet writes
  expect_error("png.sens", compression, "header.color_compression_type");
}
