#pragma once
/// @file
/// Question records as JSON: the builder's JSON lines (`id, dataset, scene_name, question_type, question, options,
/// ground_truth, video, meta`), VSI-Bench's release files (JSON array or JSON lines with `id, dataset,
/// scene_name, question_type, question, options, ground_truth`) and the generic QA format of docs/data.md (`id,
/// task, question, options, answer, answer_type` with a `video`, `images` or neither), recognised per record by its
/// `answer` field.

#include "vsr/data/sample.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace vsr::data {

/// The JSON object of a sample (all nine fields; `options` is an array, possibly empty).
nlohmann::json sample_to_json(const Sample& sample);

/// A sample from a JSON record; `origin`/`where` name it in errors. `ground_truth` may be a string or a number;
/// `options` may be null/absent; `video` when absent is `{video_root}/{dataset}/{scene_name}.mp4`. A record with
/// `answer` and no `ground_truth` is read in the generic QA format (docs/data.md): `task` (default "qa") becomes
/// question_type, relative `video` / `images` paths are taken against `video_root`, or when that is empty against
/// the folder of the file `origin` names; no video and no images is a text-only record.
Sample sample_from_json(const nlohmann::json& record, const std::filesystem::path& video_root,
                        const std::string& origin, const std::string& where);

/// Reads a JSON array or JSON-lines file of records (see sample_from_json).
std::vector<Sample> read_samples(const std::filesystem::path& path, const std::filesystem::path& video_root = {});

/// Writes samples as JSON lines (atomically).
void write_samples(const std::filesystem::path& path, const std::vector<Sample>& samples);

/// Number of samples per question_type.
std::map<std::string, std::size_t> count_by_type(const std::vector<Sample>& samples);

}  // namespace vsr::data
