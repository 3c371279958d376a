#pragma once
/// @file
/// The unit of data that flows from the QA builder or a VSI-Bench file to prompts, rewards and evaluation.

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace vsr::data {

/// One question about one video: a VSI-100k training question or a VSI-Bench record (same field names as
/// VSI-Bench: `id, dataset, scene_name, question_type, question, options, ground_truth`).
struct Sample {
  std::string id;                    ///< unique within its file
  std::string dataset;               ///< "scannet", "arkitscenes", "synthetic", ...
  std::string scene_name;            ///< e.g. "scene0000_00"
  std::string question_type;         ///< VSI-Bench type name, e.g. "object_counting", "object_rel_direction_hard"
  std::string question;              ///< the question text, without options or post-prompt
  std::vector<std::string> options;  ///< lettered options "A. chair" (evaluation); empty in VSI-100k training data
  std::string ground_truth;          ///< a number ("3", "1.5"), an entity ("chair") or an option letter ("B")
  std::filesystem::path video;       ///< the walkthrough video
};

/// How a question is answered and scored: a number (VSI-Bench's NA tasks, scored by relative accuracy) or a choice
/// among entities / options (MCA tasks, scored by exact match).
enum class AnswerKind { Numeric, Choice };

/// The answer kind of a VSI-Bench question type: object_counting, object_abs_distance, object_size_estimation and
/// room_size_estimation are numeric; every other type is a choice.
inline AnswerKind answer_kind(std::string_view question_type) {
  for (std::string_view numeric :
       {"object_counting", "object_abs_distance", "object_size_estimation", "room_size_estimation"})
    if (question_type == numeric) return AnswerKind::Numeric;
  return AnswerKind::Choice;
}

}  // namespace vsr::data
