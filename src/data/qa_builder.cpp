// The question builder's driver: options, category index with cached closest-point distances, per-scene
// generation in a fixed task order, and caps.
#include "qa_internal.hpp"

#include "vsr/core/error.hpp"
#include "vsr/data/task_mix.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fmt/format.h>
#include <limits>
#include <set>
#include <sstream>

namespace vsr::data {

void QaOptions::describe(OptionSet& set) {
  set.add("seed", seed, "random seed of the question builder");
  set.add("with_options", with_options, "add VSI-Bench-style lettered options to choice questions");
  set.add("max_per_task_per_scene", max_per_task_per_scene, "cap of questions of one type per scene (0 = none)");
  set.add("max_per_task", max_per_task, "cap of questions of one type over the whole build, even over scenes (0 = none)");
  set.add("mix", mix, "per-type targets: type=count,... or type=share,... (shares with a decimal point)");
  set.add("preset", preset, "a named mix: vsi100k (the paper's VSI-100k proportions; excludes data.mix)");
  set.add("total", total, "with shares: questions wanted in all (0 = as many as every type's pool allows)");
  set.add("tasks", tasks, "comma-separated question types, or all");
  set.add("structural_labels", structural_labels, "labels that are never question objects (comma-separated)");
  set.add("abs_distance_closest_point", abs_distance_closest_point,
          "object_abs_distance between closest points (VSI-Bench) instead of centres");
  set.add("room_alpha_squared", room_alpha_squared, "room size: squared alpha-shape radius");
  set.add("rel_distance_margin", rel_distance_margin, "rel distance: minimum gap between the two nearest (m)");
  set.add("direction_margin_deg", direction_margin_deg, "rel direction/route: minimum angle to a boundary (deg)");
  set.add("direction_min_distance", direction_min_distance, "rel direction: minimum centre distance (m)");
  set.add("dataset", dataset, "dataset name written in the records");
  set.add("video_root", video_root, "videos are {video_root}/{dataset}/{scene_name}.mp4");
}

std::string normalise_label(const std::string& label) {
  std::string out;
  bool space = false;
  for (unsigned char ch : label) {
    if (std::isspace(ch)) {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += static_cast<char>(std::tolower(ch));
  }
  return out;
}

std::vector<std::string> letter_options(const std::vector<std::string>& choices) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < choices.size(); ++i) out.push_back(std::string(1, char('A' + i)) + ". " + choices[i]);
  return out;
}

void apply_total_caps(std::vector<Sample>& samples, const QaOptions& options) {
  if (options.max_per_task > 0) samples = cap_per_type(samples, options.max_per_task, options.seed);
}

namespace qa {

std::uint64_t hash_name(const std::string& s) {
  std::uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ULL;
  return h;
}

std::string one_decimal(double v) {
  std::string s = fmt::format("{:.1f}", std::round(v * 10) / 10);
  return s == "-0.0" ? "0.0" : s;
}

double ccw_angle_deg(double fx, double fy, double qx, double qy) {
  double a = std::atan2(fx * qy - fy * qx, fx * qx + fy * qy) * 180.0 / M_PI;
  if (a < 0) a += 360.0;
  if (a >= 360.0) a -= 360.0;
  return a;
}

SceneIndex::SceneIndex(const Scene& scene, const QaOptions& options, const Visibility* visibility) : scene_(scene) {
  std::set<std::string> structural;
  std::istringstream is(options.structural_labels);
  for (std::string item; std::getline(is, item, ',');) structural.insert(normalise_label(item));
  std::set<std::string> hidden;
  for (std::size_t i = 0; i < scene.objects.size(); ++i) {
    const std::string cat = normalise_label(scene.objects[i].label);
    if (cat.empty() || structural.count(cat) || scene.objects[i].points.empty()) continue;
    categories_[cat].push_back(static_cast<int>(i));
    if (visibility && (i >= visibility->first_frame.size() || visibility->first_frame[i] < 0)) hidden.insert(cat);
  }
  for (const auto& cat : hidden) categories_.erase(cat);
  for (const auto& [cat, objs] : categories_)
    if (objs.size() == 1) singles_.push_back(cat);
  trees_.resize(scene.objects.size());
  aabb_.resize(scene.objects.size());
  for (std::size_t i = 0; i < scene.objects.size(); ++i) {
    const auto& pts = scene.objects[i].points;
    if (pts.empty()) continue;
    std::array<geometry::Point3f, 2> box{pts[0], pts[0]};
    for (const auto& p : pts)
      for (int d = 0; d < 3; ++d) {
        box[0][d] = std::min(box[0][d], p[d]);
        box[1][d] = std::max(box[1][d], p[d]);
      }
    aabb_[i] = box;
  }
}

const SceneObject& SceneIndex::single(const std::string& category) const {
  return scene_.objects[categories_.at(category).front()];
}

const geometry::KdTree& SceneIndex::tree(int i) {
  if (!trees_[i]) trees_[i] = std::make_unique<geometry::KdTree>(scene_.objects[i].points);
  return *trees_[i];
}

double SceneIndex::object_distance(int i, int j) {
  if (i > j) std::swap(i, j);
  const std::uint64_t key = (std::uint64_t(i) << 32) | std::uint32_t(j);
  if (auto it = cache_.find(key); it != cache_.end()) return it->second;
  // Query the smaller cloud against the tree of the larger one.
  const auto& pi = scene_.objects[i].points;
  const auto& pj = scene_.objects[j].points;
  const double d = pi.size() <= pj.size() ? geometry::cloud_distance(pi, tree(j)) : geometry::cloud_distance(pj, tree(i));
  cache_.emplace(key, d);
  return d;
}

double SceneIndex::category_distance(int i, const std::string& category) {
  // Visit instances in order of their box distance, stop when the box bound exceeds the best found.
  std::vector<std::pair<double, int>> order;
  for (int j : categories_.at(category)) order.emplace_back(std::sqrt(geometry::box_distance_sq(aabb_[i], aabb_[j])), j);
  std::sort(order.begin(), order.end());
  double best = std::numeric_limits<double>::infinity();
  for (const auto& [bound, j] : order) {
    if (bound >= best) break;
    best = std::min(best, object_distance(i, j));
  }
  return best;
}

std::size_t Context::cap() const {
  return options.max_per_task_per_scene > 0 ? static_cast<std::size_t>(options.max_per_task_per_scene)
                                             : std::numeric_limits<std::size_t>::max();
}

Sample Context::make(const std::string& type, std::string question, std::vector<std::string> categories,
                     const std::string& answer, std::vector<std::string> choices) const {
  Sample s;
  s.dataset = options.dataset;
  s.scene_name = scene.name;
  s.question_type = type;
  s.question = std::move(question);
  s.ground_truth = answer;
  s.video = std::filesystem::path(options.video_root) / options.dataset / (scene.name + ".mp4");
  s.meta["categories"] = categories;
  if (options.with_options && !choices.empty()) {
    s.options = letter_options(choices);
    const auto it = std::find(choices.begin(), choices.end(), answer);
    s.ground_truth = std::string(1, char('A' + (it - choices.begin())));
    s.meta["answer"] = answer;
  }
  return s;
}

}  // namespace qa

std::vector<Sample> generate_scene_questions(const Scene& scene, const QaOptions& options,
                                             const Visibility* visibility) {
  std::set<std::string> wanted;
  if (options.tasks != "all") {
    std::istringstream is(options.tasks);
    for (std::string t; std::getline(is, t, ',');) {
      t = normalise_label(t);
      const bool known = std::any_of(std::begin(kQuestionTypes), std::end(kQuestionTypes),
                                     [&](const char* k) { return t == k; });
      require(known, "<options>", "data.tasks", "unknown question type " + quote(t));
      wanted.insert(t);
    }
  }
  auto on = [&](const char* t) { return options.tasks == "all" || wanted.count(t) > 0; };
  qa::SceneIndex index(scene, options, visibility);
  std::vector<Sample> out;
  // Each task draws from its own generator so that turning one task off leaves the others' questions unchanged.
  auto run = [&](const char* type, auto&& fn) {
    if (!on(type)) return;
    qa::Rng task_rng(options.seed ^ qa::hash_name(scene.name + "/" + type));
    qa::Context tc{scene, options, visibility, index, task_rng};
    const std::size_t before = out.size();
    fn(tc);
    for (std::size_t i = before; i < out.size(); ++i)
      out[i].id = scene.name + "-" + type + "-" + std::to_string(i - before);
  };
  run("object_counting", [&](qa::Context& t) { qa::counting(t, out); });
  run("object_size_estimation", [&](qa::Context& t) { qa::size_estimation(t, out); });
  run("object_abs_distance", [&](qa::Context& t) { qa::abs_distance(t, out); });
  run("room_size_estimation", [&](qa::Context& t) { qa::room_size(t, out); });
  run("object_rel_distance", [&](qa::Context& t) { qa::rel_distance(t, out); });
  run("object_rel_direction_easy", [&](qa::Context& t) { qa::rel_direction(t, "easy", out); });
  run("object_rel_direction_medium", [&](qa::Context& t) { qa::rel_direction(t, "medium", out); });
  run("object_rel_direction_hard", [&](qa::Context& t) { qa::rel_direction(t, "hard", out); });
  if (visibility) {
    run("obj_appearance_order", [&](qa::Context& t) { qa::appearance_order(t, out); });
    run("route_planning", [&](qa::Context& t) { qa::route_planning(t, out); });
  }
  return out;
}

}  // namespace vsr::data
