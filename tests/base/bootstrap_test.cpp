// The paired bootstrap of VSI-Bench's Avg.: exactly the official aggregate on the records as they are, zero-width
// intervals for identical runs, the sign of a uniformly better run, agreement with the normal approximation, clear
// errors for mismatched record sets, and determinism.
#include "test_support.hpp"
#include "vsr/core/error.hpp"
#include "vsr/core/run_dir.hpp"
#include "vsr/core/splitmix64.hpp"
#include "vsr/eval/bootstrap.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace {

using namespace vsr::eval;

RecordScore rec(std::string id, std::string type, double score) {
  const std::string metric(is_mca_type(type) ? kAccuracyMetric : kMraMetric);
  return {std::move(id), false, std::move(type), metric, score};
}

ScoredRun run_of(std::string label, std::vector<RecordScore> scores) {
  return {label, "/runs/" + label + "/eval/vanilla/scores.jsonl", std::move(scores)};
}

/// A hand-sized run: Obj. Count {0.5, 0.8, 0.2}, Rel. Dist. {1, 0}, Rel. Dir. easy {1}, medium {1, 0}, hard {0},
/// records interleaved as in a benchmark file. Columns 50, 50, (100 + 50 + 0) / 3 = 50: Avg. 50.
std::vector<RecordScore> hand_a() {
  return {rec("c1", "object_counting", 0.5),
          rec("d1", "object_rel_distance", 1),
          rec("e1", "object_rel_direction_easy", 1),
          rec("c2", "object_counting", 0.8),
          rec("m1", "object_rel_direction_medium", 1),
          rec("h1", "object_rel_direction_hard", 0),
          rec("d2", "object_rel_distance", 0),
          rec("m2", "object_rel_direction_medium", 0),
          rec("c3", "object_counting", 0.2)};
}

/// The same questions answered better: Obj. Count {0.9, 0.8, 0.4} (70), all else right: Avg. (70 + 100 + 100) / 3 = 90.
std::vector<RecordScore> hand_b() {
  auto b = hand_a();
  for (auto& s : b)
    s.score = s.question_type == "object_counting" ? (s.id == "c1" ? 0.9 : s.id == "c2" ? 0.8 : 0.4) : 1.0;
  return b;
}

/// A benchmark-sized run: `per_type` records of each of the 8 task types (and easy/medium/hard for Rel. Dir.),
/// interleaved, scores drawn from `seed` (0/1 for choice types, k/10 for numeric ones).
std::vector<RecordScore> synthetic(std::size_t per_type, std::uint64_t seed) {
  const char* types[] = {
      "object_counting",     "object_abs_distance",       "object_size_estimation",      "room_size_estimation",
      "object_rel_distance", "object_rel_direction_easy", "object_rel_direction_medium", "object_rel_direction_hard",
      "route_planning",      "obj_appearance_order"};
  std::vector<RecordScore> out;
  for (std::size_t i = 0; i < per_type; ++i)
    for (const char* t : types) {
      const auto u = vsr::splitmix64(seed);
      out.push_back(
          rec(std::string(t) + "_" + std::to_string(i), t, is_mca_type(t) ? double(u % 3 == 0) : double(u % 11) / 10));
    }
  return out;
}

TEST(Bootstrap, PointValuesAreTheOfficialAggregate) {
  const std::vector<ScoredRun> runs{run_of("a", hand_a()), run_of("b", hand_b())};
  const auto r = paired_bootstrap(runs, {.resamples = 50});
  EXPECT_NEAR(r.runs[0].avg.value, 50.0, 1e-9);
  EXPECT_NEAR(r.runs[1].avg.value, 90.0, 1e-9);
  EXPECT_NEAR(r.differences[0].avg.value, 40.0, 1e-9);
  const double a = aggregate(hand_a())["overall"].get<double>(), b = aggregate(hand_b())["overall"].get<double>();
  EXPECT_EQ(r.runs[0].avg.value, a);
  EXPECT_EQ(r.runs[1].avg.value, b);
  EXPECT_EQ(r.differences[0].avg.value, b - a);
  EXPECT_EQ(r.records, 9u);
  EXPECT_EQ(r.per_type.at("object_counting"), 3u);
  ASSERT_EQ(r.runs[0].columns.size(), 3u);  // easy/medium/hard merged into one column
  EXPECT_EQ(r.runs[0].columns[2].first, "object_rel_direction_accuracy");
  EXPECT_NEAR(r.runs[0].columns[2].second.value, 50.0, 1e-9);
  EXPECT_NEAR(r.differences[0].columns[0].second.value, 20.0, 1e-9);
}

TEST(Bootstrap, UnresampledStatisticIsBitExactToAggregate) {
  // 300 records per type: numpy's pairwise summation takes its blocked and recursive paths.
  for (std::size_t n : {1u, 7u, 9u, 130u, 300u}) {
    const std::vector<ScoredRun> runs{run_of("a", synthetic(n, 1)), run_of("b", synthetic(n, 2))};
    const PairedScores paired(runs);
    for (std::size_t r = 0; r < 2; ++r) {
      const auto official = aggregate(runs[r].scores);
      const auto v = paired.values(r, paired.all());
      EXPECT_EQ(v.overall * 100.0, official["overall"].get<double>()) << n;
      for (const auto& [key, value] : v.columns) EXPECT_EQ(value * 100.0, official[key].get<double>()) << key;
    }
  }
}

TEST(Bootstrap, IdenticalRunsDifferByExactlyZero) {
  const auto scores = synthetic(40, 7);
  const std::vector<ScoredRun> runs{run_of("a", scores), run_of("copy", scores)};
  const auto r = paired_bootstrap(runs);
  const auto& d = r.differences.at(0);
  EXPECT_EQ(d.avg.value, 0.0);
  EXPECT_EQ(d.avg.low, 0.0);
  EXPECT_EQ(d.avg.high, 0.0);
  EXPECT_EQ(d.avg.se, 0.0);
  EXPECT_EQ(d.fraction_le_zero, 1.0);
  EXPECT_EQ(verdict(d.avg), "includes zero");
  for (const auto& [key, e] : d.columns) EXPECT_TRUE(e.low == 0.0 && e.high == 0.0) << key;
  EXPECT_LT(r.runs[0].avg.low, r.runs[0].avg.value);  // the runs' own intervals are not degenerate
  EXPECT_GT(r.runs[0].avg.high, r.runs[0].avg.value);
}

TEST(Bootstrap, UniformlyBetterRunIsAboveZero) {
  auto worse = synthetic(30, 3), better = worse;
  for (auto& s : worse) s.score = is_mca_type(s.question_type) ? 0.0 : std::min(s.score, 0.6);
  for (auto& s : better) s.score = is_mca_type(s.question_type) ? 1.0 : std::min(s.score, 0.6) + 0.3;
  const std::vector<ScoredRun> runs{run_of("worse", worse), run_of("better", better)};
  const auto up = paired_bootstrap(runs);
  EXPECT_GT(up.differences[0].avg.low, 0.0);
  EXPECT_EQ(up.differences[0].fraction_le_zero, 0.0);
  EXPECT_EQ(verdict(up.differences[0].avg), "above zero");
  const std::vector<ScoredRun> reversed{runs[1], runs[0]};
  const auto down = paired_bootstrap(reversed);
  EXPECT_LT(down.differences[0].avg.high, 0.0);
  EXPECT_EQ(down.differences[0].fraction_le_zero, 1.0);
  EXPECT_EQ(verdict(down.differences[0].avg), "below zero");
}

/// Population variance (divisor n), the variance of the bootstrap's resampled mean times n.
double pop_var(const std::vector<double>& x) {
  double m = 0, s = 0;
  for (double v : x) m += v;
  m /= double(x.size());
  for (double v : x) s += (v - m) * (v - m);
  return s / double(x.size());
}

TEST(Bootstrap, IntervalMatchesTheNormalApproximation) {
  // Two columns: Avg. = 100 (m1 + m2) / 2, and with resampling inside each type Var*(m_k) = var_k / n_k exactly, so
  // the bootstrap standard error is 50 sqrt(var_1 / n_1 + var_2 / n_2), for a run and (with var of the paired
  // per-record differences) for a difference. Tolerances for B = 20000: 3% on the standard error (Monte Carlo error
  // ~0.5%) and 5% on the width of the percentile interval against 2 * 1.96 * SE (~0.7%, plus the small skew).
  const std::size_t n1 = 400, n2 = 300;
  std::uint64_t state = 11;
  std::vector<RecordScore> a, b;
  std::vector<double> a1, a2, d1, d2;
  for (std::size_t i = 0; i < n1 + n2; ++i) {
    const bool choice = i < n1;
    const auto u = vsr::splitmix64(state), v = vsr::splitmix64(state);
    const double sa = choice ? double(u % 5 < 2) : double(u % 8) / 10;    // base: 40% right, MRA 0..0.7
    double sb = sa;                                                       // the other run changes a few
    if (choice && sa == 0 && v % 5 == 0) sb = 1;                          // 20% of wrong answers fixed
    if (choice && sa == 1 && v % 10 == 0) sb = 0;                         // 10% of right ones lost
    if (!choice) sb = sa + (v % 4 == 0 ? 0.2 : v % 4 == 1 ? -0.1 : 0.0);  // numeric answers nudged
    const std::string type = choice ? "object_rel_distance" : "object_counting";
    a.push_back(rec("q" + std::to_string(i), type, sa));
    b.push_back(rec("q" + std::to_string(i), type, sb));
    (choice ? a1 : a2).push_back(sa);
    (choice ? d1 : d2).push_back(sb - sa);
  }
  const std::vector<ScoredRun> runs{run_of("a", a), run_of("b", b)};
  const auto r = paired_bootstrap(runs, {.resamples = 20000, .seed = 5});
  const double z = 1.959963984540054;
  const double se_a = 50 * std::sqrt(pop_var(a1) / n1 + pop_var(a2) / n2);
  const double se_d = 50 * std::sqrt(pop_var(d1) / n1 + pop_var(d2) / n2);
  EXPECT_NEAR(r.runs[0].avg.se / se_a, 1.0, 0.03);
  EXPECT_NEAR((r.runs[0].avg.high - r.runs[0].avg.low) / (2 * z * se_a), 1.0, 0.05);
  const auto& d = r.differences[0].avg;
  EXPECT_NEAR(d.se / se_d, 1.0, 0.03);
  EXPECT_NEAR((d.high - d.low) / (2 * z * se_d), 1.0, 0.05);
  EXPECT_NEAR((d.high + d.low) / 2, d.value, 0.15 * se_d);
  // Pairing matters here: resampling the runs independently would give a standard error this much larger.
  std::vector<double> b1, b2;
  for (const auto& s : b) (s.question_type == "object_counting" ? b2 : b1).push_back(s.score);
  const double se_unpaired = 50 * std::sqrt((pop_var(a1) + pop_var(b1)) / n1 + (pop_var(a2) + pop_var(b2)) / n2);
  EXPECT_LT(se_d, 0.7 * se_unpaired);
}

TEST(Bootstrap, MismatchedRecordsNameTheFiles) {
  auto other = hand_a();
  other.back().id = "c9";
  const std::vector<ScoredRun> runs{run_of("a", hand_a()), run_of("b", other)};
  try {
    paired_bootstrap(runs);
    FAIL();
  } catch (const vsr::Error& e) {
    const std::string what = e.what();
    EXPECT_EQ(e.file(), "/runs/b/eval/vanilla/scores.jsonl");
    EXPECT_NE(what.find("not the records of /runs/a/eval/vanilla/scores.jsonl"), std::string::npos) << what;
    EXPECT_NE(what.find("1 of its ids missing here, first \"c3\""), std::string::npos) << what;
    EXPECT_NE(what.find("1 ids not there, first \"c9\""), std::string::npos) << what;
  }
  auto retyped = hand_a();
  retyped[0].question_type = "object_size_estimation";
  EXPECT_THROW(paired_bootstrap(std::vector<ScoredRun>{run_of("a", hand_a()), run_of("b", retyped)}), vsr::Error);
  auto repeated = hand_a();
  repeated[1].id = "c1";
  try {
    paired_bootstrap(std::vector<ScoredRun>{run_of("a", repeated)});
    FAIL();
  } catch (const vsr::Error& e) {
    EXPECT_EQ(std::string(e.what()), "/runs/a/eval/vanilla/scores.jsonl: record \"c1\": id repeated");
  }
}

TEST(Bootstrap, SameSeedSameResult) {
  const std::vector<ScoredRun> runs{run_of("a", synthetic(25, 4)), run_of("b", synthetic(25, 5)),
                                    run_of("c", synthetic(25, 6))};
  const auto first = to_json(paired_bootstrap(runs, {.resamples = 300, .seed = 9})).dump();
  EXPECT_EQ(to_json(paired_bootstrap(runs, {.resamples = 300, .seed = 9})).dump(), first);
  EXPECT_NE(to_json(paired_bootstrap(runs, {.resamples = 300, .seed = 10})).dump(), first);
  const auto j = nlohmann::json::parse(first);
  EXPECT_EQ(j["differences"].size(), 2u);
  EXPECT_EQ(j["differences"][1]["label"], "c");
  EXPECT_EQ(j["differences"][1]["baseline"], "a");
}

TEST(Bootstrap, PercentileIsNumpysLinearDefault) {
  EXPECT_DOUBLE_EQ(percentile({4, 1, 3, 2}, 0.5), 2.5);
  EXPECT_DOUBLE_EQ(percentile({1, 2, 3, 4, 5}, 0.025), 1.1);  // numpy.percentile([1..5], 2.5)
  EXPECT_DOUBLE_EQ(percentile({1, 2, 3, 4, 5}, 0.975), 4.9);
  EXPECT_DOUBLE_EQ(percentile({7}, 0.975), 7.0);
}

TEST(Bootstrap, ReadsScoresJsonl) {
  const auto dir = vsr::test::temp_dir("bootstrap_scores");
  vsr::write_file_atomic(
      dir / "s.jsonl",
      "{\"id\": 12, \"question_type\": \"object_counting\", \"metric\": \"MRA:.5:.95:.05\", \"score\": 0.7}\n\n"
      "{\"id\": \"x\", \"question_type\": \"route_planning\", \"metric\": \"accuracy\", \"score\": 1.0}\n");
  const auto s = read_record_scores(dir / "s.jsonl");
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0].id, "12");
  EXPECT_TRUE(s[0].numeric_id);
  EXPECT_EQ(s[0].score, 0.7);
  EXPECT_EQ(s[1].question_type, "route_planning");
  vsr::write_file_atomic(dir / "bad.jsonl",
                         "{\"id\": \"x\", \"question_type\": \"route_planning\", \"metric\": \"accuracy\", "
                         "\"score\": \"1\"}\n");
  try {
    read_record_scores(dir / "bad.jsonl");
    FAIL();
  } catch (const vsr::Error& e) {
    EXPECT_EQ(std::string(e.what()), (dir / "bad.jsonl").string() + ": line 1: score: expected a number, found string");
  }
}

}  // namespace
