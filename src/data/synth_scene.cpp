// Procedural rooms: layout, furniture placement without interpenetration, camera path, visibility filtering.
#include "vsr/data/synth.hpp"

#include "qa_internal.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>

namespace vsr::data {
namespace {

/// A furniture category: size ranges (length along its yaw, width, height, metres), how many at most.
struct Category {
  const char* name;
  double l0, l1, w0, w1, h0, h1;
  int max_count;
};

// Realistic sizes (IKEA-like ranges).
const Category kCatalogue[] = {
    {"chair", 0.42, 0.55, 0.42, 0.55, 0.80, 1.00, 6},       {"table", 1.0, 1.8, 0.7, 1.0, 0.72, 0.78, 2},
    {"sofa", 1.6, 2.4, 0.8, 1.0, 0.70, 0.90, 1},            {"bed", 1.9, 2.1, 0.9, 1.8, 0.45, 0.60, 1},
    {"tv", 0.9, 1.5, 0.08, 0.15, 0.55, 0.85, 1},            {"lamp", 0.25, 0.45, 0.25, 0.45, 1.2, 1.7, 3},
    {"cabinet", 0.6, 1.2, 0.4, 0.6, 0.8, 1.9, 3},           {"refrigerator", 0.6, 0.8, 0.6, 0.75, 1.7, 1.9, 1},
    {"stove", 0.6, 0.76, 0.6, 0.65, 0.85, 0.92, 1},         {"sink", 0.5, 0.8, 0.45, 0.6, 0.85, 0.92, 1},
    {"toilet", 0.36, 0.45, 0.6, 0.75, 0.7, 0.8, 1},         {"bathtub", 1.5, 1.8, 0.7, 0.8, 0.5, 0.6, 1},
    {"desk", 1.0, 1.6, 0.6, 0.8, 0.72, 0.76, 2},            {"monitor", 0.5, 0.7, 0.15, 0.25, 0.35, 0.5, 2},
    {"stool", 0.3, 0.4, 0.3, 0.4, 0.45, 0.75, 4},           {"trash can", 0.25, 0.4, 0.25, 0.4, 0.35, 0.7, 3},
    {"plant", 0.3, 0.6, 0.3, 0.6, 0.5, 1.5, 4},             {"bookshelf", 0.8, 1.2, 0.28, 0.4, 1.5, 2.1, 2},
    {"nightstand", 0.4, 0.55, 0.35, 0.45, 0.5, 0.65, 2},    {"armchair", 0.7, 0.9, 0.7, 0.9, 0.75, 1.0, 2},
    {"dresser", 0.8, 1.6, 0.45, 0.55, 0.8, 1.2, 1},         {"washing machine", 0.6, 0.6, 0.55, 0.6, 0.85, 0.85, 1},
    {"microwave", 0.45, 0.55, 0.33, 0.4, 0.26, 0.32, 1},    {"piano", 1.4, 1.55, 0.55, 0.65, 1.1, 1.3, 1},
    {"box", 0.3, 0.6, 0.25, 0.5, 0.2, 0.5, 3},              {"ottoman", 0.45, 0.8, 0.45, 0.8, 0.4, 0.45, 2},
};

double uniform(qa::Rng& rng, double a, double b) { return a + (b - a) * double(rng.next() >> 11) / double(1ULL << 53); }

struct Placed {
  int category;
  geometry::Rect rect;
  double height;
};

bool inside_rooms(const geometry::Point2& p, const std::vector<std::array<double, 4>>& rooms, double margin) {
  for (const auto& r : rooms)
    if (p.x >= r[0] + margin && p.x <= r[2] - margin && p.y >= r[1] + margin && p.y <= r[3] - margin) return true;
  return false;
}

/// Separating-axis overlap of two rectangles, each grown by `clearance`/2.
bool rects_overlap(const geometry::Rect& a, const geometry::Rect& b, double clearance) {
  auto grown = [&](geometry::Rect r) {
    r.length += clearance;
    r.width += clearance;
    return r;
  };
  const auto ca = grown(a).corners(), cb = grown(b).corners();
  const geometry::Point2 axes[4] = {a.axis, {-a.axis.y, a.axis.x}, b.axis, {-b.axis.y, b.axis.x}};
  for (const auto& ax : axes) {
    double a0 = 1e300, a1 = -1e300, b0 = 1e300, b1 = -1e300;
    for (const auto& p : ca) a0 = std::min(a0, p.x * ax.x + p.y * ax.y), a1 = std::max(a1, p.x * ax.x + p.y * ax.y);
    for (const auto& p : cb) b0 = std::min(b0, p.x * ax.x + p.y * ax.y), b1 = std::max(b1, p.x * ax.x + p.y * ax.y);
    if (a1 < b0 || b1 < a0) return false;
  }
  return true;
}

double point_segment_distance(const geometry::Point2& p, const geometry::Point2& a, const geometry::Point2& b) {
  const double dx = b.x - a.x, dy = b.y - a.y, len2 = dx * dx + dy * dy;
  double t = len2 > 0 ? ((p.x - a.x) * dx + (p.y - a.y) * dy) / len2 : 0;
  t = std::clamp(t, 0.0, 1.0);
  return std::hypot(p.x - a.x - t * dx, p.y - a.y - t * dy);
}

/// The camera path: a full turn at each stop, walking between stops facing the walking direction.
std::vector<CameraPose> camera_path(const std::vector<geometry::Point2>& stops, const SynthOptions& o,
                                    double start_yaw) {
  std::vector<CameraPose> path;
  const double eye = 1.5, pitch = -18.0 * M_PI / 180.0;
  const int turn_frames = std::max(4, int(std::lround(o.seconds_per_turn * o.fps)));
  double yaw = start_yaw;
  for (std::size_t s = 0; s < stops.size(); ++s) {
    for (int k = 0; k < turn_frames; ++k)
      path.push_back({{stops[s].x, stops[s].y, eye}, yaw + 2 * M_PI * k / turn_frames, pitch, 90});
    if (s + 1 == stops.size()) break;
    const double dx = stops[s + 1].x - stops[s].x, dy = stops[s + 1].y - stops[s].y;
    yaw = std::atan2(dy, dx);
    const int walk = std::max(2, int(std::lround(std::hypot(dx, dy) / o.speed * o.fps)));
    for (int k = 0; k < walk; ++k)
      path.push_back({{stops[s].x + dx * k / walk, stops[s].y + dy * k / walk, eye}, yaw, pitch, 90});
  }
  return path;
}

SceneFiles build_files(const std::vector<std::array<double, 4>>& rooms, const std::vector<Placed>& placed,
                       double spacing) {
  SceneFiles f;
  int id = 0;
  f.add_object(id++, "floor", {f.add_floor(rooms, 0, category_color("floor"), 0.1)});
  // Walls along the outline of the union of the (one or two) rectangles: unit grid edges on the boundary.
  std::vector<std::int64_t> walls;
  const double h = 2.6;
  auto wall = [&](double x0, double y0, double x1, double y1) {
    if (std::hypot(x1 - x0, y1 - y0) > 1e-9) walls.push_back(f.add_wall(x0, y0, x1, y1, 0, h, category_color("wall"), 0.2));
  };
  if (rooms.size() == 1) {
    const auto& r = rooms[0];
    wall(r[0], r[1], r[2], r[1]), wall(r[2], r[1], r[2], r[3]), wall(r[2], r[3], r[0], r[3]), wall(r[0], r[3], r[0], r[1]);
  } else {  // L: rooms[0] = [0,0,W,D1], rooms[1] = [0,D1,W2,D]
    const double W = rooms[0][2], D1 = rooms[0][3], W2 = rooms[1][2], D = rooms[1][3];
    wall(0, 0, W, 0), wall(W, 0, W, D1), wall(W, D1, W2, D1), wall(W2, D1, W2, D), wall(W2, D, 0, D), wall(0, D, 0, 0);
  }
  f.add_object(id++, "wall", walls);
  for (const auto& p : placed) {
    const double yaw = std::atan2(p.rect.axis.y, p.rect.axis.x);
    const auto seg = f.add_box({p.rect.centre.x, p.rect.centre.y, 0}, {p.rect.length, p.rect.width, p.height}, yaw,
                               category_color(kCatalogue[p.category].name), spacing);
    f.add_object(id++, kCatalogue[p.category].name, {seg});
  }
  return f;
}

/// The Scene the loader would produce from `f` with identity alignment (for rendering before writing).
Scene as_scene(const SceneFiles& f, const std::string& name) {
  Scene s;
  s.name = name;
  s.mesh = f.mesh;
  s.segments = f.segments;
  std::vector<std::vector<std::uint32_t>> by_seg(f.next_segment);
  for (std::size_t v = 0; v < f.segments.size(); ++v) by_seg[f.segments[v]].push_back(std::uint32_t(v));
  for (const auto& g : f.groups) {
    SceneObject o;
    o.id = g.id;
    o.label = g.label;
    for (auto seg : g.segments)
      for (auto v : by_seg[seg]) o.vertex_ids.push_back(v), o.points.push_back(f.mesh.vertices[v]);
    o.box = bounding_box(o.points);
    s.objects.push_back(std::move(o));
  }
  return s;
}

}  // namespace

const std::vector<std::string>& synth_category_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const auto& c : kCatalogue) out.emplace_back(c.name);
    return out;
  }();
  return names;
}

void SynthOptions::describe(OptionSet& set) {
  set.add("width", width, "video width");
  set.add("height", height, "video height");
  set.add("fps", fps, "video frame rate");
  set.add("seconds_per_turn", seconds_per_turn, "seconds of one look-around at a stop");
  set.add("speed", speed, "walking speed between stops (m/s)");
  set.add("mesh_spacing", mesh_spacing, "tessellation of object surfaces (m)");
  set.add("min_objects", min_objects, "objects placed at least");
  set.add("max_objects", max_objects, "objects placed at most");
  set.add("sampled_frames", sampled_frames, "uniformly sampled frames for visibility");
  set.add("visibility_width", visibility_width, "id-buffer width for visibility");
  set.add("visibility_height", visibility_height, "id-buffer height for visibility");
  set.add("min_pixels", min_pixels, "pixels needed for an object to count as visible");
  set.add("write_video", write_video, "render and write the walkthrough");
  set.add("write_sens", write_sens, "also write the walkthrough as ScanNet's <name>/<name>.sens (colour, depth, poses)");
}

SynthScene make_synthetic_scene(std::uint64_t seed, int index, const SynthOptions& o) {
  qa::Rng rng(seed * 0x9e3779b97f4a7c15ULL + std::uint64_t(index) * 0xd1b54a32d192ed03ULL + 1);
  SynthScene out;
  out.name = fmt::format("synth{:06d}_00", index);
  // Room: a rectangle, or an L (a rectangle with one corner cut away).
  std::vector<std::array<double, 4>> rooms;
  std::vector<geometry::Point2> stops;
  if (rng.below(5) < 3) {
    const double W = uniform(rng, 3, 10), D = uniform(rng, 3, 10);
    rooms.push_back({0, 0, W, D});
    stops.push_back({W / 2, D / 2});
  } else {
    const double W = uniform(rng, 5, 10), D = uniform(rng, 5, 10);
    const double D1 = uniform(rng, 3, D - 2), W2 = uniform(rng, 3, W - 2);
    rooms.push_back({0, 0, W, D1});
    rooms.push_back({0, D1, W2, D});
    stops.push_back({W / 2, D1 / 2});
    stops.push_back({W2 / 2, (D1 + D) / 2});
  }
  // Furniture: random categories (respecting per-category maxima), random yaw, rejection sampling for position.
  const int target = o.min_objects + int(rng.below(std::size_t(std::max(1, o.max_objects - o.min_objects + 1))));
  std::vector<int> counts(std::size(kCatalogue), 0);
  std::vector<Placed> placed;
  for (int attempt = 0; attempt < target * 40 && int(placed.size()) < target; ++attempt) {
    const int c = int(rng.below(std::size(kCatalogue)));
    if (counts[c] >= kCatalogue[c].max_count) continue;
    const Category& cat = kCatalogue[c];
    Placed p{c, {}, uniform(rng, cat.h0, cat.h1)};
    p.rect.length = uniform(rng, cat.l0, cat.l1);
    p.rect.width = uniform(rng, cat.w0, cat.w1);
    const double yaw = rng.below(2) ? uniform(rng, 0, 2 * M_PI) : M_PI / 2 * double(rng.below(4));
    p.rect.axis = {std::cos(yaw), std::sin(yaw)};
    const auto& room = rooms[rng.below(rooms.size())];
    p.rect.centre = {uniform(rng, room[0], room[2]), uniform(rng, room[1], room[3])};
    bool ok = true;
    for (const auto& corner : p.rect.corners()) ok &= inside_rooms(corner, rooms, 0.05);
    for (std::size_t s = 0; ok && s < stops.size(); ++s) {
      const auto& next = stops[std::min(s + 1, stops.size() - 1)];
      for (const auto& corner : p.rect.corners()) ok &= point_segment_distance(corner, stops[s], next) > 0.8;
      ok &= point_segment_distance(p.rect.centre, stops[s], next) > 0.8;
    }
    for (const auto& q : placed) ok = ok && !rects_overlap(p.rect, q.rect, 0.1);
    if (!ok) continue;
    ++counts[c];
    placed.push_back(p);
  }
  const double start_yaw = uniform(rng, 0, 2 * M_PI);
  out.path = camera_path(stops, o, start_yaw);
  // Keep only objects visible in the uniformly sampled frames (so every question object can be seen).
  std::vector<CameraPose> sampled;
  for (int i : uniform_frame_indices(int(out.path.size()), o.sampled_frames)) sampled.push_back(out.path[i]);
  SceneFiles files = build_files(rooms, placed, o.mesh_spacing);
  const Visibility vis =
      compute_visibility(as_scene(files, out.name), sampled, o.visibility_width, o.visibility_height, o.min_pixels);
  std::vector<Placed> kept;
  for (std::size_t i = 0; i < placed.size(); ++i)
    if (vis.first_frame[i + 2] >= 0) kept.push_back(placed[i]);  // objects 0 and 1 are floor and walls
  if (kept.size() != placed.size()) files = build_files(rooms, kept, o.mesh_spacing);
  // Every other scene is stored unaligned: a rotation about z and a translation that axisAlignment undoes.
  if (index % 2 == 1) {
    const double a = uniform(rng, -M_PI, M_PI);
    const double tx = uniform(rng, -3, 3), ty = uniform(rng, -3, 3);
    files.alignment = {std::cos(a), -std::sin(a), 0, tx, std::sin(a), std::cos(a), 0, ty, 0, 0, 1, 0, 0, 0, 0, 1};
    const Matrix4 inv = invert_rigid(files.alignment);
    for (auto& v : files.mesh.vertices) v = transform_point(inv, v);
  }
  out.files = std::move(files);
  return out;
}

}  // namespace vsr::data
