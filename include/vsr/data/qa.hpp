#pragma once
/// @file
/// VSI-100k-style question generation from an annotated scene (vsGRPO, arXiv 2504.00883, section 4.1, which follows
/// VSI-Bench, arXiv 2412.14171): the question types and wordings of VSI-Bench, answers computed from the scene's
/// geometry. The exact rule of every task is in docs/data.md.

#include "vsr/core/config.hpp"
#include "vsr/data/sample.hpp"
#include "vsr/data/scannet.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace vsr::data {

/// The question types the builder knows, in output order. The last two need a camera path (evaluation only).
inline constexpr const char* kQuestionTypes[] = {
    "object_counting",          "object_size_estimation",     "object_abs_distance",
    "room_size_estimation",     "object_rel_distance",        "object_rel_direction_easy",
    "object_rel_direction_medium", "object_rel_direction_hard", "obj_appearance_order",
    "route_planning"};

/// Options of the question builder (`[data]` section).
struct QaOptions {
  static constexpr std::string_view kSection = "data";  ///< INI section / command-line prefix
  std::uint64_t seed = 0;               ///< seed; a scene's questions depend only on (seed, scene name, options)
  bool with_options = false;            ///< add lettered options ("A. chair") to choice tasks; ground truth = letter
  int max_per_task_per_scene = 4;       ///< cap of questions of one type from one scene (0 = no cap)
  int max_per_task = 0;                 ///< cap of questions of one type over a whole build, drawn evenly over scenes
  std::string mix;                      ///< per-type targets "type=count,..." or shares "type=0.5,..." (task_mix.hpp)
  std::string preset;                   ///< a named mix: "vsi100k" (the paper's VSI-100k proportions and total)
  std::int64_t total = 0;               ///< shares: questions wanted in all (0 = as many as the pools allow)
  std::string tasks = "all";            ///< comma-separated question types to build, or "all"
  std::string structural_labels =       ///< labels that are never question objects (comma-separated, lower case)
      "wall,floor,ceiling,door frame,doorframe,window frame,column,pillar,beam,stairs,railing,otherstructure,"
      "otherfurniture,otherprop,object,objects,unknown,remove";
  bool abs_distance_closest_point = false;  ///< object_abs_distance by closest points (VSI-Bench) instead of centres
  double room_alpha_squared = 0.04;     ///< room size: squared alpha radius (alphashape(points, 5) = 0.2^2)
  double rel_distance_margin = 0.15;    ///< object_rel_distance: skip when the two nearest differ by less (m)
  double direction_margin_deg = 15;     ///< rel-direction/route: skip answers this close to a boundary (degrees)
  double direction_min_distance = 0.3;  ///< rel-direction: objects closer than this (centres, m) make no question
  std::string dataset = "scannet";      ///< the `dataset` field of the records
  std::string video_root = "videos";    ///< videos are `{video_root}/{dataset}/{scene_name}.mp4`

  /// Declares the keys above.
  void describe(OptionSet& set);
};

/// When each object first becomes visible in the scene's video (evaluation-only tasks need it): for every entry of
/// Scene::objects the index of the first sampled frame showing it, or -1.
struct Visibility {
  std::vector<int> first_frame;  ///< per object, first sampled frame where it is visible, -1 if never
  int frames = 0;                ///< number of sampled frames
};

/// The normalised category of a label (lower case, trimmed, inner white space collapsed).
std::string normalise_label(const std::string& label);

/// All questions of one scene, in kQuestionTypes order; ids are "{scene}-{type}-{n}". Caps per scene apply; the
/// evaluation-only types are produced only when `visibility` is given. When `visibility` is given, categories with
/// an instance never visible are not used.
std::vector<Sample> generate_scene_questions(const Scene& scene, const QaOptions& options,
                                             const Visibility* visibility = nullptr);

/// Applies QaOptions::max_per_task to a whole build: each type keeps that many questions drawn evenly over its scenes
/// (data/task_mix.hpp, seeded by QaOptions::seed), in build order; renumbers nothing.
void apply_total_caps(std::vector<Sample>& samples, const QaOptions& options);

/// The lettered options "A. x", "B. y", ... of `choices`.
std::vector<std::string> letter_options(const std::vector<std::string>& choices);

}  // namespace vsr::data
