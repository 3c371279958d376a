#pragma once
/// @file
/// The general video multiple-choice benchmark (VideoMME / VideoMMMU style; vsGRPO, arXiv 2504.00883, Table 3):
/// records with lettered options and a letter answer, the lmms-eval style prompt, letter extraction and accuracy
/// overall, per category and per duration. See docs/evaluation.md.

#include "vsr/eval/predictions.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace vsr::eval {

/// The instruction after the options (lmms-eval's VideoMME post-prompt).
inline constexpr std::string_view kMcPostPrompt = "Answer with the option's letter from the given choices directly.";

/// One multiple-choice question about a video.
struct McRecord {
  std::string id;                    ///< record id (a JSON number is kept as its text)
  std::filesystem::path video;       ///< the video (a relative `video` field is taken relative to the video root)
  std::string question;              ///< the question text
  std::vector<std::string> options;  ///< lettered options "A. ...", "B. ...", at most 26
  std::string answer;                ///< the correct letter ("C")
  std::string category;              ///< optional grouping (task type, discipline); empty when absent
  std::string duration;              ///< optional length class ("short", "medium", "long"); empty when absent
};

/// Reads JSON lines (or a JSON array) of records `{id, video, question, options, answer[, category][, duration]}`.
/// `answer` must be one letter among the options'. vsr::Error naming the file, line and field on bad input, and on
/// a repeated id.
std::vector<McRecord> load_mc_records(const std::filesystem::path& path, const std::filesystem::path& video_root = {});

/// The prompt text: question + "\n" + options one per line + "\n" + kMcPostPrompt.
std::string mc_prompt_text(const McRecord& record);

/// The chosen letter of an output: the first "standalone" capital letter among the first `option_count` letters
/// (A, B, ...), standalone meaning not preceded or followed by an ASCII letter or digit ("B", "(C)", "B. chair",
/// "The answer is D." -> B, C, B, D; "Because" -> none). nullopt when there is none.
std::optional<char> extract_choice_letter(std::string_view output, std::size_t option_count);

/// The prediction of one record from the raw output (prediction = the extracted letter, or the trimmed output when
/// none; format_ok = a letter was found).
Prediction mc_prediction(const McRecord& record, const std::string& output);

/// Accuracy x100 of predictions (matched to records by id; records without a prediction are an error):
/// `{"overall", "records", "correct", "category": {name: acc}, "duration": {name: acc}}` (empty groups omitted,
/// names sorted).
nlohmann::ordered_json mc_aggregate(std::span<const McRecord> records, std::span<const Prediction> predictions);

/// The aggregate as a table: one row "overall", then "category: X" and "duration: Y" rows, with record counts.
std::string mc_table(const nlohmann::json& aggregate, bool markdown);

}  // namespace vsr::eval
