// libFuzzer target: VSI-Bench record files (load_vsi_records, JSONL or a JSON array), their scoring and aggregate
// (score_record, aggregate), and the builder's question records and the generic QA format (data::read_samples) on
// the same bytes, each record written and read back unchanged.
// Invariants: MCA scores are 0 or 1, NA scores are k/10 in [0, 1].
#include "fuzz_support.hpp"
#include "vsr/data/records.hpp"
#include "vsr/eval/vsibench.hpp"

#include <cmath>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace vsr;
  const auto file = fuzz::write_bytes(fuzz::scratch_dir() / "records.jsonl", fuzz::as_text(data, size));
  fuzz::expect_vsr_errors([&] {
    const auto records = eval::load_vsi_records(file);
    std::vector<eval::RecordScore> scores;
    for (const auto& r : records) {
      for (auto policy : {eval::ZeroTruth::kError, eval::ZeroTruth::kScoreZero}) {
        fuzz::expect_vsr_errors([&] {
          const auto s = eval::score_record(r, policy);
          fuzz::check(s.score >= 0 && s.score <= 1, "score outside [0, 1]");
          if (eval::is_mca_type(s.question_type)) fuzz::check(s.score == 0 || s.score == 1, "MCA score not 0/1");
          else fuzz::check(std::abs(s.score * 10 - std::round(s.score * 10)) < 1e-9, "NA score not k/10");
          (void)s.to_json().dump();
          if (policy == eval::ZeroTruth::kScoreZero) scores.push_back(s);
        });
      }
    }
    if (!scores.empty()) (void)eval::aggregate(scores).dump();
  });
  fuzz::expect_vsr_errors([&] {  // VSI-Bench and generic QA records: what the writer writes reads back the same
    for (const auto& s : data::read_samples(file, "videos")) {
      const auto j = data::sample_to_json(s);
      const auto back = data::sample_from_json(j, "videos", "<round trip>", "record");
      fuzz::check(data::sample_to_json(back) == j, "a record does not read back as written", j.dump());
    }
  });
  return 0;
}
