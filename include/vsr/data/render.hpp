#pragma once
/// @file
/// A small software rasteriser for walkthrough videos of (synthetic) scenes: pinhole camera, near-plane clipping,
/// z-buffer, flat shading with one fixed light, one colour per category, and an object-id buffer from which object
/// visibility is computed.

#include "vsr/data/qa.hpp"
#include "vsr/data/scannet.hpp"

#include <array>
#include <cstdint>
#include <vector>

namespace vsr::data {

/// A camera at eye level: position (aligned scene frame, z up), heading `yaw` (radians counter-clockwise from +x),
/// `pitch` (radians, negative looks down), horizontal field of view.
struct CameraPose {
  std::array<double, 3> position{0, 0, 1.5};  ///< metres
  double yaw = 0;                            ///< radians about z, from +x
  double pitch = 0;                          ///< radians, up positive
  double fov_deg = 90;                       ///< horizontal field of view
};

/// One rendered frame: RGB (row-major, HWC), object index per pixel (-1 = none/background) and depth.
struct Frame {
  int width = 0;                          ///< pixels
  int height = 0;                         ///< pixels
  std::vector<std::uint8_t> rgb;          ///< width*height*3
  std::vector<std::int32_t> object;       ///< index into Scene::objects per pixel, -1 for none
  std::vector<float> depth;               ///< distance along the view axis per pixel (metres), 0 for none
};

/// The colour of a category: one of evenly spaced hues (vivid and pale in turn) for the synthetic catalogue's
/// categories, a hash-based hue for other labels; structural labels (floor, wall, ceiling) are greys.
std::array<std::uint8_t, 3> category_color(const std::string& label);

/// Renders a scene's aligned mesh; faces take the object of their first vertex.
class Renderer {
 public:
  /// Precomputes face colours and object ids of `scene` (kept by reference).
  explicit Renderer(const Scene& scene);
  /// Renders one frame.
  Frame render(const CameraPose& pose, int width, int height) const;

 private:
  const Scene& scene_;
  std::vector<std::int32_t> face_object_;
  std::vector<std::array<std::uint8_t, 3>> face_color_;
};

/// The indices of `count` uniformly sampled frames among `total` (VSI-Bench style: round(i * (total-1)/(count-1))).
std::vector<int> uniform_frame_indices(int total, int count);

/// Per object, the first of the sampled poses in which at least `min_pixels` pixels show it (id buffer at
/// width x height).
Visibility compute_visibility(const Scene& scene, const std::vector<CameraPose>& sampled, int width, int height,
                              int min_pixels);

}  // namespace vsr::data
