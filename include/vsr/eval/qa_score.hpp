#pragma once
/// @file
/// Scoring of records in the generic QA format (docs/data.md), which name their own task and answer type rather than
/// a VSI-Bench question type: numbers by VSI-Bench's Mean Relative Accuracy, option letters by VSI-Bench's exact
/// match of the first word, free text (an entity, a move sequence) by whole-answer match after trimming and case
/// folding; the aggregate is each task's mean and, as VSI-Bench's overall, the mean over tasks.

#include "vsr/data/sample.hpp"
#include "vsr/eval/vsibench.hpp"

#include <nlohmann/json.hpp>

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace vsr::eval {

/// Whether VSI-Bench's official scorer applies to `sample`: a VSI-Bench-format record (no answer_type) of a
/// VSI-Bench question type.
bool is_vsibench_sample(const data::Sample& sample);

/// The score of one generic-format record: metric "accuracy" (choice, text) or "MRA" (number; a ground truth of 0,
/// where MRA is undefined, by exact match of the number), score in [0, 1].
RecordScore score_generic(const data::Sample& sample, std::string_view prediction);

/// {"overall": mean over tasks x 100, "<task>_<metric>": task mean x 100, ...} in sorted task order; vsr::Error when
/// `scores` is empty.
nlohmann::ordered_json generic_aggregate(std::span<const RecordScore> scores);

/// The table headings ("Overall", then each task of `aggregate`) and its one row of values (one decimal).
std::vector<std::string> generic_headings(const nlohmann::ordered_json& aggregate);
/// See generic_headings.
std::vector<std::string> generic_row(const nlohmann::ordered_json& aggregate);

}  // namespace vsr::eval
