// Relation tasks: object_rel_distance (closest points) and object_rel_direction easy/medium/hard.
#include "qa_internal.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <set>

namespace vsr::data::qa {

void rel_distance(Context& c, std::vector<Sample>& out) {
  const auto& cats = c.index.categories();
  const auto& singles = c.index.singles();
  if (singles.empty() || cats.size() < 3) return;
  const std::size_t n_choices = std::min<std::size_t>(4, cats.size() - 1);
  std::vector<std::string> all;
  for (const auto& [cat, objs] : cats) all.push_back(cat);
  std::set<std::vector<std::string>> seen;
  std::size_t made = 0;
  const std::size_t attempts = 30 * std::min<std::size_t>(c.cap(), 1000);
  for (std::size_t attempt = 0; attempt < attempts && made < c.cap(); ++attempt) {
    const std::string target = singles[c.rng.below(singles.size())];
    std::vector<std::string> others;
    for (const auto& cat : all)
      if (cat != target) others.push_back(cat);
    c.rng.shuffle(others);
    others.resize(n_choices);
    std::vector<std::string> key = others;
    std::sort(key.begin(), key.end());
    key.push_back(target);
    if (!seen.insert(key).second) continue;
    const int t = cats.at(target).front();
    std::vector<std::pair<double, std::string>> dist;
    for (const auto& o : others) dist.emplace_back(c.index.category_distance(t, o), o);
    std::sort(dist.begin(), dist.end());
    if (dist[1].first - dist[0].first < c.options.rel_distance_margin) continue;
    std::string list = others[0];
    for (std::size_t i = 1; i < others.size(); ++i) list += ", " + others[i];
    std::vector<std::string> categories = others;
    categories.push_back(target);
    Sample s = c.make("object_rel_distance",
                      fmt::format("Measuring from the closest point of each object, which of these objects ({}) is "
                                  "the closest to the {}?\nIf there are multiple instances of an object category, "
                                  "measure to the closest.",
                                  list, target),
                      categories, dist[0].second, others);
    s.meta["distances"] = nlohmann::json::object();
    for (const auto& [d, o] : dist) s.meta["distances"][o] = std::round(d * 1000) / 1000;
    out.push_back(std::move(s));
    ++made;
  }
}

namespace {

struct Level {
  const char* type;
  std::vector<double> boundaries;                 // degrees, counter-clockwise from the facing direction
  std::vector<std::string> choices;               // options in a fixed order (shuffled per question)
  std::string (*answer)(double);                  // angle -> answer
};

std::string easy_answer(double a) { return a < 180 ? "left" : "right"; }
std::string medium_answer(double a) { return a < 135 ? "left" : a <= 225 ? "back" : "right"; }
std::string hard_answer(double a) {
  return a < 90 ? "front-left" : a < 180 ? "back-left" : a < 270 ? "back-right" : "front-right";
}

const Level& level_of(const std::string& name) {
  static const Level kEasy{"object_rel_direction_easy", {0, 180, 360}, {"left", "right"}, &easy_answer};
  static const Level kMedium{"object_rel_direction_medium", {0, 135, 225, 360}, {"left", "right", "back"},
                             &medium_answer};
  static const Level kHard{"object_rel_direction_hard", {0, 90, 180, 270, 360},
                           {"front-left", "front-right", "back-left", "back-right"}, &hard_answer};
  return name == "easy" ? kEasy : name == "medium" ? kMedium : kHard;
}

std::string direction_question(const std::string& level, const std::string& a, const std::string& b,
                               const std::string& q) {
  const std::string head = fmt::format("If I am standing by the {} and facing the {}, ", a, b);
  if (level == "easy") return head + fmt::format("is the {} to the left or the right of the {}?", q, b);
  if (level == "medium")
    return head + fmt::format("is the {} to my left, right, or back?\nAn object is to my back if I would have to turn "
                              "at least 135 degrees in order to face it.",
                              q);
  return head + fmt::format("is the {} to my front-left, front-right, back-left, or back-right?\nThe directions refer "
                            "to the quadrants of a Cartesian plane (if I am standing at the origin and facing along "
                            "the positive y-axis).",
                            q);
}

}  // namespace

void rel_direction(Context& c, const std::string& level_name, std::vector<Sample>& out) {
  const Level& level = level_of(level_name);
  const auto& singles = c.index.singles();
  std::vector<std::array<int, 3>> triples;
  const int n = static_cast<int>(singles.size());
  for (int a = 0; a < n; ++a)
    for (int b = 0; b < n; ++b)
      for (int q = 0; q < n; ++q)
        if (a != b && b != q && a != q) triples.push_back({a, b, q});
  c.rng.shuffle(triples);
  std::size_t made = 0;
  for (const auto& tr : triples) {
    if (made >= c.cap()) break;
    const auto pa = c.index.single(singles[tr[0]]).box.centre();
    const auto pb = c.index.single(singles[tr[1]]).box.centre();
    const auto pq = c.index.single(singles[tr[2]]).box.centre();
    const double fx = pb[0] - pa[0], fy = pb[1] - pa[1], qx = pq[0] - pa[0], qy = pq[1] - pa[1];
    const double min_d = c.options.direction_min_distance;
    if (std::hypot(fx, fy) < min_d || std::hypot(qx, qy) < min_d || std::hypot(pq[0] - pb[0], pq[1] - pb[1]) < min_d)
      continue;
    const double angle = ccw_angle_deg(fx, fy, qx, qy);
    bool ambiguous = false;
    for (double b : level.boundaries) ambiguous |= std::abs(angle - b) < c.options.direction_margin_deg;
    if (ambiguous) continue;
    std::vector<std::string> choices = level.choices;
    c.rng.shuffle(choices);
    Sample s = c.make(level.type, direction_question(level_name, singles[tr[0]], singles[tr[1]], singles[tr[2]]),
                      {singles[tr[0]], singles[tr[1]], singles[tr[2]]}, level.answer(angle), choices);
    s.meta["angle_deg"] = std::round(angle * 10) / 10;
    out.push_back(std::move(s));
    ++made;
  }
}

}  // namespace vsr::data::qa
