// VSI-Bench per-record scoring: fuzzy matching, exact match and Mean Relative Accuracy (official utils.py).
#include "vsr/core/error.hpp"
#include "vsr/eval/vsibench.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace vsr::eval {

bool is_mca_type(std::string_view question_type) noexcept {
  return std::find(kMcaQuestionTypes.begin(), kMcaQuestionTypes.end(), question_type) != kMcaQuestionTypes.end();
}

bool is_na_type(std::string_view question_type) noexcept {
  return std::find(kNaQuestionTypes.begin(), kNaQuestionTypes.end(), question_type) != kNaQuestionTypes.end();
}

std::string fuzzy_match(std::string_view prediction) {
  std::string_view first = prediction.substr(0, prediction.find(' '));
  while (!first.empty() && first.back() == '.') first.remove_suffix(1);
  return python_strip(first);
}

double exact_match(std::string_view pred, std::string_view target) {
  return python_lower(pred) == python_lower(target) ? 1.0 : 0.0;
}

double mean_relative_accuracy(double pred, double gt) {
  if (gt == 0.0) throw std::domain_error("float division by zero");
  const double ratio = std::fabs(pred - gt) / gt;
  int hits = 0;
  for (double t : kMraThresholds) hits += ratio <= t ? 1 : 0;
  return static_cast<double>(hits) / static_cast<double>(kMraThresholds.size());
}

std::optional<double> na_prediction_value(std::string_view prediction) {
  return python_float(fuzzy_match(prediction));
}

double mca_score(std::string_view prediction, std::string_view ground_truth) {
  return exact_match(fuzzy_match(prediction), ground_truth);
}

std::optional<double> na_score(std::string_view prediction, std::string_view ground_truth) {
  const auto pred = na_prediction_value(prediction);
  const auto gt = python_float(ground_truth);
  if (!pred || !gt) return 0.0;  // official: TypeError on None -> WORST_CASE_FOR_METRICS
  if (*gt == 0.0) return std::nullopt;  // official: ZeroDivisionError
  return mean_relative_accuracy(*pred, *gt);
}

nlohmann::json VsiRecord::id_json() const {
  if (numeric_id) return nlohmann::json::parse(id);
  return id;
}

nlohmann::ordered_json RecordScore::to_json() const {
  nlohmann::ordered_json j;
  j["id"] = numeric_id ? nlohmann::ordered_json::parse(id) : nlohmann::ordered_json(id);
  j["question_type"] = question_type;
  j["metric"] = metric;
  j["score"] = score;
  return j;
}

RecordScore score_record(const VsiRecord& record, ZeroTruth zero_truth) {
  const std::string where = "record " + quote(record.id);
  RecordScore out{record.id, record.numeric_id, record.question_type, "", 0.0};
  if (!record.prediction) fail("", where, "no \"prediction\" to score");
  if (is_mca_type(record.question_type)) {
    out.metric = kAccuracyMetric;
    out.score = mca_score(*record.prediction, record.ground_truth);
  } else if (is_na_type(record.question_type)) {
    out.metric = kMraMetric;
    const auto score = na_score(*record.prediction, record.ground_truth);
    if (!score && zero_truth == ZeroTruth::kError)
      fail("", where,
           "ground truth " + quote(record.ground_truth) +
               " is zero: the official scorer raises ZeroDivisionError here (use --zero-truth=zero to score 0)");
    out.score = score.value_or(0.0);
  } else {
    fail("", where + ": question_type", "expected a VSI-Bench question type, found " + quote(record.question_type));
  }
  return out;
}

}  // namespace vsr::eval
