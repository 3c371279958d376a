#pragma once
/// @file
/// Question records as JSON: the builder's JSON lines (`id, dataset, scene_name, question_type, question, options,
/// ground_truth, video, meta`) and VSI-Bench's release files (JSON array or JSON lines with `id, dataset,
/// scene_name, question_type, question, options, ground_truth`).

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
/// `options` may be null/absent; `video` when absent is `{video_root}/{dataset}/{scene_name}.mp4`.
Sample sample_from_json(const nlohmann::json& record, const std::filesystem::path& video_root,
                        const std::string& origin, const std::string& where);

/// Reads a JSON array or JSON-lines file of records (see sample_from_json).
std::vector<Sample> read_samples(const std::filesystem::path& path, const std::filesystem::path& video_root = {});

/// Writes samples as JSON lines (atomically).
void write_samples(const std::filesystem::path& path, const std::vector<Sample>& samples);

/// Number of samples per question_type.
std::map<std::string, std::size_t> count_by_type(const std::vector<Sample>& samples);

}  // namespace vsr::data
