// Evaluation-only tasks that need the camera path: obj_appearance_order and route_planning.
#include "qa_internal.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <set>

namespace vsr::data::qa {
namespace {

std::string join(const std::vector<std::string>& v, const char* sep) {
  std::string s;
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? sep : "") + v[i];
  return s;
}

/// Distinct wrong answers built by `make_wrong`, then the right one, shuffled: up to four choices.
template <class F>
std::vector<std::string> with_distractors(Rng& rng, const std::string& right, F make_wrong, std::size_t want = 4) {
  std::vector<std::string> choices{right};
  for (int tries = 0; tries < 200 && choices.size() < want; ++tries) {
    std::string w = make_wrong();
    if (std::find(choices.begin(), choices.end(), w) == choices.end()) choices.push_back(std::move(w));
  }
  rng.shuffle(choices);
  return choices;
}

/// True when the segment p-q crosses the rectangle `r` (separating axes: the rectangle's two axes and the
/// segment's normal).
bool segment_hits_rect(const geometry::Point2& p, const geometry::Point2& q, const geometry::Rect& r) {
  const geometry::Point2 u = r.axis, v{-r.axis.y, r.axis.x};
  auto proj = [](const geometry::Point2& a, const geometry::Point2& d) { return a.x * d.x + a.y * d.y; };
  const auto corners = r.corners();
  auto separated = [&](const geometry::Point2& axis) {
    double s0 = proj(p, axis), s1 = proj(q, axis);
    if (s0 > s1) std::swap(s0, s1);
    double r0 = 1e300, r1 = -1e300;
    for (const auto& c : corners) {
      r0 = std::min(r0, proj(c, axis));
      r1 = std::max(r1, proj(c, axis));
    }
    return s1 < r0 || r1 < s0;
  };
  const geometry::Point2 n{-(q.y - p.y), q.x - p.x};
  return !(separated(u) || separated(v) || separated(n));
}

}  // namespace

void appearance_order(Context& c, std::vector<Sample>& out) {
  // First sampled frame of a category = the earliest among its instances (all of them are visible, see SceneIndex).
  std::vector<std::pair<int, std::string>> firsts;
  for (const auto& [cat, objs] : c.index.categories()) {
    int first = -1;
    for (int o : objs) {
      const int f = c.visibility->first_frame[o];
      if (f >= 0 && (first < 0 || f < first)) first = f;
    }
    if (first >= 0) firsts.emplace_back(first, cat);
  }
  if (firsts.size() < 4) return;
  std::set<std::vector<std::string>> seen;
  std::size_t made = 0;
  for (std::size_t attempt = 0; attempt < 50 * std::min<std::size_t>(c.cap(), 100) && made < c.cap(); ++attempt) {
    std::vector<std::pair<int, std::string>> pick = firsts;
    c.rng.shuffle(pick);
    pick.resize(4);
    std::vector<std::string> named;  // in the order the question lists them
    for (const auto& p : pick) named.push_back(p.second);
    std::sort(pick.begin(), pick.end());
    bool distinct = true;
    for (int i = 0; i + 1 < 4; ++i) distinct &= pick[i].first < pick[i + 1].first;
    if (!distinct) continue;
    std::vector<std::string> order;
    for (const auto& p : pick) order.push_back(p.second);
    if (!seen.insert(order).second) continue;
    const std::string right = join(order, ", ");
    const auto choices = with_distractors(c.rng, right, [&] {
      auto w = order;
      c.rng.shuffle(w);
      return join(w, ", ");
    });
    Sample s = c.make("obj_appearance_order",
                      fmt::format("What will be the first-time appearance order of the following categories in the "
                                  "video: {}?",
                                  join(named, ", ")),
                      named, right, choices);
    s.meta["first_frames"] = nlohmann::json::object();
    for (const auto& p : pick) s.meta["first_frames"][p.second] = p.first;
    out.push_back(std::move(s));
    ++made;
  }
}

void route_planning(Context& c, std::vector<Sample>& out) {
  const auto& singles = c.index.singles();
  if (singles.size() < 4) return;
  const double m = c.options.direction_margin_deg;
  // Footprints of every question object (all instances), for the "go forward" legs.
  std::vector<std::pair<int, geometry::Rect>> obstacles;
  for (const auto& [cat, objs] : c.index.categories())
    for (int o : objs) obstacles.emplace_back(o, c.scene.objects[o].box.rect);
  std::set<std::vector<std::string>> seen;
  std::size_t made = 0;
  for (std::size_t attempt = 0; attempt < 50 * std::min<std::size_t>(c.cap(), 100) && made < c.cap(); ++attempt) {
    const std::size_t n_way = 1 + c.rng.below(2);  // one or two intermediate stops
    if (singles.size() < 3 + n_way) continue;
    std::vector<std::string> pick = singles;
    c.rng.shuffle(pick);
    pick.resize(3 + n_way);  // start, facing, stops..., destination
    if (!seen.insert(pick).second) continue;
    std::vector<int> ids;
    std::vector<geometry::Point2> at;
    for (const auto& cat : pick) {
      ids.push_back(c.index.categories().at(cat).front());
      const auto ctr = c.scene.objects[ids.back()].box.centre();
      at.push_back({ctr[0], ctr[1]});
    }
    // Path: start -> stops -> destination; heading starts towards the facing object.
    std::vector<int> path{0};
    for (std::size_t i = 2; i < pick.size(); ++i) path.push_back(static_cast<int>(i));
    double hx = at[1].x - at[0].x, hy = at[1].y - at[0].y;
    bool ok = std::hypot(hx, hy) >= 0.3;
    std::vector<std::string> turns;
    for (std::size_t leg = 0; ok && leg + 1 < path.size(); ++leg) {
      const auto& p = at[path[leg]];
      const auto& q = at[path[leg + 1]];
      const double lx = q.x - p.x, ly = q.y - p.y;
      if (std::hypot(lx, ly) < 0.5) ok = false;
      double a = ccw_angle_deg(hx, hy, lx, ly);
      if (a > 180) a -= 360;  // signed, counter-clockwise positive
      // Classes: left (45, 135), right (-135, -45), back beyond 135 either way; no class for going straight on.
      if (a >= 45 + m && a <= 135 - m) turns.push_back("turn left");
      else if (a <= -45 - m && a >= -135 + m) turns.push_back("turn right");
      else if (std::abs(a) >= 135 + m) turns.push_back("turn back");
      else ok = false;
      // The straight leg must not cross another object's footprint.
      for (const auto& [o, rect] : obstacles)
        if (o != ids[path[leg]] && o != ids[path[leg + 1]] && segment_hits_rect(p, q, rect)) ok = false;
      hx = lx;
      hy = ly;
    }
    if (!ok) continue;
    std::string actions;
    int step = 1;
    for (std::size_t leg = 0; leg < turns.size(); ++leg) {
      actions += fmt::format("{}. [please fill in] ", step++);
      actions += fmt::format("{}. Go forward until the {}. ", step++, pick[path[leg + 1]]);
    }
    actions += "You have reached the final destination.";
    const std::string right = join(turns, ", ");
    const auto choices = with_distractors(c.rng, right, [&] {
      static const char* kTurns[] = {"turn left", "turn right", "turn back"};
      std::vector<std::string> w;
      for (std::size_t i = 0; i < turns.size(); ++i) w.push_back(kTurns[c.rng.below(3)]);
      return join(w, ", ");
    });
    Sample s = c.make("route_planning",
                      fmt::format("You are a robot beginning at the {} facing the {}. You want to navigate to the {}. "
                                  "You will perform the following actions (Note: for each [please fill in], choose "
                                  "either 'turn back,' 'turn left,' or 'turn right.'): {}",
                                  pick[0], pick[1], pick.back(), actions),
                      pick, right, choices);
    out.push_back(std::move(s));
    ++made;
  }
}

}  // namespace vsr::data::qa
