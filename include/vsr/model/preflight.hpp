#pragma once
/// @file
/// Pre-flight check of question records before a run starts (training or evaluation), so that a bad record fails at
/// minute 0 rather than at hour 30: every record's pictures (its video, its images; a text-only record has none)
/// exist and decode (first and last frame), under [video] sampling = space_aware its camera track (meta.camera)
/// reads, the prompt with the pictures' tokens plus the completion budget fits the model's context, the ground truth parses for its
/// answer kind (a number for VSI-Bench's numeric tasks, an option letter for choice questions with options) and the
/// options are well-formed ("A. text", "B. text", ... in order, distinct). All problems of all records are collected
/// into one report.

#include "vsr/data/sample.hpp"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace vsr::model {

class SampleEncoder;

/// One problem of one record.
struct RecordProblem {
  std::string record;   ///< the record's id (or "record N" when it has none)
  std::string field;    ///< "video", "ground_truth", "options", ...
  std::string problem;  ///< what was expected
};

/// The problems of one record file.
struct PreflightReport {
  std::string file;                    ///< the record file
  std::size_t records = 0;             ///< records checked
  std::vector<RecordProblem> problems; ///< every problem, in record order
  std::vector<bool> usable;            ///< per record: no problem found

  /// Records with at least one problem.
  std::size_t unusable() const;
  /// "FILE: record ID: FIELD: PROBLEM", one line per problem (each ending in a newline).
  std::string text() const;
  /// The usable records of `samples` (the list the report was made from).
  std::vector<data::Sample> usable_samples(const std::vector<data::Sample>& samples) const;
};

/// Checks `samples` (read from `file`) against the model stack of `encoder`: `user_text` gives a record's prompt
/// text, `completion_tokens` the generation budget and `context_tokens` the model's context (max_position_embeddings).
/// Each distinct video is opened once. Shows a progress bar on a terminal.
PreflightReport preflight_records(const std::vector<data::Sample>& samples, const std::string& file,
                                  const SampleEncoder& encoder,
                                  const std::function<std::string(const data::Sample&)>& user_text,
                                  std::int64_t completion_tokens, std::int64_t context_tokens);

/// One record list a run asks: the pre-flight check covers it and, under --skip-invalid, drops from it.
struct PreflightSet {
  std::vector<data::Sample>* samples = nullptr;                ///< the records (drops are applied in place)
  std::string file;                                            ///< their file, for the report
  std::function<std::string(const data::Sample&)> user_text;  ///< a record's prompt text
  std::int64_t completion_tokens = 0;                          ///< the generation budget
};

/// The one policy every program follows after the check: nothing rejected -> returns "". Otherwise the report of every
/// set is printed to stderr (when `print`, i.e. on the main rank) and, unless `skip_invalid`, the run stops with
/// vsr::Error "the pre-flight check rejects records (FILE: N of M records; ..., listed above): fix them, or pass
/// --skip-invalid ..."; with `skip_invalid` the rejected records are dropped (an error when a set is left empty) and the
/// summary of the drops ("FILE: N of M records; ...") is returned, also printed as "pre-flight: --skip-invalid dropped
/// SUMMARY". `allow_skip` false (a program without the flag) stops without suggesting it.
std::string enforce_preflight(const std::vector<PreflightSet>& sets, const SampleEncoder& encoder,
                              std::int64_t context_tokens, bool skip_invalid, bool print, bool allow_skip = true);

}  // namespace vsr::model
