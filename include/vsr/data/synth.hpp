#pragma once
/// @file
/// Procedural indoor scenes in the ScanNet layout, with a rendered walkthrough and its camera poses, for testing the
/// question builder end to end and for evaluation-only tasks (appearance order, route planning) that need a known
/// camera path. Rooms are rectangular or L-shaped (3-10 m sides), furnished with boxes of 26 indoor categories, each its own colour, at
/// realistic sizes, never interpenetrating; objects not visible in the uniformly sampled frames are removed.

#include "vsr/core/config.hpp"
#include "vsr/data/render.hpp"
#include "vsr/data/scene_writer.hpp"

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace vsr::data {

/// Options of the synthetic generator (`[synth]` section).
struct SynthOptions {
  static constexpr std::string_view kSection = "synth";  ///< INI section / command-line prefix
  int width = 320;             ///< video width (pixels)
  int height = 240;            ///< video height (pixels)
  double fps = 8;              ///< video frame rate
  double seconds_per_turn = 8; ///< duration of one full look-around at a stop
  double speed = 0.6;          ///< walking speed between stops (m/s)
  double mesh_spacing = 0.05;  ///< tessellation of object surfaces (m); the floor uses 0.1, walls 0.2
  int min_objects = 20;        ///< objects placed at least (before removing invisible ones)
  int max_objects = 36;        ///< objects placed at most
  int sampled_frames = 16;     ///< frames sampled uniformly for the visibility rule
  int visibility_width = 160;  ///< id-buffer size for visibility
  int visibility_height = 120; ///< id-buffer size for visibility
  int min_pixels = 12;         ///< pixels of an object in a sampled id buffer for it to count as visible
  bool write_video = true;     ///< render and write the walkthrough frames
  bool write_sens = false;     ///< also write the walkthrough as ScanNet's `<name>/<name>.sens` (colour, depth, poses)

  /// Declares the keys above.
  void describe(OptionSet& set);
};

/// A generated scene before writing: its ScanNet files (unaligned vertices + alignment) and camera path (aligned
/// frame).
struct SynthScene {
  std::string name;                  ///< "synth000000_00"
  SceneFiles files;                  ///< mesh, segments, groups, alignment
  std::vector<CameraPose> path;      ///< one pose per video frame
};

/// The synthetic furniture catalogue's categories in catalogue order (26 IKEA-sized box categories); the
/// renderer gives each its own colour (category_color).
const std::vector<std::string>& synth_category_names();

/// Generates scene number `index` of a run with `seed` (deterministic).
SynthScene make_synthetic_scene(std::uint64_t seed, int index, const SynthOptions& options);

/// Writes the ScanNet files into `dir/<name>/`, `<name>_camera.json` (poses) next to them and, when enabled, the
/// walkthrough `dir/videos/synthetic/<name>.mp4` through write_walkthrough.
void write_synthetic_scene(const std::filesystem::path& dir, const SynthScene& scene, const SynthOptions& options);

/// Reads `<name>_camera.json` (see write_synthetic_scene); empty when the file is absent.
std::vector<CameraPose> read_camera_path(const std::filesystem::path& scene_dir, const std::string& name);

/// Renders `poses` of `scene` and writes them as the walkthrough video `path` (.mp4, H.264 via vsr::video).
void write_walkthrough(const std::filesystem::path& path, const Scene& scene, const std::vector<CameraPose>& poses,
                       int width, int height, double fps);

/// Renders `poses` (aligned frame) of `scene` and writes them as a ScanNet `.sens` stream at `path`: JPEG colour,
/// zlib depth in millimetres (depth shift 1000), camera-to-world poses in the scene's stored (unaligned) frame, as
/// ScanNet's raw scans have them (`alignment` maps stored to aligned coordinates), the pinhole intrinsics of the
/// renderer, timestamps at `fps`.
void write_walkthrough_sens(const std::filesystem::path& path, const Scene& scene, const std::vector<CameraPose>& poses,
                            const Matrix4& alignment, int width, int height, double fps);

/// The camera-to-world matrix (row-major, ScanNet / OpenCV convention: x right, y down, z forward) of a pose.
std::array<double, 16> camera_to_world(const CameraPose& pose);

}  // namespace vsr::data
