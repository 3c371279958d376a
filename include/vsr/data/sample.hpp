#pragma once
/// @file
/// The unit of data that flows from the QA builder or a VSI-Bench file to prompts, rewards and evaluation.

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace vsr::data {

/// One question: a VSI-100k training question or a VSI-Bench record about one video (same field names as VSI-Bench:
/// `id, dataset, scene_name, question_type, question, options, ground_truth`), or a record of the generic QA format
/// (docs/data.md) about a video, images or nothing but its text, with its own task name and answer type.
struct Sample {
  std::string id;                    ///< unique within its file
  std::string dataset;               ///< "scannet", "arkitscenes", "synthetic", ...
  std::string scene_name;            ///< e.g. "scene0000_00"
  std::string question_type;         ///< VSI-Bench type name, e.g. "object_counting", "object_rel_direction_hard"
  std::string question;              ///< the question text, without options or post-prompt
  std::vector<std::string> options;  ///< lettered options "A. chair" (evaluation); empty in VSI-100k training data
  std::string ground_truth;          ///< a number ("3", "1.5"), an entity ("chair") or an option letter ("B")
  std::filesystem::path video;       ///< the walkthrough video; empty for image and text-only records
  std::vector<std::filesystem::path> images;  ///< pictures shown before the text (generic format); usually empty
  std::string answer_type;           ///< generic format: "number", "choice" or "text"; empty: question_type decides
  nlohmann::json meta = nlohmann::json::object();  ///< builder extras: "categories" (object categories in question
                                                   ///< order) and task-specific values; empty for VSI-Bench records
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

/// The answer kinds of the generic QA format's `answer_type`.
inline constexpr std::string_view kAnswerTypes[] = {"number", "choice", "text"};

/// The answer kind of a record: "number" -> Numeric, "choice" and "text" -> Choice (exact match; "text" has no
/// options), and for a record without an answer_type that of its VSI-Bench question_type.
inline AnswerKind answer_kind(const Sample& s) {
  if (s.answer_type.empty()) return answer_kind(s.question_type);
  return s.answer_type == "number" ? AnswerKind::Numeric : AnswerKind::Choice;
}

/// Whether the record shows the model nothing but text (no video, no images): AlphaMaze-style text tasks.
inline bool is_text_only(const Sample& s) { return s.video.empty() && s.images.empty(); }

}  // namespace vsr::data
