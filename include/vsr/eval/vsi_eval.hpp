#pragma once
/// @file
/// VSI-Bench evaluation of vsr samples (data::Sample: VSI-Bench records or `vsr data build` output): the prompt
/// text in VSI-Bench's layout with a prompt mode's instruction or the official post-prompt, and the score of one
/// extracted answer with the official scorer (vsibench.hpp), and the accuracy rewards' reading of an answer
/// (AnswerRule), which by default is that scorer's: a reward pays nothing for an answer whose number or option letter
/// the benchmark cannot read. See docs/evaluation.md and docs/policies.md.

#include "vsr/data/sample.hpp"
#include "vsr/eval/vsibench.hpp"

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace vsr::eval {

/// The user text of a question in VSI-Bench's layout with `instruction` as the post-prompt:
/// "These are frames of a video.\n" + question + ("\nOptions:\n" + options joined by "\n" when the sample has
/// options) + "\n" + instruction. Records without a video (the generic QA format) begin "This is an image.\n" /
/// "These are images.\n", or with the question itself when they are text-only.
std::string vsi_prompt_text(const data::Sample& sample, std::string_view instruction);

/// The official VSI-Bench post-prompt of a sample: the MCA one ("Answer with the option's letter from the given
/// choices directly.") when it has options, else the NA one ("Please answer the question using a single word or
/// phrase."; also for vsr-built choice questions without options, whose answer is an entity name).
std::string_view official_instruction(const data::Sample& sample);

/// The sample as a VSI-Bench record (id, dataset, scene_name, question_type, question, options, ground_truth) with
/// `prediction`.
VsiRecord to_vsi_record(const data::Sample& sample, std::optional<std::string> prediction = std::nullopt);

/// The score of an extracted answer. Records with a VSI-Bench type are scored by eval::score_record (official
/// fuzzy matching, MRA); a choice-type question without options (a vsr-built entity answer such as "chair") by
/// choice_score (exact match after trimming and case folding, metric "accuracy"). vsr::Error for a non-VSI-Bench
/// type.
RecordScore score_sample(const data::Sample& sample, const std::string& prediction, ZeroTruth zero_truth);

/// Whether VSI-Bench's scorer can read `prediction` as an answer to `sample` at all (right or wrong): numeric tasks
/// when na_prediction_value finds a number ("2.5 m" yes, "2labels" and "A" no); questions with options when
/// fuzzy_match gives one of the option letters, case folded as exact_match compares ("b." yes, "sofa" and "3" no);
/// choice questions without options (an entity ground truth) when the trimmed answer is not empty.
bool benchmark_readable(const data::Sample& sample, std::string_view prediction);

/// The blind control of `vsr eval --eval.videos other-scene`: each sample with the video of the first sample after
/// it (cyclically) whose scene_name differs, everything else unchanged. A model whose score does not drop answers
/// from the question alone. vsr::Error (naming eval.videos) when every sample is of one scene.
std::vector<data::Sample> with_other_scene_videos(std::span<const data::Sample> samples);

/// How the accuracy rewards (reward::Accuracy, reward::Mra; `[reward] answer_rule`) read a model's answer.
enum class AnswerRule {
  kBenchmark,  ///< VSI-Bench's reading, as score_sample scores (default): numbers from na_prediction_value (the first
               ///< space-separated word, trailing dots off, stripped, as Python float), option letters by mca_score,
               ///< entity answers of choice questions without options by choice_accuracy of the whole answer
  kLenient,    ///< vsr's earlier reward: the first number anywhere in the answer (first_number), every choice answer
               ///< by choice_accuracy of the whole answer; pays for outputs such as "2labelslabels" that score 0
};

/// "benchmark" -> AnswerRule::kBenchmark, "lenient" -> AnswerRule::kLenient; vsr::Error naming `origin` and `field`
/// otherwise.
AnswerRule parse_answer_rule(std::string_view value, std::string_view origin = "[reward]",
                             std::string_view field = "reward.answer_rule");

/// The score of a choice answer (a sample whose data::answer_kind is Choice) under `rule`. kBenchmark: with options
/// (the ground truth an option letter) VSI-Bench's mca_score, without options (an entity ground truth)
/// choice_accuracy of the whole answer: what score_sample gives. kLenient: choice_accuracy in both cases.
double choice_score(const data::Sample& sample, std::string_view answer, AnswerRule rule = AnswerRule::kBenchmark);

/// vsGRPO's accuracy reward (section 4.2) of an extracted answer. Numeric samples: relative_accuracy of the answer's
/// number and the ground truth's, read by `rule` (kBenchmark: na_prediction_value and python_float, as score_record
/// reads them; kLenient: numeric_accuracy, the first number anywhere). Choice samples: choice_score.
double accuracy_reward(const data::Sample& sample, std::string_view answer, AnswerRule rule = AnswerRule::kBenchmark);

/// VSI-Bench's Mean Relative Accuracy as a reward. Numeric samples: kBenchmark = na_score (0 for a zero ground truth,
/// as ZeroTruth::kScoreZero), i.e. exactly score_sample's score; kLenient = mean_relative_accuracy of the first
/// numbers of answer and ground truth (0 when either has none, the answer's is not finite or the truth is 0).
/// Choice samples: choice_score.
double mra_reward(const data::Sample& sample, std::string_view answer, AnswerRule rule = AnswerRule::kBenchmark);

/// "error" -> ZeroTruth::kError, "zero" -> ZeroTruth::kScoreZero; vsr::Error naming `origin` and `field` otherwise.
ZeroTruth parse_zero_truth(std::string_view value, std::string_view origin = "[eval]",
                           std::string_view field = "eval.zero_truth");

}  // namespace vsr::eval
