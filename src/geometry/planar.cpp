// Convex hull (Andrew's monotone chain) and minimum-area rectangle (rotating calipers over the hull).
#include "vsr/geometry/planar.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace vsr::geometry {
namespace {

double cross(const Point2& o, const Point2& a, const Point2& b) {
  return (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x);
}
double dot(const Point2& a, const Point2& b) { return a.x * b.x + a.y * b.y; }

}  // namespace

std::array<Point2, 4> Rect::corners() const {
  const Point2 u{axis.x * length / 2, axis.y * length / 2};
  const Point2 v{-axis.y * width / 2, axis.x * width / 2};
  return {Point2{centre.x - u.x - v.x, centre.y - u.y - v.y}, Point2{centre.x + u.x - v.x, centre.y + u.y - v.y},
          Point2{centre.x + u.x + v.x, centre.y + u.y + v.y}, Point2{centre.x - u.x + v.x, centre.y - u.y + v.y}};
}

std::vector<Point2> convex_hull(std::span<const Point2> points) {
  std::vector<Point2> p(points.begin(), points.end());
  std::sort(p.begin(), p.end(), [](const Point2& a, const Point2& b) { return a.x < b.x || (a.x == b.x && a.y < b.y); });
  p.erase(std::unique(p.begin(), p.end(), [](const Point2& a, const Point2& b) { return a.x == b.x && a.y == b.y; }),
          p.end());
  if (p.size() < 3) return p;
  std::vector<Point2> hull(2 * p.size());
  std::size_t k = 0;
  for (std::size_t i = 0; i < p.size(); ++i) {  // lower hull
    while (k >= 2 && cross(hull[k - 2], hull[k - 1], p[i]) <= 0) --k;
    hull[k++] = p[i];
  }
  for (std::size_t i = p.size() - 1, t = k + 1; i-- > 0;) {  // upper hull
    while (k >= t && cross(hull[k - 2], hull[k - 1], p[i]) <= 0) --k;
    hull[k++] = p[i];
  }
  hull.resize(k - 1);
  return hull;
}

Rect min_area_rect(std::span<const Point2> points) {
  const std::vector<Point2> h = convex_hull(points);
  Rect best;
  if (h.empty()) return best;
  if (h.size() == 1) {
    best.centre = h[0];
    return best;
  }
  if (h.size() == 2) {
    const double dx = h[1].x - h[0].x, dy = h[1].y - h[0].y, len = std::hypot(dx, dy);
    best.centre = {(h[0].x + h[1].x) / 2, (h[0].y + h[1].y) / 2};
    best.axis = {dx / len, dy / len};
    best.length = len;
    return best;
  }
  const std::size_t n = h.size();
  auto next = [n](std::size_t i) { return (i + 1) % n; };
  double best_area = std::numeric_limits<double>::infinity();
  // Calipers: for edge i, `far` maximises the distance along the inward normal, `hi`/`lo` the extent along the edge.
  std::size_t far = 0, hi = 0, lo = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const Point2& a = h[i];
    const Point2& b = h[next(i)];
    const double len = std::hypot(b.x - a.x, b.y - a.y);
    const Point2 u{(b.x - a.x) / len, (b.y - a.y) / len};
    const Point2 nrm{-u.y, u.x};  // inward for a counter-clockwise hull
    auto along = [&](std::size_t k) { return dot(Point2{h[k].x - a.x, h[k].y - a.y}, u); };
    auto across = [&](std::size_t k) { return dot(Point2{h[k].x - a.x, h[k].y - a.y}, nrm); };
    if (i == 0) {
      for (std::size_t k = 0; k < n; ++k) {
        if (across(k) > across(far)) far = k;
        if (along(k) > along(hi)) hi = k;
        if (along(k) < along(lo)) lo = k;
      }
    } else {
      for (std::size_t s = 0; s < n && across(next(far)) >= across(far); ++s) far = next(far);
      for (std::size_t s = 0; s < n && along(next(hi)) >= along(hi); ++s) hi = next(hi);
      for (std::size_t s = 0; s < n && along(next(lo)) <= along(lo); ++s) lo = next(lo);
    }
    const double lmin = along(lo), lmax = along(hi), wmax = across(far);
    const double area = (lmax - lmin) * wmax;
    if (area < best_area) {
      best_area = area;
      const double cl = (lmin + lmax) / 2, cw = wmax / 2;
      best.centre = {a.x + u.x * cl + nrm.x * cw, a.y + u.y * cl + nrm.y * cw};
      best.axis = u;
      best.length = lmax - lmin;
      best.width = wmax;
    }
  }
  return best;
}

}  // namespace vsr::geometry
