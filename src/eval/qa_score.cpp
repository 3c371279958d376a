// Scoring and aggregation of generic-format QA records (tasks other than VSI-Bench's).
#include "vsr/eval/qa_score.hpp"

#include "vsr/core/error.hpp"
#include "vsr/eval/answer_format.hpp"
#include "vsr/eval/python_str.hpp"

#include <fmt/format.h>

#include <map>

namespace vsr::eval {

bool is_vsibench_sample(const data::Sample& sample) {
  return sample.answer_type.empty() && (is_mca_type(sample.question_type) || is_na_type(sample.question_type));
}

RecordScore score_generic(const data::Sample& sample, std::string_view prediction) {
  RecordScore out{sample.id, false, sample.question_type, "", 0.0};
  if (data::answer_kind(sample) == data::AnswerKind::Numeric) {
    out.metric = std::string(kMraMetric);
    // MRA divides by the truth; a truth of 0 ("how many ...? 0") is scored by exact match instead.
    const auto truth = python_float(sample.ground_truth);
    const auto value = na_prediction_value(prediction);
    out.score = truth && *truth == 0.0 ? (value && *value == 0.0 ? 1.0 : 0.0)
                                       : na_score(prediction, sample.ground_truth).value_or(0.0);
  } else {
    out.metric = std::string(kAccuracyMetric);
    out.score = sample.options.empty() ? choice_accuracy(prediction, sample.ground_truth)
                                       : mca_score(prediction, sample.ground_truth);
  }
  return out;
}

nlohmann::ordered_json generic_aggregate(std::span<const RecordScore> scores) {
  if (scores.empty()) fail("", "", "no scored records to aggregate");
  std::map<std::string, std::pair<double, double>> tasks;  // key -> (sum, count)
  for (const auto& s : scores) {
    auto& t = tasks[s.question_type + "_" + s.metric];
    t.first += s.score;
    t.second += 1.0;
  }
  double overall = 0.0;
  for (const auto& [key, t] : tasks) overall += t.first / t.second;
  nlohmann::ordered_json out;
  out["overall"] = overall / static_cast<double>(tasks.size()) * 100.0;
  for (const auto& [key, t] : tasks) out[key] = t.first / t.second * 100.0;
  return out;
}

std::vector<std::string> generic_headings(const nlohmann::ordered_json& aggregate) {
  std::vector<std::string> h;
  for (const auto& [key, value] : aggregate.items()) h.push_back(key == "overall" ? "Overall" : key);
  return h;
}

std::vector<std::string> generic_row(const nlohmann::ordered_json& aggregate) {
  std::vector<std::string> row;
  for (const auto& [key, value] : aggregate.items()) row.push_back(fmt::format("{:.1f}", value.get<double>()));
  return row;
}

}  // namespace vsr::eval
