#pragma once
/// @file
/// The predictions file of an evaluation run (`predictions.jsonl`): one JSON line per answered record, appended and
/// flushed as batches finish so that an interrupted run resumes where it stopped.

#include <nlohmann/json.hpp>

#include <filesystem>
#include <span>
#include <string>
#include <vector>

namespace vsr::eval {

/// One answered record.
struct Prediction {
  std::string id;            ///< the record id (as text)
  std::string question_type; ///< VSI-Bench question type (the category for the multiple-choice benchmark)
  std::string ground_truth;  ///< the record's answer
  std::string prediction;    ///< the answer extracted from `output`, or `output` itself when extraction found none
  std::string output;        ///< the raw decoded model output
  bool format_ok = true;     ///< whether `output` has the prompt mode's format (always true for untagged modes)
  bool readable = true;      ///< whether the benchmark's scorer can read `prediction` (eval::benchmark_readable)

  /// `{"id", "question_type", "ground_truth", "prediction", "output", "format_ok", "readable"}` in that order.
  nlohmann::ordered_json to_json() const;
  /// Reads the six fields (`id` may be a number) and `readable` (optional: files written before it count as
  /// readable); vsr::Error naming `file` and `where` on a missing or mistyped one.
  static Prediction from_json(const nlohmann::json& j, const std::string& file, const std::string& where);
};

/// Reads an existing predictions file for resuming: the lines that parse, in order. A last line that is not
/// newline-terminated or not valid JSON (a run killed mid-write) is dropped and the file is rewritten without it
/// (atomically). A bad line elsewhere is a vsr::Error naming the line. A missing file gives no predictions.
std::vector<Prediction> load_predictions_for_resume(const std::filesystem::path& path);

/// Appends predictions as JSON lines and flushes them to the file before returning (creating it if needed).
void append_predictions(const std::filesystem::path& path, std::span<const Prediction> predictions);

}  // namespace vsr::eval
