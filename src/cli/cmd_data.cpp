// `vsr data synth|build|sens|maze|frames|stats`: synthetic scenes, VSI-100k-style question building from ScanNet
// folders, ScanNet .sens streams to videos and camera tracks, AlphaMaze-style text mazes, the frames space-aware
// sampling picks from a camera track, the mix of a record file.
#include "command.hpp"

#include "vsr/core/config.hpp"
#include "vsr/core/error.hpp"
#include "vsr/core/progress.hpp"
#include "vsr/data/builder.hpp"
#include "vsr/data/maze.hpp"
#include "vsr/data/qa.hpp"
#include "vsr/data/records.hpp"
#include "vsr/data/scene_list.hpp"
#include "vsr/data/sens.hpp"
#include "vsr/data/synth.hpp"
#include "vsr/data/task_mix.hpp"
#include "vsr/video/sampling.hpp"
#include "vsr/video/space_aware_sampling.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <optional>
#include <set>
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

/// The share of `type` in the paper's VSI-100k (section 4.1), as a percentage, or "-" for a type it does not have.
std::string paper_share(const std::string& type) {
  static const data::TaskMix paper = data::vsi100k_mix();
  const auto it = paper.targets.find(type);
  return it == paper.targets.end() ? "-" : fmt::format("{:.1f}%", 100 * it->second);
}

void print_mix_report(const data::MixReport& report, const data::TaskMix& mix) {
  std::printf("%-30s %8s %9s %8s %7s %7s %9s\n", "question type", "wanted", "available", "taken", "scenes", "share",
              "VSI-100k");
  for (const auto& r : report.rows)
    std::printf("%-30s %8lld %9lld %8lld %7lld %6.1f%% %9s\n", r.type.c_str(), static_cast<long long>(r.wanted),
                static_cast<long long>(r.available), static_cast<long long>(r.taken), static_cast<long long>(r.scenes),
                report.total > 0 ? 100.0 * double(r.taken) / double(report.total) : 0.0, paper_share(r.type).c_str());
  if (mix.shares && !report.limiting_type.empty())
    std::printf("total %lld: the largest the %s pool allows at its share%s\n", static_cast<long long>(report.total),
                report.limiting_type.c_str(), mix.total > 0 ? fmt::format(" (asked: {})", mix.total).c_str() : "");
  for (const auto& r : report.rows)
    if (r.taken < r.wanted)
      std::fprintf(stderr, "warning: data.mix: %s: %lld wanted, only %lld available\n", r.type.c_str(),
                   static_cast<long long>(r.wanted), static_cast<long long>(r.taken));
}

int data_build(int argc, const char* const* argv) {
  Config cfg(argv[0]);
  auto& qa = cfg.add<data::QaOptions>();
  auto& synth = cfg.add<data::SynthOptions>();
  std::string scannet, out, scenes, exclude, benchmark;
  bool with_options = false;
  std::uint64_t seed = 0;
  int threads = 0;
  cfg.top_level()
      .add("scannet", scannet, "folder of ScanNet scene folders")
      .add("out", out, "output JSON-lines file")
      .add("scenes", scenes, "only these scenes: a list (one name per line) or a record file (.json/.jsonl)")
      .add("exclude", exclude, "not these scenes: a list, or a record file such as VSI-Bench's (every scene it uses)")
      .add("benchmark", benchmark, "a benchmark record file: warn when the build shares scenes with it")
      .add("with-options", with_options, "add lettered options (same as --data.with_options)")
      .add("seed", seed, "random seed (same as --data.seed)")
      .add("threads", threads, "scenes processed in parallel (0 = all cores)");
  if (!cfg.parse(argc, argv)) return 0;
  require(!scannet.empty(), "<command line>", "--scannet", "a scene folder is required");
  require(!out.empty(), "<command line>", "--out", "an output file is required");
  if (with_options) qa.with_options = true;
  if (cfg.was_set("seed")) qa.seed = seed;
  require(qa.mix.empty() || qa.preset.empty(), "<command line>", "data.preset", "give data.mix or data.preset, not both");
  std::optional<data::TaskMix> mix;
  if (!qa.preset.empty()) mix = data::task_mix_preset(qa.preset, "data.preset");
  if (!qa.mix.empty()) mix = data::parse_task_mix(qa.mix, "data.mix");
  if (mix && cfg.was_set("data.total")) mix->total = qa.total;
  // A mix draws from every question a scene offers unless a per-scene cap is asked for explicitly.
  if (mix && !cfg.was_set("data.max_per_task_per_scene")) qa.max_per_task_per_scene = 0;

  auto dirs = data::list_scene_dirs(scannet);
  require(!dirs.empty(), scannet, "",
          "no scene folders (expected sub-folders SCENE/ holding SCENE_vh_clean_2.ply, as ScanNet or vsr data synth "
          "writes them)");
  if (!scenes.empty()) dirs = data::select_scene_dirs(dirs, data::read_scene_names(scenes), {}, scenes);
  if (!exclude.empty()) {
    const std::size_t before = dirs.size();
    const auto drop = data::read_scene_names(exclude);
    dirs = data::select_scene_dirs(dirs, {}, drop);
    std::printf("excluded %zu of %zu scene folders (%s names %zu scenes)\n", before - dirs.size(), before,
                exclude.c_str(), drop.size());
  }
  require(!dirs.empty(), scannet, scenes.empty() ? "--exclude" : "--scenes", "no scene folder left to build from");
  ProgressBar bar("build", static_cast<std::int64_t>(dirs.size()), "scenes");
  auto samples = data::build_questions(dirs, qa, synth, threads, [&](std::size_t) { bar.tick(1); });
  bar.finish();
  data::apply_total_caps(samples, qa);
  if (mix) {
    data::MixReport report;
    samples = data::sample_task_mix(samples, *mix, qa.seed, &report);
    print_mix_report(report, *mix);
  }
  require(!samples.empty(), scannet, "data.tasks",
          "no questions from " + std::to_string(dirs.size()) + " scenes (no task of data.tasks applies to them)");
  if (!benchmark.empty()) {
    const auto warning = data::overlap_warning(data::shared_scenes(data::scene_names(samples), data::read_scene_names(benchmark)),
                                               out, benchmark);
    if (!warning.empty()) std::fprintf(stderr, "%s\n", warning.c_str());
  }
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
    for (auto i : v) {
      if (!out.empty()) out += ' ';
      out += std::to_string(i);
    }
    return out;
  };
  std::printf("space_aware: %s\nuniform:     %s\n", line(chosen).c_str(), line(uniform).c_str());
  return 0;
}

int data_sens(int argc, const char* const* argv) {
  Config cfg(argv[0]);
  std::string sens, video, camera, depth;
  data::SensExportOptions options;
  cfg.top_level()
      .add("sens", sens, "ScanNet .sens file (SensReader format, version 4)")
      .add("video", video, "output walkthrough video (.mp4, H.264)")
      .add("camera", camera, "output camera track (JSON: camera_to_world per video frame; default VIDEO.camera.json)")
      .add("fps", options.fps, "frame rate of the video (frames are dropped evenly; ScanNet records at 30)")
      .add("source-fps", options.source_fps, "the stream's frame rate when it has no timestamps")
      .add("quality", options.quality, "libx264 CRF (0 = lossless in YUV 4:2:0, 23 = its default)")
      .add("depth", depth, "also write each kept frame's depth as DIR/<frame>.pgm (16-bit, depth-shift units)");
  if (!cfg.parse(argc, argv)) return 0;
  require(!sens.empty(), "<command line>", "--sens", "a .sens file is required");
  require(!video.empty(), "<command line>", "--video", "an output video is required");
  if (camera.empty()) camera = fs::path(video).replace_extension(".camera.json").string();
  options.depth_dir = depth;
  const auto frames = static_cast<std::int64_t>(data::SensReader(sens).header().frames);
  ProgressBar bar("sens", frames, "frames");
  std::int64_t shown = 0;
  const auto result = data::export_sens(sens, video, camera, options, [&](std::int64_t n) {
    bar.tick(n - shown);
    shown = n;
  });
  bar.finish();
  std::printf("wrote %lld of %lld frames to %s (%.3g fps) and their poses to %s (horizontal FOV %.1f deg)\n",
              static_cast<long long>(result.frames_out), static_cast<long long>(result.frames_in), video.c_str(),
              options.fps, camera.c_str(), result.fov_deg);
  if (result.invalid_poses > 0)
    std::printf("%lld frames had no valid pose (lost tracking); they repeat the previous valid pose\n",
                static_cast<long long>(result.invalid_poses));
  return 0;
}

int data_stats(int argc, const char* const* argv) {
  Config cfg(argv[0]);
  std::string benchmark;
  cfg.top_level().add("benchmark", benchmark, "a benchmark record file: warn when FILE shares scenes with it");
  cfg.allow_positional(1);
  if (!cfg.parse(argc, argv)) return 0;
  require(cfg.positional().size() == 1, "<command line>", "FILE", "expected one JSON or JSON-lines file");
  const std::string file = cfg.positional()[0];
  const auto samples = data::read_samples(file);
  std::printf("%-30s %8s %7s %7s %9s\n", "question type", "count", "scenes", "share", "VSI-100k");
  std::map<std::string, std::set<std::string>> scenes;
  for (const auto& s : samples) scenes[s.question_type].insert(s.scene_name);
  for (const auto& [type, n] : data::count_by_type(samples))
    std::printf("%-30s %8zu %7zu %6.1f%% %9s\n", type.c_str(), n, scenes[type].size(),
                100.0 * double(n) / double(samples.size()), paper_share(type).c_str());
  std::printf("%-30s %8zu %7zu\n", "total", samples.size(), data::scene_names(samples).size());
  if (!benchmark.empty()) {
    const auto shared = data::shared_scenes(data::scene_names(samples), data::read_scene_names(benchmark));
    const auto warning = data::overlap_warning(shared, file, benchmark);
    std::printf("%s\n", warning.empty() ? fmt::format("no scene shared with {}", benchmark).c_str() : warning.c_str());
  }
  return 0;
}

}  // namespace

VSR_COMMAND(cmd_data, "data", "synthetic scenes, VSI-100k question building, .sens export, text mazes, dataset statistics") {
  const char* usage = "usage: vsr data synth|build|sens|maze|frames|stats [options] (`vsr data <action> --help`)\n";
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
  if (action == "sens") return data_sens(n, args.data());
  if (action == "maze") return data_maze(n, args.data());
  if (action == "frames") return data_frames(n, args.data());
  if (action == "stats") return data_stats(n, args.data());
  vsr::fail("<command line>", "action", "expected synth, build, sens, maze, frames or stats, found " + vsr::quote(action));
}
