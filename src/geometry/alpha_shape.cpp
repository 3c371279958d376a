// Area of a 2-D alpha shape with CGAL's Alpha_shape_2 (REGULARIZED mode): the room size of VSI-Bench.
#include "vsr/geometry/planar.hpp"

#include <CGAL/Alpha_shape_2.h>
#include <CGAL/Alpha_shape_face_base_2.h>
#include <CGAL/Alpha_shape_vertex_base_2.h>
#include <CGAL/Delaunay_triangulation_2.h>
#include <CGAL/Exact_predicates_inexact_constructions_kernel.h>

#include <algorithm>

namespace vsr::geometry {
namespace {
using K = CGAL::Exact_predicates_inexact_constructions_kernel;
using Vb = CGAL::Alpha_shape_vertex_base_2<K>;
using Fb = CGAL::Alpha_shape_face_base_2<K>;
using Tds = CGAL::Triangulation_data_structure_2<Vb, Fb>;
using Delaunay = CGAL::Delaunay_triangulation_2<K, Tds>;
using AlphaShape = CGAL::Alpha_shape_2<Delaunay>;

/// The points as CGAL points without exact duplicates (a wall's vertical columns, a box's top and bottom project to
/// the same floor point and do not change the triangulation).
std::vector<K::Point_2> unique_points(std::span<const Point2> points) {
  std::vector<Point2> unique(points.begin(), points.end());
  std::sort(unique.begin(), unique.end(), [](const Point2& a, const Point2& b) { return a.x < b.x || (a.x == b.x && a.y < b.y); });
  unique.erase(std::unique(unique.begin(), unique.end(), [](const Point2& a, const Point2& b) { return a.x == b.x && a.y == b.y; }),
               unique.end());
  std::vector<K::Point_2> pts;
  pts.reserve(unique.size());
  for (const auto& p : unique) pts.emplace_back(p.x, p.y);
  return pts;
}
}  // namespace

double alpha_shape_area_cgal(std::span<const Point2> points, double alpha_squared) {
  const std::vector<K::Point_2> pts = unique_points(points);
  if (pts.size() < 3) return 0.0;
  AlphaShape shape(pts.begin(), pts.end(), K::FT(alpha_squared), AlphaShape::REGULARIZED);
  double area = 0.0;
  for (auto f = shape.finite_faces_begin(); f != shape.finite_faces_end(); ++f) {
    if (shape.classify(f) != AlphaShape::INTERIOR) continue;
    area += std::abs(K::Triangle_2(f->vertex(0)->point(), f->vertex(1)->point(), f->vertex(2)->point()).area());
  }
  return area;
}


double alpha_shape_area(std::span<const Point2> points, double alpha_squared) {
  const std::vector<K::Point_2> pts = unique_points(points);
  if (pts.size() < 3) return 0.0;
  CGAL::Delaunay_triangulation_2<K> dt(pts.begin(), pts.end());
  double area = 0.0;
  for (auto f = dt.finite_faces_begin(); f != dt.finite_faces_end(); ++f) {
    const auto& a = f->vertex(0)->point();
    const auto& b = f->vertex(1)->point();
    const auto& c = f->vertex(2)->point();
    if (CGAL::squared_radius(a, b, c) <= alpha_squared) area += std::abs(K::Triangle_2(a, b, c).area());
  }
  return area;
}

}  // namespace vsr::geometry
