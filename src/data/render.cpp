// Software rasteriser: near-plane clipping, perspective-correct z-buffer, flat shading, object-id buffer.
#include "vsr/data/render.hpp"

#include "vsr/data/synth.hpp"

#include <algorithm>
#include <cmath>

namespace vsr::data {
namespace {

constexpr double kNear = 0.05;

struct V3 {
  double x, y, z;
};
V3 sub(V3 a, V3 b) { return {a.x - b.x, a.y - b.y, a.z - b.z}; }
V3 cross(V3 a, V3 b) { return {a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x}; }
double dot(V3 a, V3 b) { return a.x * b.x + a.y * b.y + a.z * b.z; }

std::array<std::uint8_t, 3> hsv_to_rgb(double hue, double s, double v) {
  const double c = v * s, x = c * (1 - std::abs(std::fmod(hue / 60.0, 2) - 1)), m = v - c;
  double r = 0, g = 0, b = 0;
  const int sector = int(hue / 60) % 6;
  if (sector == 0) r = c, g = x; else if (sector == 1) r = x, g = c; else if (sector == 2) g = c, b = x;
  else if (sector == 3) g = x, b = c; else if (sector == 4) r = x, b = c; else r = c, b = x;
  return {std::uint8_t((r + m) * 255), std::uint8_t((g + m) * 255), std::uint8_t((b + m) * 255)};
}

}  // namespace

std::array<std::uint8_t, 3> category_color(const std::string& label) {
  const std::string cat = normalise_label(label);
  if (cat == "floor") return {96, 96, 96};   // neutral greys: no category colour is near them
  if (cat == "wall") return {210, 210, 205};
  if (cat == "ceiling") return {235, 235, 235};
  // The synthetic catalogue's categories: hues evenly around the circle, vivid and pale in turn, so any two differ by
  // half a hue step and a saturation step or by a full hue step (flat shading scales brightness, not hue or
  // saturation, so these survive lighting).
  const auto& names = synth_category_names();
  const auto at = std::find(names.begin(), names.end(), cat);
  if (at != names.end()) {
    const auto i = static_cast<std::size_t>(at - names.begin());
    return hsv_to_rgb(360.0 * double(i) / double(names.size()), i % 2 == 0 ? 0.95 : 0.5, 0.9);
  }
  // Other labels (ScanNet's long tail): a saturated hue from a hash of the name.
  std::uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : cat) h = (h ^ c) * 1099511628211ULL;
  return hsv_to_rgb(double(h % 360), 0.75, 0.55 + 0.35 * double((h >> 12) % 100) / 100.0);
}

Renderer::Renderer(const Scene& scene) : scene_(scene) {
  std::vector<std::int32_t> vertex_object(scene.mesh.vertices.size(), -1);
  for (std::size_t o = 0; o < scene.objects.size(); ++o)
    for (auto v : scene.objects[o].vertex_ids) vertex_object[v] = static_cast<std::int32_t>(o);
  std::vector<std::array<std::uint8_t, 3>> object_color;  // one label lookup per object, not per face
  object_color.reserve(scene.objects.size());
  for (const auto& object : scene.objects) object_color.push_back(category_color(object.label));
  const V3 light{0.35, 0.55, 0.76};
  face_object_.reserve(scene.mesh.faces.size());
  face_color_.reserve(scene.mesh.faces.size());
  for (const auto& f : scene.mesh.faces) {
    const std::int32_t o = vertex_object[f[0]];
    face_object_.push_back(o);
    const auto& a = scene.mesh.vertices[f[0]];
    const auto& b = scene.mesh.vertices[f[1]];
    const auto& c = scene.mesh.vertices[f[2]];
    V3 n = cross(sub({b[0], b[1], b[2]}, {a[0], a[1], a[2]}), sub({c[0], c[1], c[2]}, {a[0], a[1], a[2]}));
    const double len = std::sqrt(dot(n, n));
    const double shade = len > 0 ? 0.45 + 0.55 * std::abs(dot(n, light)) / len : 0.45;  // two-sided
    const auto base = o >= 0 ? object_color[static_cast<std::size_t>(o)] : scene.mesh.colors[f[0]];
    face_color_.push_back({std::uint8_t(base[0] * shade), std::uint8_t(base[1] * shade), std::uint8_t(base[2] * shade)});
  }
}

Frame Renderer::render(const CameraPose& pose, int width, int height) const {
  Frame fr;
  fr.width = width;
  fr.height = height;
  fr.rgb.assign(std::size_t(width) * height * 3, 0);
  fr.object.assign(std::size_t(width) * height, -1);
  std::vector<float> inv_z(std::size_t(width) * height, 0.0f);
  const double cy = std::cos(pose.yaw), sy = std::sin(pose.yaw), cp = std::cos(pose.pitch), sp = std::sin(pose.pitch);
  const V3 fwd{cy * cp, sy * cp, sp}, right{sy, -cy, 0}, up = cross(right, fwd);
  const V3 eye{pose.position[0], pose.position[1], pose.position[2]};
  const double focal = (width / 2.0) / std::tan(pose.fov_deg * M_PI / 360.0);
  // Camera-space vertices, computed once per frame.
  const auto& verts = scene_.mesh.vertices;
  std::vector<V3> cam(verts.size());
  for (std::size_t i = 0; i < verts.size(); ++i) {
    const V3 d = sub({verts[i][0], verts[i][1], verts[i][2]}, eye);
    cam[i] = {dot(d, right), dot(d, up), dot(d, fwd)};
  }
  auto raster = [&](const V3* p, std::size_t face) {
    double sx[3], syy[3], iz[3];
    for (int k = 0; k < 3; ++k) {
      iz[k] = 1.0 / p[k].z;
      sx[k] = width / 2.0 + focal * p[k].x * iz[k];
      syy[k] = height / 2.0 - focal * p[k].y * iz[k];
    }
    const double area = (sx[1] - sx[0]) * (syy[2] - syy[0]) - (sx[2] - sx[0]) * (syy[1] - syy[0]);
    if (std::abs(area) < 1e-12) return;
    const int x0 = std::max(0, int(std::floor(std::min({sx[0], sx[1], sx[2]}))));
    const int x1 = std::min(width - 1, int(std::ceil(std::max({sx[0], sx[1], sx[2]}))));
    const int y0 = std::max(0, int(std::floor(std::min({syy[0], syy[1], syy[2]}))));
    const int y1 = std::min(height - 1, int(std::ceil(std::max({syy[0], syy[1], syy[2]}))));
    for (int y = y0; y <= y1; ++y)
      for (int x = x0; x <= x1; ++x) {
        const double px = x + 0.5, py = y + 0.5;
        const double w0 = ((sx[1] - px) * (syy[2] - py) - (sx[2] - px) * (syy[1] - py)) / area;
        const double w1 = ((sx[2] - px) * (syy[0] - py) - (sx[0] - px) * (syy[2] - py)) / area;
        const double w2 = 1 - w0 - w1;
        if (w0 < 0 || w1 < 0 || w2 < 0) continue;
        const float z = float(w0 * iz[0] + w1 * iz[1] + w2 * iz[2]);  // 1/z is linear in screen space
        const std::size_t at = std::size_t(y) * width + x;
        if (z <= inv_z[at]) continue;
        inv_z[at] = z;
        fr.object[at] = face_object_[face];
        const auto& c = face_color_[face];
        fr.rgb[3 * at] = c[0], fr.rgb[3 * at + 1] = c[1], fr.rgb[3 * at + 2] = c[2];
      }
  };
  for (std::size_t f = 0; f < scene_.mesh.faces.size(); ++f) {
    const auto& face = scene_.mesh.faces[f];
    V3 in[3] = {cam[face[0]], cam[face[1]], cam[face[2]]};
    const int front = (in[0].z >= kNear) + (in[1].z >= kNear) + (in[2].z >= kNear);
    if (front == 0) continue;
    if (front == 3) {
      raster(in, f);
      continue;
    }
    // Clip against the near plane (Sutherland-Hodgman on one plane): a triangle or a quad.
    V3 poly[4];
    int n = 0;
    for (int k = 0; k < 3; ++k) {
      const V3& a = in[k];
      const V3& b = in[(k + 1) % 3];
      const bool ina = a.z >= kNear, inb = b.z >= kNear;
      if (ina) poly[n++] = a;
      if (ina != inb) {
        const double t = (kNear - a.z) / (b.z - a.z);
        poly[n++] = {a.x + t * (b.x - a.x), a.y + t * (b.y - a.y), kNear};
      }
    }
    raster(poly, f);
    if (n == 4) {
      const V3 second[3] = {poly[0], poly[2], poly[3]};
      raster(second, f);
    }
  }
  fr.depth.resize(inv_z.size());
  for (std::size_t i = 0; i < inv_z.size(); ++i) fr.depth[i] = inv_z[i] > 0 ? 1.0f / inv_z[i] : 0.0f;
  return fr;
}

std::vector<int> uniform_frame_indices(int total, int count) {
  std::vector<int> out;
  if (total <= 0 || count <= 0) return out;
  if (count == 1 || total == 1) return {0};
  count = std::min(count, total);
  for (int i = 0; i < count; ++i)
    out.push_back(static_cast<int>(std::lround(double(i) * (total - 1) / (count - 1))));
  return out;
}

Visibility compute_visibility(const Scene& scene, const std::vector<CameraPose>& sampled, int width, int height,
                              int min_pixels) {
  Visibility vis;
  vis.frames = static_cast<int>(sampled.size());
  vis.first_frame.assign(scene.objects.size(), -1);
  const Renderer renderer(scene);
  std::vector<int> pixels(scene.objects.size());
  for (std::size_t k = 0; k < sampled.size(); ++k) {
    const Frame fr = renderer.render(sampled[k], width, height);
    std::fill(pixels.begin(), pixels.end(), 0);
    for (auto o : fr.object)
      if (o >= 0) ++pixels[o];
    for (std::size_t o = 0; o < pixels.size(); ++o)
      if (pixels[o] >= min_pixels && vis.first_frame[o] < 0) vis.first_frame[o] = static_cast<int>(k);
  }
  return vis;
}

}  // namespace vsr::data
