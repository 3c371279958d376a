// `vsr score`: VSI-Bench scores of records with a `prediction` (official scorer semantics, see docs/scoring.md).
#include "command.hpp"

#include "vsr/core/config.hpp"
#include "vsr/core/error.hpp"
#include "vsr/core/run_dir.hpp"
#include "vsr/eval/vsibench.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <string>

namespace {

vsr::eval::ZeroTruth parse_zero_truth(const std::string& value) {
  if (value == "error") return vsr::eval::ZeroTruth::kError;
  if (value == "zero") return vsr::eval::ZeroTruth::kScoreZero;
  vsr::fail("<command line>", "zero-truth", "expected \"error\" or \"zero\", found " + vsr::quote(value));
}

}  // namespace

VSR_COMMAND(cmd_score, "score", "score VSI-Bench predictions (per-record scores and the official aggregate)") {
  std::filesystem::path records, scores_out, aggregate_out;
  std::string zero_truth = "error";
  vsr::Config cfg(argv[0]);
  auto top = cfg.top_level();
  top.add("records", records, "records (JSONL or JSON array) with VSI-Bench fields and a `prediction`");
  top.add("scores", scores_out, "write per-record scores here (JSONL: id, question_type, metric, score)");
  top.add("aggregate", aggregate_out, "write the official aggregate here (JSON, values x100)");
  top.add("zero-truth", zero_truth,
          "NA ground truth 0 with a numeric prediction (the official scorer crashes): error | zero");
  if (!cfg.parse(argc, argv)) return 0;
  vsr::require(!records.empty(), "<command line>", "records", "expected --records FILE");
  const auto policy = parse_zero_truth(zero_truth);

  const auto input = vsr::eval::load_vsi_records(records);
  std::vector<vsr::eval::RecordScore> scores;
  scores.reserve(input.size());
  for (const auto& r : input) {
    try {
      scores.push_back(vsr::eval::score_record(r, policy));
    } catch (const vsr::Error& e) {
      throw vsr::Error(records.string(), e.field(), e.problem());
    }
  }
  nlohmann::ordered_json result;
  try {
    result = vsr::eval::aggregate(scores);
  } catch (const vsr::Error& e) {  // e.g. no records: name the file
    throw vsr::Error(records.string(), e.field(), e.problem());
  }

  if (!scores_out.empty()) {
    std::string text;
    for (const auto& s : scores) text += s.to_json().dump() + "\n";
    vsr::write_file_atomic(scores_out, text);
  }
  if (!aggregate_out.empty()) vsr::write_file_atomic(aggregate_out, result.dump(2) + "\n");

  fmt::print("VSI-Bench: {} records from {}\n", scores.size(), records.string());
  for (const auto& [key, value] : result.items())
    if (value.is_number()) fmt::print("  {:<40} {:8.3f}\n", key, value.get<double>());
  return 0;
}
