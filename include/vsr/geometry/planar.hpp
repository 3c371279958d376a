#pragma once
/// @file
/// Planar geometry used by the ScanNet question builder: convex hull, the minimum-area enclosing rectangle (rotating
/// calipers, Freeman & Shapira 1975) and the area of a 2-D alpha shape (CGAL Alpha_shape_2, REGULARIZED mode, as
/// VSI-Bench's room size, which uses the Python `alphashape` package).

#include <array>
#include <span>
#include <vector>

namespace vsr::geometry {

/// A 2-D point (metres).
struct Point2 {
  double x = 0;  ///< first coordinate
  double y = 0;  ///< second coordinate
};

/// The convex hull of `points`, counter-clockwise, without collinear points (Andrew's monotone chain). Fewer than
/// three distinct points give those points.
std::vector<Point2> convex_hull(std::span<const Point2> points);

/// A rectangle in the plane: centre, unit direction of its first side, and its two side lengths.
struct Rect {
  Point2 centre;          ///< centre
  Point2 axis{1, 0};      ///< unit vector along `length`; the second side is along (-axis.y, axis.x)
  double length = 0;      ///< side along `axis`
  double width = 0;       ///< side along the perpendicular
  /// The area `length * width`.
  double area() const { return length * width; }
  /// The four corners, counter-clockwise.
  std::array<Point2, 4> corners() const;
};

/// The minimum-area rectangle enclosing `points` (one side lies on a convex-hull edge: rotating calipers over the
/// hull). Degenerate inputs (one point, collinear points) give zero-width rectangles. Empty input gives Rect{}.
Rect min_area_rect(std::span<const Point2> points);

/// The area of the alpha shape of `points` with squared radius `alpha_squared`, REGULARIZED mode, computed with
/// CGAL's Alpha_shape_2: the sum of the areas of the shape's INTERIOR faces (Delaunay triangles whose squared
/// circumradius is <= alpha). `alphashape(points, 5)` in Python corresponds to alpha_squared = 0.04. The reference
/// definition, which the tests hold alpha_shape_area to; slower (Alpha_shape_2 also builds the edge and vertex
/// interval maps and the alpha spectrum, which an area at one alpha does not read).
double alpha_shape_area_cgal(std::span<const Point2> points, double alpha_squared = 0.04);

/// The same area as alpha_shape_area_cgal, computed directly on CGAL's Delaunay_triangulation_2 with the same
/// face rule (Alpha_shape_2::classify: INTERIOR iff squared circumradius <= alpha; regularisation only removes
/// singular edges and vertices, which have no area), after dropping exact duplicate points. About 4x faster; the
/// tests check both agree, on random clouds, grids and synthetic ScanNet-size rooms. The room size of the question
/// builder (data/qa).
double alpha_shape_area(std::span<const Point2> points, double alpha_squared = 0.04);

}  // namespace vsr::geometry
