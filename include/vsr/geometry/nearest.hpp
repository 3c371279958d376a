#pragma once
/// @file
/// Closest-point distance between two 3-D point clouds (VSI-Bench's "measuring from the closest point of each
/// object"), with a static k-d tree so large clouds are not compared pairwise.

#include <array>
#include <cstdint>
#include <span>
#include <vector>

namespace vsr::geometry {

/// A 3-D point (metres, float like ScanNet's PLY vertices).
using Point3f = std::array<float, 3>;

/// A static k-d tree over a point cloud (median splits, leaves of up to 16 points), for nearest-neighbour queries.
class KdTree {
 public:
  /// Builds the tree over a copy of `points`.
  explicit KdTree(std::span<const Point3f> points);
  /// The squared distance from `q` to the nearest point, or `bound_sq` if no point is closer than sqrt(bound_sq).
  double nearest_sq(const Point3f& q, double bound_sq) const;
  /// Number of points.
  std::size_t size() const { return points_.size(); }
  /// The axis-aligned bounds {min, max} of the points.
  const std::array<Point3f, 2>& bounds() const { return bounds_; }

 private:
  struct Node {
    std::uint32_t begin, end;  // point range
    std::int32_t left = -1, right = -1;
    std::array<Point3f, 2> box;
  };
  std::int32_t build(std::uint32_t begin, std::uint32_t end);
  void search(std::int32_t node, const Point3f& q, double& best) const;

  std::vector<Point3f> points_;
  std::vector<Node> nodes_;
  std::array<Point3f, 2> bounds_{};
};

/// The smallest distance between a point of `a` and a point of `b` (exact; infinity if either is empty). Uses the
/// tree of `b`; points of `a` are visited with the running minimum as the search bound.
double cloud_distance(std::span<const Point3f> a, const KdTree& b);

/// Squared distance between two axis-aligned boxes {min, max} (0 when they overlap): a lower bound of
/// cloud_distance for the clouds they bound.
double box_distance_sq(const std::array<Point3f, 2>& a, const std::array<Point3f, 2>& b);

}  // namespace vsr::geometry
