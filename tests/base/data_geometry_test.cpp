// Planar geometry and nearest-point tests with hand-computed answers.
#include "vsr/data/synth.hpp"
#include "vsr/geometry/nearest.hpp"
#include "vsr/geometry/planar.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

using namespace vsr::geometry;

TEST(Geometry, ConvexHullDropsInteriorAndCollinearPoints) {
  std::vector<Point2> pts{{0, 0}, {2, 0}, {1, 0}, {2, 2}, {0, 2}, {1, 1}, {0.5, 1.5}, {2, 1}};
  const auto h = convex_hull(pts);
  ASSERT_EQ(h.size(), 4u);
  double area = 0;
  for (std::size_t i = 0; i < h.size(); ++i) {
    const auto& a = h[i];
    const auto& b = h[(i + 1) % h.size()];
    area += a.x * b.y - a.y * b.x;
  }
  EXPECT_DOUBLE_EQ(area / 2, 4.0);  // counter-clockwise: positive
}

TEST(Geometry, MinAreaRectOfRotatedRectangleRecoversItsSides) {
  // A 4 x 2 rectangle rotated by 30 degrees about (1, -3), sampled on its boundary and inside.
  const double a = M_PI / 6, c = std::cos(a), s = std::sin(a);
  std::vector<Point2> pts;
  for (int i = 0; i <= 40; ++i)
    for (int j = 0; j <= 20; ++j) {
      const double u = -2 + 4.0 * i / 40, v = -1 + 2.0 * j / 20;
      pts.push_back({1 + c * u - s * v, -3 + s * u + c * v});
    }
  const Rect r = min_area_rect(pts);
  EXPECT_NEAR(r.area(), 8.0, 1e-9);
  EXPECT_NEAR(std::max(r.length, r.width), 4.0, 1e-9);
  EXPECT_NEAR(std::min(r.length, r.width), 2.0, 1e-9);
  EXPECT_NEAR(r.centre.x, 1.0, 1e-9);
  EXPECT_NEAR(r.centre.y, -3.0, 1e-9);
  // The long side's direction is 30 degrees (mod 90 for the short side).
  const double dir = std::atan2(r.axis.y, r.axis.x) * 180 / M_PI;
  EXPECT_NEAR(std::fmod(dir + 360.0, 90.0), 30.0, 1e-6);
  // The axis-aligned box of the same points is larger: 4cos30+2sin30 by 4sin30+2cos30.
  EXPECT_LT(r.area(), (4 * c + 2 * s) * (4 * s + 2 * c));
}

TEST(Geometry, MinAreaRectOfTriangleHasASideOnAnEdge) {
  // Right triangle legs 3 and 4: the best rectangle is 3 x 4 (area 12), not the one on the hypotenuse (5 x 2.4).
  std::vector<Point2> pts{{0, 0}, {4, 0}, {0, 3}};
  EXPECT_NEAR(min_area_rect(pts).area(), 12.0, 1e-12);
}

TEST(Geometry, AlphaShapeAreaOfLShapedGridIsThePolygonArea) {
  // L-shaped floor: [0,6]x[0,4] plus [0,3]x[4,7] sampled every 0.1 m: polygon area 24 + 9 = 33 m^2; the alpha
  // shape also bridges the concave corner at (3, 4) with the Delaunay triangles of circumradius < 0.2 between the
  // two inner edges (0.02 m^2 here); the convex hull would be 33 + 4.5 = 37.5.
  std::vector<Point2> pts;
  for (int i = 0; i <= 60; ++i)
    for (int j = 0; j <= 70; ++j) {
      const double x = i * 0.1, y = j * 0.1;
      if (y <= 4.0 + 1e-9 || x <= 3.0 + 1e-9) pts.push_back({x, y});
    }
  const double area = alpha_shape_area_cgal(pts, 0.04);
  EXPECT_NEAR(alpha_shape_area(pts, 0.04), area, 1e-9);
  EXPECT_GE(area, 33.0 - 1e-9);
  EXPECT_LE(area, 33.03);
  EXPECT_NEAR(alpha_shape_area(pts, 1e6), 37.5, 1e-6);
}

TEST(Geometry, AlphaShapeSeparatesClustersFartherApartThanTheRadius) {
  // Two 1 x 1 squares 1 m apart: 2 m^2 with radius 0.2; the gap is bridged only with a large radius.
  std::vector<Point2> pts;
  for (int i = 0; i <= 10; ++i)
    for (int j = 0; j <= 10; ++j) {
      pts.push_back({i * 0.1, j * 0.1});
      pts.push_back({2 + i * 0.1, j * 0.1});
    }
  EXPECT_NEAR(alpha_shape_area(pts, 0.04), 2.0, 1e-9);
  EXPECT_NEAR(alpha_shape_area(pts, 100.0), 3.0, 1e-9);
}

TEST(Geometry, FastAlphaShapeAreaEqualsCgalAlphaShape2) {
  std::mt19937 gen(3);
  std::uniform_real_distribution<double> u(0, 3);
  for (int trial = 0; trial < 4; ++trial) {
    std::vector<Point2> pts;
    for (int i = 0; i < 3000; ++i) {
      const double x = u(gen), y = u(gen);
      if (trial % 2 == 0 || x < 1.5 || y < 1.0) pts.push_back({x, y});  // odd trials: an L-shaped cloud
    }
    for (double alpha : {0.001, 0.01, 0.04, 1.0}) EXPECT_NEAR(alpha_shape_area(pts, alpha), alpha_shape_area_cgal(pts, alpha), 1e-9);
  }
}

// The question builder's room size (alpha_shape_area) against CGAL's Alpha_shape_2 on the floor projection of whole
// synthetic ScanNet-size rooms (3 cm tessellation, rectangular and L-shaped, many cocircular grid points).
TEST(Geometry, RoomSizeAreaEqualsCgalAlphaShape2OnSyntheticRooms) {
  vsr::data::SynthOptions so;
  so.mesh_spacing = 0.03;
  so.write_video = false;
  for (int index = 0; index < 3; ++index) {
    const auto scene = vsr::data::make_synthetic_scene(7, index, so);
    std::vector<Point2> xy;
    for (const auto& v : scene.files.mesh.vertices) xy.push_back({v[0], v[1]});
    ASSERT_GT(xy.size(), 10000u);
    const double want = alpha_shape_area_cgal(xy, 0.04);
    EXPECT_GT(want, 5.0) << scene.name;
    EXPECT_NEAR(alpha_shape_area(xy, 0.04), want, 1e-9 * want) << scene.name;
  }
}

TEST(Geometry, CloudDistanceMatchesBruteForce) {
  std::mt19937 gen(7);
  std::uniform_real_distribution<float> u(0, 1);
  for (int trial = 0; trial < 5; ++trial) {
    std::vector<Point3f> a(500), b(3000);
    for (auto& p : a) p = {u(gen), u(gen), u(gen)};
    for (auto& p : b) p = {u(gen) + 1.2f + trial * 0.1f, u(gen), u(gen) * 2};
    double brute = 1e9;
    for (const auto& p : a)
      for (const auto& q : b) {
        const double dx = p[0] - q[0], dy = p[1] - q[1], dz = p[2] - q[2];
        brute = std::min(brute, std::sqrt(dx * dx + dy * dy + dz * dz));
      }
    EXPECT_NEAR(cloud_distance(a, KdTree(b)), brute, 1e-9);
  }
  EXPECT_TRUE(std::isinf(cloud_distance({}, KdTree(std::vector<Point3f>{{0, 0, 0}}))));
}
