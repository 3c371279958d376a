// VSI-Bench evaluation of samples: prompt text (mode instruction or official post-prompt), scoring of answers and
// the accuracy rewards' reading of answers (AnswerRule).
#include "vsr/eval/vsi_eval.hpp"

#include "vsr/core/error.hpp"
#include "vsr/eval/answer_format.hpp"

#include <algorithm>
#include <cmath>

namespace vsr::eval {

std::string vsi_prompt_text(const data::Sample& sample, std::string_view instruction) {
  // VSI-Bench's pre-prompt for VSI-Bench records (always video QA) and generic records with a video; other generic
  // records say what they show (images) or nothing (text only).
  const bool video = !sample.video.empty() || sample.answer_type.empty();
  const std::string pre = video ? "These are frames of a video.\n"
                          : sample.images.size() > 1 ? "These are images.\n"
                          : !sample.images.empty() ? "This is an image.\n"
                                                   : "";
  std::string text = pre + sample.question;
  if (!sample.options.empty()) {
    text += "\nOptions:";
    for (const auto& o : sample.options) text += "\n" + o;
  }
  text += "\n";
  text += instruction;
  return text;
}

std::string_view official_instruction(const data::Sample& sample) {
  return sample.options.empty() ? "Please answer the question using a single word or phrase."
                                : "Answer with the option's letter from the given choices directly.";
}

VsiRecord to_vsi_record(const data::Sample& sample, std::optional<std::string> prediction) {
  VsiRecord r;
  r.id = sample.id;
  r.dataset = sample.dataset;
  r.scene_name = sample.scene_name;
  r.question_type = sample.question_type;
  r.question = sample.question;
  r.options = sample.options;
  r.ground_truth = sample.ground_truth;
  r.prediction = std::move(prediction);
  return r;
}

RecordScore score_sample(const data::Sample& sample, const std::string& prediction, ZeroTruth zero_truth) {
  if (is_mca_type(sample.question_type) && sample.options.empty()) {
    RecordScore s;
    s.id = sample.id;
    s.question_type = sample.question_type;
    s.metric = std::string(kAccuracyMetric);
    s.score = choice_score(sample, prediction);
    return s;
  }
  return score_record(to_vsi_record(sample, prediction), zero_truth);
}

bool benchmark_readable(const data::Sample& sample, std::string_view prediction) {
  if (data::answer_kind(sample) == data::AnswerKind::Numeric)
    return na_prediction_value(prediction).has_value();
  if (sample.options.empty()) return !trim(prediction).empty();
  const std::string word = fuzzy_match(prediction);
  return std::any_of(sample.options.begin(), sample.options.end(), [&](const std::string& option) {
    return exact_match(word, option.substr(0, option.find('.'))) == 1.0;
  });
}

std::vector<data::Sample> with_other_scene_videos(std::span<const data::Sample> samples) {
  std::vector<data::Sample> out(samples.begin(), samples.end());
  const std::size_t n = samples.size();
  for (std::size_t i = 0; i < n; ++i) {
    std::size_t j = (i + 1) % n;
    while (j != i && samples[j].scene_name == samples[i].scene_name) j = (j + 1) % n;
    if (j == i) fail("[eval]", "eval.videos", "other-scene needs records of at least two scenes, found only " +
                                                   quote(samples[i].scene_name));
    out[i].video = samples[j].video;
  }
  return out;
}

AnswerRule parse_answer_rule(std::string_view value, std::string_view origin, std::string_view field) {
  if (value == "benchmark") return AnswerRule::kBenchmark;
  if (value == "lenient") return AnswerRule::kLenient;
  fail(origin, field, "expected \"benchmark\" or \"lenient\", found " + quote(std::string(value)));
}

double choice_score(const data::Sample& sample, std::string_view answer, AnswerRule rule) {
  if (rule == AnswerRule::kBenchmark && !sample.options.empty()) return mca_score(answer, sample.ground_truth);
  return choice_accuracy(answer, sample.ground_truth);
}

double accuracy_reward(const data::Sample& sample, std::string_view answer, AnswerRule rule) {
  if (data::answer_kind(sample) != data::AnswerKind::Numeric) return choice_score(sample, answer, rule);
  if (rule == AnswerRule::kLenient) return numeric_accuracy(answer, sample.ground_truth);
  const auto p = na_prediction_value(answer), g = python_float(sample.ground_truth);
  return p && g ? relative_accuracy(*p, *g) : 0.0;
}

double mra_reward(const data::Sample& sample, std::string_view answer, AnswerRule rule) {
  if (data::answer_kind(sample) != data::AnswerKind::Numeric) return choice_score(sample, answer, rule);
  if (rule == AnswerRule::kBenchmark) return na_score(answer, sample.ground_truth).value_or(0.0);
  const auto p = first_number(answer), g = first_number(sample.ground_truth);
  if (!p || !g || *g == 0.0 || !std::isfinite(*p)) return 0.0;
  return mean_relative_accuracy(*p, *g);
}

ZeroTruth parse_zero_truth(std::string_view value, std::string_view origin, std::string_view field) {
  if (value == "error") return ZeroTruth::kError;
  if (value == "zero") return ZeroTruth::kScoreZero;
  fail(origin, field, "expected \"error\" or \"zero\", found " + quote(std::string(value)));
}

}  // namespace vsr::eval
