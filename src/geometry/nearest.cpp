// A static k-d tree and the closest-point distance between two point clouds.
#include "vsr/geometry/nearest.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace vsr::geometry {
namespace {
constexpr std::uint32_t kLeaf = 16;

double dist_sq(const Point3f& a, const Point3f& b) {
  double s = 0;
  for (int d = 0; d < 3; ++d) {
    const double t = double(a[d]) - double(b[d]);
    s += t * t;
  }
  return s;
}

double point_box_sq(const Point3f& q, const std::array<Point3f, 2>& box) {
  double s = 0;
  for (int d = 0; d < 3; ++d) {
    double t = 0;
    if (q[d] < box[0][d]) t = double(box[0][d]) - q[d];
    else if (q[d] > box[1][d]) t = double(q[d]) - box[1][d];
    s += t * t;
  }
  return s;
}
}  // namespace

KdTree::KdTree(std::span<const Point3f> points) : points_(points.begin(), points.end()) {
  if (points_.empty()) return;
  nodes_.reserve(2 * points_.size() / kLeaf + 2);
  build(0, static_cast<std::uint32_t>(points_.size()));
  bounds_ = nodes_[0].box;
}

std::int32_t KdTree::build(std::uint32_t begin, std::uint32_t end) {
  const auto id = static_cast<std::int32_t>(nodes_.size());
  nodes_.push_back(Node{begin, end});
  std::array<Point3f, 2> box{points_[begin], points_[begin]};
  for (std::uint32_t i = begin; i < end; ++i)
    for (int d = 0; d < 3; ++d) {
      box[0][d] = std::min(box[0][d], points_[i][d]);
      box[1][d] = std::max(box[1][d], points_[i][d]);
    }
  nodes_[id].box = box;
  if (end - begin <= kLeaf) return id;
  int axis = 0;
  for (int d = 1; d < 3; ++d)
    if (box[1][d] - box[0][d] > box[1][axis] - box[0][axis]) axis = d;
  const std::uint32_t mid = begin + (end - begin) / 2;
  std::nth_element(points_.begin() + begin, points_.begin() + mid, points_.begin() + end,
                   [axis](const Point3f& a, const Point3f& b) { return a[axis] < b[axis]; });
  const auto l = build(begin, mid);
  const auto r = build(mid, end);
  nodes_[id].left = l;
  nodes_[id].right = r;
  return id;
}

void KdTree::search(std::int32_t id, const Point3f& q, double& best) const {
  const Node& n = nodes_[id];
  if (n.left < 0) {
    for (std::uint32_t i = n.begin; i < n.end; ++i) best = std::min(best, dist_sq(q, points_[i]));
    return;
  }
  const double dl = point_box_sq(q, nodes_[n.left].box), dr = point_box_sq(q, nodes_[n.right].box);
  const std::int32_t first = dl <= dr ? n.left : n.right, second = dl <= dr ? n.right : n.left;
  const double d1 = std::min(dl, dr), d2 = std::max(dl, dr);
  if (d1 < best) search(first, q, best);
  if (d2 < best) search(second, q, best);
}

double KdTree::nearest_sq(const Point3f& q, double bound_sq) const {
  double best = bound_sq;
  if (!nodes_.empty() && point_box_sq(q, nodes_[0].box) < best) search(0, q, best);
  return best;
}

double box_distance_sq(const std::array<Point3f, 2>& a, const std::array<Point3f, 2>& b) {
  double s = 0;
  for (int d = 0; d < 3; ++d) {
    double t = 0;
    if (a[1][d] < b[0][d]) t = double(b[0][d]) - a[1][d];
    else if (b[1][d] < a[0][d]) t = double(a[0][d]) - b[1][d];
    s += t * t;
  }
  return s;
}

double cloud_distance(std::span<const Point3f> a, const KdTree& b) {
  double best = std::numeric_limits<double>::infinity();
  if (a.empty() || b.size() == 0) return best;
  for (const auto& p : a) {
    best = b.nearest_sq(p, best);
    if (best == 0) break;
  }
  return std::sqrt(best);
}

}  // namespace vsr::geometry
