#pragma once
/// @file
/// VSI-Bench scoring ("Thinking in Space", Yang et al. 2024), bit-exact to the official scorer
/// vision-x-nyu/thinking-in-space lmms_eval/tasks/vsibench/utils.py (commit 51e089c): the answer matching
/// (fuzzy_matching, exact_match, to_float), Mean Relative Accuracy, per-record scores, the aggregate
/// (vsibench_aggregate_results) and the prompts (vsibench_doc_to_text). Where the official code crashes, vsr throws
/// a vsr::Error by default (see ZeroTruth and docs/scoring.md).

#include "vsr/eval/python_str.hpp"

#include <nlohmann/json.hpp>

#include <array>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace vsr::eval {

/// Multiple-choice (MCA) question types, scored by exact match of the option letter (official MCA_QUESTION_TYPES).
inline constexpr std::array<std::string_view, 6> kMcaQuestionTypes = {
    "object_rel_direction_easy", "object_rel_direction_medium", "object_rel_direction_hard",
    "object_rel_distance",       "route_planning",              "obj_appearance_order"};

/// Numerical-answer (NA) question types, scored by Mean Relative Accuracy (official NA_QUESTION_TYPES).
inline constexpr std::array<std::string_view, 4> kNaQuestionTypes = {
    "object_abs_distance", "object_counting", "object_size_estimation", "room_size_estimation"};

/// The metric name of MCA types.
inline constexpr std::string_view kAccuracyMetric = "accuracy";
/// The metric name of NA types (MRA with confidence thresholds .5:.95:.05).
inline constexpr std::string_view kMraMetric = "MRA:.5:.95:.05";

/// The 10 MRA thresholds `1 - np.linspace(.5, .95, 10)[i]` as numpy computes them (NOT 0.05 * k: index 8 is
/// 0.10000000000000009 because linspace gives 0.8999999999999999 there).
inline constexpr std::array<double, 10> kMraThresholds = {
    0x1.0000000000000p-1, 0x1.cccccccccccccp-2, 0x1.999999999999ap-2, 0x1.6666666666666p-2, 0x1.3333333333334p-2,
    0x1.0000000000000p-2, 0x1.9999999999998p-3, 0x1.3333333333334p-3, 0x1.99999999999a0p-4, 0x1.99999999999a0p-5};

/// True for the 6 MCA question types.
bool is_mca_type(std::string_view question_type) noexcept;
/// True for the 4 NA question types.
bool is_na_type(std::string_view question_type) noexcept;

/// Official `fuzzy_matching(pred)`: `pred.split(' ')[0].rstrip('.').strip()` (split on the ASCII space only, trailing
/// dots removed before Unicode whitespace is stripped), on UTF-8.
std::string fuzzy_match(std::string_view prediction);

/// Official `exact_match(pred, target)`: 1.0 when `pred.lower() == target.lower()` (Python Unicode lower), else 0.0.
double exact_match(std::string_view pred, std::string_view target);

/// Official `mean_relative_accuracy(pred, gt, .5, .95, .05)`: the fraction of the 10 kMraThresholds t with
/// `abs(pred - gt) / gt <= t`, i.e. k/10. NaN or infinite ratios score 0. `gt` must not be zero (the official code
/// raises ZeroDivisionError): this function throws std::domain_error then; score_record handles it per ZeroTruth.
double mean_relative_accuracy(double pred, double gt);

/// Official `to_float(fuzzy_matching(pred))`: the number VSI-Bench reads from a numerical-answer prediction, i.e.
/// python_float of fuzzy_match (the first space-separated word, trailing dots removed, stripped); nullopt when that
/// word is not a Python float ("2labelslabels", "about 3 m" and "<answer>3</answer>" give nullopt, "3." gives 3).
std::optional<double> na_prediction_value(std::string_view prediction);

/// Official MCA score of a prediction: `exact_match(fuzzy_matching(pred), ground_truth)` ("B. sofa" for "B" scores
/// 1, "sofa" 0).
double mca_score(std::string_view prediction, std::string_view ground_truth);

/// Official NA score of a prediction: `mean_relative_accuracy(to_float(fuzzy_matching(pred)), to_float(gt))`, 0.0
/// when either is not a float (official: TypeError -> WORST_CASE_FOR_METRICS). nullopt where the official code raises
/// ZeroDivisionError (a ground truth of +-0 with a float prediction); score_record resolves that per ZeroTruth.
std::optional<double> na_score(std::string_view prediction, std::string_view ground_truth);

/// What vsr does where the official scorer raises ZeroDivisionError: an NA record whose ground truth parses to
/// +-0 while its prediction parses to a float.
enum class ZeroTruth {
  kError,      ///< throw vsr::Error naming the record (default: the official evaluation would crash)
  kScoreZero,  ///< score 0.0, as numpy division (inf or nan ratio) would give
};

/// One VSI-Bench record (the HF dataset nyu-visionx/VSI-Bench fields) with an optional model prediction.
struct VsiRecord {
  /// The record id: a JSON string's value, or a JSON number's text ("12"); see numeric_id.
  std::string id;
  /// True when the id was a JSON number (it is written back as a number).
  bool numeric_id = false;
  /// Source dataset: "scannet", "scannetpp" or "arkitscenes" (empty when absent).
  std::string dataset;
  /// Scene (video) name within the dataset (empty when absent).
  std::string scene_name;
  /// One of kMcaQuestionTypes / kNaQuestionTypes.
  std::string question_type;
  /// The question text.
  std::string question;
  /// MCA options ("A. left", ...); empty for NA records (JSON null or absent).
  std::vector<std::string> options;
  /// The ground truth: an option letter (MCA) or a number as text (NA). A JSON number is kept as its JSON text.
  std::string ground_truth;
  /// The raw model output to score (the `prediction` field), if any.
  std::optional<std::string> prediction;
  /// Every other field of the record, kept as it was (e.g. `case`).
  nlohmann::json extra = nlohmann::json::object();

  /// The id as JSON (a number when numeric_id, else a string).
  nlohmann::json id_json() const;
};

/// Parses one record object. `file` and `where` ("line 3", "record 2") name it in a vsr::Error on a missing or
/// mistyped field.
VsiRecord parse_vsi_record(const nlohmann::json& j, std::string_view file, std::string_view where);

/// Reads records from a JSONL file (one object per line, blank lines skipped) or a JSON file holding an array of
/// objects (detected by a leading '['). Throws vsr::Error naming the file, line and field on bad input.
std::vector<VsiRecord> load_vsi_records(const std::filesystem::path& path);

/// The score of one record (what vsibench_process_results stores in the doc).
struct RecordScore {
  /// The record id (as VsiRecord::id).
  std::string id;
  /// True when the id was a JSON number.
  bool numeric_id = false;
  /// The record's question type.
  std::string question_type;
  /// kAccuracyMetric for MCA types, kMraMetric for NA types.
  std::string metric;
  /// 0 or 1 (MCA), k/10 (NA).
  double score = 0.0;

  /// `{"id", "question_type", "metric", "score"}`.
  nlohmann::ordered_json to_json() const;
};

/// Official vsibench_process_results for one record with a prediction: MCA = mca_score (exact_match(fuzzy_match(
/// prediction), ground_truth)); NA = na_score (mean_relative_accuracy(python_float(fuzzy_match(prediction)),
/// python_float(ground_truth)), 0.0 when either is not a float). Throws vsr::Error for an unknown question type, a
/// missing prediction, or (with ZeroTruth::kError) a zero ground truth with a float prediction.
RecordScore score_record(const VsiRecord& record, ZeroTruth zero_truth = ZeroTruth::kError);

/// Official vsibench_aggregate_results: per-type means (numpy pairwise sums, groups in sorted type order);
/// easy/medium/hard replaced by their average `object_rel_direction_accuracy`; `overall` = mean of the per-type
/// values; returned as the official OrderedDict: `overall`, then the present `<type>_<metric>` keys in the official
/// fixed order, values x100, then `tabulated_keys` and `tabulated_results` strings. Medium/hard without easy are
/// kept as the official code keeps them (counted in `overall`, not listed). Throws vsr::Error on empty input (official:
/// KeyError), easy present with medium or hard absent (official: KeyError) and an unknown type (official: ValueError).
nlohmann::ordered_json aggregate(std::span<const RecordScore> scores);

/// The prompt settings of one model (the yaml's lmms_eval_specific_kwargs entry). Empty means "use the default",
/// as the official `kwargs.get(key, "") or default` does.
struct PromptProfile {
  /// Text before the question; default "These are frames of a video.".
  std::string pre_prompt;
  /// Text after the options of MCA questions; default "Answer with the option's letter from the given choices
  /// directly.".
  std::string mca_post_prompt;
  /// Text after NA questions; default "Please answer the question using a single word or phrase.".
  std::string na_post_prompt;

  /// Reads a kwargs object: the three keys, each a string or a falsy JSON value (null, false, 0, "", [], {}) meaning
  /// the default; other keys are ignored. Throws vsr::Error on a non-object (official: AttributeError) or a
  /// truthy non-string value (official: TypeError).
  static PromptProfile from_json(const nlohmann::json& kwargs, std::string_view origin = "prompt profile");
};

/// Official vsibench_doc_to_text: "pre\nquestion\npost" (NA) or "pre\nquestion\nOptions:\n<options joined by
/// newlines>\npost" (MCA). Throws vsr::Error for an unknown question type or an MCA record without options.
std::string vsibench_prompt(const VsiRecord& record, const PromptProfile& profile = {});

}  // namespace vsr::eval
