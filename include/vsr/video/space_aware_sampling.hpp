#pragma once
/// @file
/// Which frames of a video the model sees, chosen by what they show: the torch-free core of Spatial-MLLM's
/// space-aware frame sampling (Wu et al. 2025, "Spatial-MLLM", arXiv 2505.23747), beside the uniform sampling of
/// vsr/video/sampling.hpp. Spatial-MLLM predicts per-frame geometry with its spatial encoder, voxelizes it and picks
/// frames greedily by voxel coverage. vsr uses the known camera poses of the walkthrough instead, and floor cells
/// instead of voxels: a frame covers the floor-grid cells in front of it (within its horizontal field of view and a
/// range), and frames are picked greedily by the number of new cells they add (maximum coverage).
///
/// A camera track has one entry per video frame: entry i is the camera of frame i. A track recorded at another rate
/// than the video (ScanNet's 30 fps poses for a 24 fps video) is first mapped onto the video with resample_track.

#include <array>
#include <cstdint>
#include <filesystem>
#include <span>
#include <vector>

namespace vsr::video {

/// One video frame's camera in world coordinates, z up, metres.
struct CameraFrame {
  std::array<double, 3> position{};  ///< camera centre
  std::array<double, 3> forward{};   ///< unit viewing direction
  double hfov_deg = 90;              ///< horizontal field of view, degrees
};

/// The floor grid of space_aware_indices.
struct CoverageOptions {
  double cell_m = 0.25;  ///< side of one floor cell, metres (> 0)
  double range_m = 4.0;  ///< farthest horizontal distance a camera is counted as seeing, metres (> 0)
};

/// Spatial-MLLM's space-aware frame sampling (arXiv 2505.23747) on known poses: `n` frame indices, sorted ascending,
/// chosen by greedy maximum coverage of a floor grid. The grid spans the x-y bounding box of all camera positions
/// grown by `range_m` on every side, in cells of `cell_m`. A frame sees the cells whose centre lies within `range_m`
/// (horizontal distance) of the camera and within half of `hfov_deg` of the forward direction projected on the
/// floor (both bounds inclusive, to 1e-9 m; a cell centre under the camera counts as seen); a frame whose forward is
/// vertical (projected length < 1e-6) sees nothing. Greedy: repeatedly take the frame that adds the most cells not
/// yet covered, ties to the earliest frame; once no frame adds any, take the frame farthest in index from those
/// already chosen (the first frame when none is chosen yet), ties to the earliest, until `n` distinct frames are
/// chosen. When `n > frames.size()` the result is uniform_indices(frames.size(), n) (indices repeat). Deterministic.
/// `n` must be even and >= 2 and `frames` non-empty, with finite positions and forwards, 0 < hfov_deg <= 360, and
/// finite positive options; otherwise throws vsr::Error("<sampling>", field, problem).
std::vector<std::int64_t> space_aware_indices(std::span<const CameraFrame> frames, std::int64_t n,
                                              const CoverageOptions& options = {});

/// Reads a camera track, one entry per video frame, from one of:
///  - vsr's synthetic-scene camera file (`<scene>_camera.json`, written by vsr::data::write_synthetic_scene):
///    `{"frames": [{"position": [x, y, z], "yaw": rad, "pitch": rad, "fov_deg": deg}, ...]}`, yaw about z from +x,
///    pitch up positive, forward = (cos pitch cos yaw, cos pitch sin yaw, sin pitch) as vsr::data::Renderer draws;
///  - the same object with frames `{"camera_to_world": [16 numbers, row-major 4x4], "fov_deg": deg}` in the
///    ScanNet / OpenCV camera convention (the camera looks along its +z axis): forward = the third column of the
///    rotation (normalized), position = the last column;
///  - a folder of ScanNet's exported poses (SensReader's `pose/<frame>.txt`, each a camera-to-world 4x4 matrix in
///    4 lines of 4 numbers): the folder holding `pose/`, or the `pose/` folder itself. Files named `<digits>.txt`
///    are read in numeric order of the name (other files are ignored); a matrix with non-finite values (ScanNet
///    marks lost tracking with -inf) takes the previous valid pose (the first valid one for leading invalid
///    poses). The field of view is 90 degrees for every frame: ScanNet's `intrinsic/intrinsic_color.txt` gives fx but
///    not the image width, so the horizontal field of view is not known from the export alone.
/// `fov_deg` is optional in the JSON forms (default 90) and must lie in (0, 180). Throws vsr::Error naming the file,
/// the field (`frames[3].position`, `pose/12.txt`) and what was expected on any bad input: not JSON, no frames, a
/// malformed or non-finite entry, an empty folder, a folder with no valid pose.
std::vector<CameraFrame> read_camera_track(const std::filesystem::path& file);

/// Maps a camera track onto a video of `video_frames` frames: video frame i gets track entry
/// round(i * (T - 1) / (F - 1)) (T = track.size(), F = video_frames; halves round up; frame 0 when F == 1), for a
/// track recorded at another rate than the video. `track` must be non-empty and `video_frames` >= 1, else throws
/// vsr::Error("<sampling>", ...).
std::vector<CameraFrame> resample_track(std::span<const CameraFrame> track, std::int64_t video_frames);

}  // namespace vsr::video
