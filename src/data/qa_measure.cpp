// Measurement tasks: object_counting, object_size_estimation, object_abs_distance, room_size_estimation.
#include "qa_internal.hpp"

#include "vsr/geometry/planar.hpp"

#include <cmath>
#include <fmt/format.h>

namespace vsr::data::qa {

void counting(Context& c, std::vector<Sample>& out) {
  std::vector<std::string> cats;
  for (const auto& [cat, objs] : c.index.categories())
    if (objs.size() >= 2) cats.push_back(cat);
  c.rng.shuffle(cats);
  for (std::size_t i = 0; i < cats.size() && i < c.cap(); ++i) {
    const auto n = c.index.categories().at(cats[i]).size();
    out.push_back(c.make("object_counting", fmt::format("How many {}(s) are in this room?", cats[i]), {cats[i]},
                         std::to_string(n)));
  }
}

void size_estimation(Context& c, std::vector<Sample>& out) {
  std::vector<std::string> cats = c.index.singles();
  c.rng.shuffle(cats);
  std::size_t made = 0;
  for (const auto& cat : cats) {
    if (made >= c.cap()) break;
    const long cm = std::lround(c.index.single(cat).box.longest_side() * 100.0);
    if (cm <= 0) continue;
    Sample s = c.make("object_size_estimation",
                      fmt::format("What is the length of the longest dimension (length, width, or height) of the {}, "
                                  "measured in centimeters?",
                                  cat),
                      {cat}, std::to_string(cm));
    out.push_back(std::move(s));
    ++made;
  }
}

void abs_distance(Context& c, std::vector<Sample>& out) {
  const auto& singles = c.index.singles();
  std::vector<std::pair<std::string, std::string>> pairs;
  for (std::size_t i = 0; i < singles.size(); ++i)
    for (std::size_t j = i + 1; j < singles.size(); ++j) pairs.emplace_back(singles[i], singles[j]);
  c.rng.shuffle(pairs);
  std::size_t made = 0;
  for (auto [a, b] : pairs) {
    if (made >= c.cap()) break;
    if (c.rng.below(2)) std::swap(a, b);  // which object is named first
    double d;
    if (c.options.abs_distance_closest_point) {
      d = c.index.object_distance(c.index.categories().at(a).front(), c.index.categories().at(b).front());
    } else {
      const auto ca = c.index.single(a).box.centre(), cb = c.index.single(b).box.centre();
      d = std::sqrt((ca[0] - cb[0]) * (ca[0] - cb[0]) + (ca[1] - cb[1]) * (ca[1] - cb[1]) +
                    (ca[2] - cb[2]) * (ca[2] - cb[2]));
    }
    const std::string answer = one_decimal(d);
    if (answer == "0.0") continue;  // relative accuracy is undefined for a zero ground truth
    Sample s = c.make("object_abs_distance",
                      fmt::format("Measuring from the closest point of each object, what is the direct distance "
                                  "between the {} and the {} (in meters)?",
                                  a, b),
                      {a, b}, answer);
    s.meta["rule"] = c.options.abs_distance_closest_point ? "closest_point" : "centre";
    out.push_back(std::move(s));
    ++made;
  }
}

void room_size(Context& c, std::vector<Sample>& out) {
  if (c.cap() == 0) return;
  std::vector<geometry::Point2> xy;
  xy.reserve(c.scene.mesh.vertices.size());
  for (const auto& v : c.scene.mesh.vertices) xy.push_back({v[0], v[1]});
  const double area = geometry::alpha_shape_area(xy, c.options.room_alpha_squared);
  const std::string answer = one_decimal(area);
  if (answer == "0.0") return;
  out.push_back(c.make("room_size_estimation",
                       "What is the size of this room (in square meters)? If multiple rooms are shown, estimate the "
                       "size of the combined space.",
                       {}, answer));
}

}  // namespace vsr::data::qa
