// `vsr data synth|build|maze|frames|stats`: synthetic scenes, VSI-100k-style question building from ScanNet folders,
// AlphaMaze-style text mazes, the frames space-aware sampling picks from a camera track, counts.
#include "command.hpp"

#include "vsr/core/config.hpp"
#include "vsr/core/error.hpp"
#include "vsr/core/progress.hpp"
#include "vsr/data/builder.hpp"
#include "vsr/data/maze.hpp"
#include "vsr/data/qa.hpp"
#include "vsr/data/records.hpp"
#include "vsr/data/synth.hpp"
#include "vsr/video/sampling.hpp"
#include "vsr/video/space_aware_sampling.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>

namespace {

namespace fs = std::filesystem;
using namespace vsr;

int data_synth(int argc, const char* const* argv) {
  Config cfg(argv[0]);
  auto& synth = cfg.add<data::SynthOptions>();
  int scenes = 10;
  std::uint64_t seed = 0;
  std::string out;
  cfg.top_level().add("scenes", scenes, "number of scenes").add("seed", seed, "random seed").add("out", out, "output folder");
  if (!cfg.parse(argc, argv)) return 0;
  require(!out.empty(), "<command line>", "--out", "an output folder is required");
  require(scenes >= 0, "<command line>", "--scenes", "expected a count >= 0");
  ProgressBar bar("synth", scenes, "scenes");
  for (int i = 0; i < scenes; ++i) {
    data::write_synthetic_scene(out, data::make_synthetic_scene(seed, i, synth), synth);
    bar.tick();
  }
  bar.finish();
  std::printf("wrote %d scenes to %s\n", scenes, out.c_str());
  return 0;
}

int data_build(int argc, const char* const* argv) {
  Config cfg(argv[0]);
  auto& qa = cfg.add<data::QaOptions>();
  auto& synth = cfg.add<data::SynthOptions>();
  std::string scannet, out;
  bool with_options = false;
  std::uint64_t seed = 0;
  int threads = 0;
  cfg.top_level()
      .add("scannet", scannet, "folder of ScanNet scene folders")
      .add("out", out, "output JSON-lines file")
      .add("with-options", with_options, "add lettered options (same as --data.with_options)")
      .add("seed", seed, "random seed (same as --data.seed)")
      .add("threads", threads, "scenes processed in parallel (0 = all cores)");
  if (!cfg.parse(argc, argv)) return 0;
  require(!scannet.empty(), "<command line>", "--scannet", "a scene folder is required");
  require(!out.empty(), "<command line>", "--out", "an output file is required");
  if (with_options) qa.with_options = true;
  if (cfg.was_set("seed")) qa.seed = seed;
  const auto dirs = data::list_scene_dirs(scannet);
  require(!dirs.empty(), scannet, "",
          "no scene folders (expected sub-folders SCENE/ holding SCENE_vh_clean_2.ply, as ScanNet or vsr data synth "
          "writes them)");
  ProgressBar bar("build", static_cast<std::int64_t>(dirs.size()), "scenes");
  auto samples = data::build_questions(dirs, qa, synth, threads, [&](std::size_t) { bar.tick(1); });
  bar.finish();
  data::apply_total_caps(samples, qa);
  require(!samples.empty(), scannet, "data.tasks",
          "no questions from " + std::to_string(dirs.size()) + " scenes (no task of data.tasks applies to them)");
  data::write_samples(out, samples);
  std::printf("wrote %zu questions from %zu scenes to %s\n", samples.size(), dirs.size(), out.c_str());
  return 0;
}

int data_maze(int argc, const char* const* argv) {
  Config cfg(argv[0]);
  auto& maze = cfg.add<data::MazeOptions>();
  int count = 100;
  std::uint64_t seed = 0;
  std::string out;
  cfg.top_level()
      .add("count", count, "number of mazes (records)")
      .add("seed", seed, "random seed (train and held-out sets: different seeds)")
      .add("out", out, "output JSON-lines file (generic QA format, text-only)");
  if (!cfg.parse(argc, argv)) return 0;
  require(!out.empty(), "<command line>", "--out", "an output file is required");
  require(count >= 1, "<command line>", "--count", "expected a count >= 1, found " + std::to_string(count));
  maze.validate();
  std::vector<data::Sample> samples;
  ProgressBar bar("maze", count, "mazes");
  for (int i = 0; i < count; ++i) {
    samples.push_back(data::maze_sample(data::generate_maze(seed, i, maze), fmt::format("maze-{}-{:06d}", seed, i)));
    bar.tick();
  }
  bar.finish();
  data::write_samples(out, samples);
  std::printf("wrote %d %dx%d mazes to %s\n", count, maze.rows, maze.cols, out.c_str());
  return 0;
}

int data_frames(int argc, const char* const* argv) {
  Config cfg(argv[0]);
  std::string camera;
  std::int64_t frames = 16, video_frames = 0;
  video::CoverageOptions coverage;
  cfg.top_level()
      .add("camera", camera, "camera track: a synthetic scene's _camera.json, a camera-to-world JSON or a ScanNet pose folder")
      .add("frames", frames, "frames to choose (even)")
      .add("video-frames", video_frames, "frames of the video the track belongs to (default: one per track entry)")
      .add("cell-m", coverage.cell_m, "floor cell side, metres")
      .add("range-m", coverage.range_m, "farthest floor distance a frame counts as seeing, metres");
  if (!cfg.parse(argc, argv)) return 0;
  require(!camera.empty(), "<command line>", "--camera", "a camera track is required");
  auto track = video::read_camera_track(camera);
  if (video_frames > 0) track = video::resample_track(track, video_frames);
  const auto chosen = video::space_aware_indices(track, frames, coverage);
  const auto uniform = video::uniform_indices(static_cast<std::int64_t>(track.size()), frames);
  auto line = [](const std::vector<std::int64_t>& v) {
    std::string out;
    for (auto i : v) out += (out.empty() ? "" : " ") + std::to_string(i);
    return out;
  };
  std::printf("space_aware: %s\nuniform:     %s\n", line(chosen).c_str(), line(uniform).c_str());
  return 0;
}

int data_stats(int argc, const char* const* argv) {
  Config cfg(argv[0]);
  cfg.allow_positional(1);
  if (!cfg.parse(argc, argv)) return 0;
  require(cfg.positional().size() == 1, "<command line>", "FILE", "expected one JSON or JSON-lines file");
  const auto samples = data::read_samples(cfg.positional()[0]);
  std::size_t total = 0;
  for (const auto& [type, n] : data::count_by_type(samples)) {
    std::printf("%-30s %zu\n", type.c_str(), n);
    total += n;
  }
  std::printf("%-30s %zu\n", "total", total);
  return 0;
}

}  // namespace

VSR_COMMAND(cmd_data, "data", "synthetic scenes, VSI-100k question building, text mazes, dataset statistics") {
  const char* usage = "usage: vsr data synth|build|maze|frames|stats [options] (`vsr data <action> --help`)\n";
  if (argc < 2 || std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0) {
    std::fputs(usage, argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  const std::string action = argv[1];
  std::string program = std::string(argv[0]) + " " + action;
  std::vector<const char*> args{program.c_str()};
  for (int i = 2; i < argc; ++i) args.push_back(argv[i]);
  const int n = static_cast<int>(args.size());
  if (action == "synth") return data_synth(n, args.data());
  if (action == "build") return data_build(n, args.data());
  if (action == "maze") return data_maze(n, args.data());
  if (action == "frames") return data_frames(n, args.data());
  if (action == "stats") return data_stats(n, args.data());
  vsr::fail("<command line>", "action", "expected synth, build, maze, frames or stats, found " + vsr::quote(action));
}
