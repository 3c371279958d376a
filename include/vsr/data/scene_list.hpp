#pragma once
/// @file
/// Which scenes a build uses: scene lists, exclusion of a benchmark's scenes (VSI-Bench's ScanNet videos are ScanNet
/// validation scenes; training on them leaks the benchmark, which is why SpaceR ships an exclusion list) and the
/// overlap check between a training set and a benchmark file.

#include "vsr/data/sample.hpp"

#include <filesystem>
#include <set>
#include <string>
#include <vector>

namespace vsr::data {

/// Scene names from `path`: a record file (`.json` / `.jsonl`: every record's `scene_name`) or a text list (one name
/// per line; blank lines and `#` comments skipped). vsr::Error naming the file for an empty list or an unreadable file.
std::set<std::string> read_scene_names(const std::filesystem::path& path);

/// The scene names of some records (those with a non-empty scene_name).
std::set<std::string> scene_names(const std::vector<Sample>& samples);

/// The scene names in both sets.
std::set<std::string> shared_scenes(const std::set<std::string>& a, const std::set<std::string>& b);

/// Scene folders of `dirs` (named by their last path component) kept by a build: those in `keep` when it is
/// non-empty, minus those in `exclude`. vsr::Error naming `keep_origin` when a name of `keep` has no folder.
std::vector<std::filesystem::path> select_scene_dirs(const std::vector<std::filesystem::path>& dirs,
                                                     const std::set<std::string>& keep,
                                                     const std::set<std::string>& exclude,
                                                     const std::string& keep_origin = "--scenes");

/// The one-line warning for a training set sharing `shared` scenes with `benchmark` ("" when none is shared).
std::string overlap_warning(const std::set<std::string>& shared, const std::string& train,
                            const std::string& benchmark);

}  // namespace vsr::data
