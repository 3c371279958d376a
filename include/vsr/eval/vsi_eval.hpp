#pragma once
/// @file
/// VSI-Bench evaluation of vsr samples (data::Sample: VSI-Bench records or `vsr data build` output): the prompt
/// text in VSI-Bench's layout with a prompt mode's instruction or the official post-prompt, and the score of one
/// extracted answer with the official scorer (vsibench.hpp). See docs/evaluation.md.

#include "vsr/data/sample.hpp"
#include "vsr/eval/vsibench.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace vsr::eval {

/// The user text of a question in VSI-Bench's layout with `instruction` as the post-prompt:
/// "These are frames of a video.\n" + question + ("\nOptions:\n" + options joined by "\n" when the sample has
/// options) + "\n" + instruction.
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
/// exact match after trimming and case folding (metric "accuracy"). vsr::Error for a non-VSI-Bench type.
RecordScore score_sample(const data::Sample& sample, const std::string& prediction, ZeroTruth zero_truth);

/// "error" -> ZeroTruth::kError, "zero" -> ZeroTruth::kScoreZero; vsr::Error naming `origin` and `field` otherwise.
ZeroTruth parse_zero_truth(std::string_view value, std::string_view origin = "[eval]",
                           std::string_view field = "eval.zero_truth");

}  // namespace vsr::eval
