// VSI-Bench scoring against the official scorer's goldens (tests/data/vsibench_metric, README there): every
// per-record score, fuzzy match and parsed float, every aggregate subset, every prompt, the crash cases, and
// `vsr score` end to end.
#include "test_support.hpp"
#include "vsr/core/error.hpp"
#include "vsr/core/run_dir.hpp"
#include "vsr/eval/vsibench.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <map>

namespace {

using nlohmann::json;
using nlohmann::ordered_json;
using namespace vsr::eval;

std::filesystem::path golden(const char* name) { return vsr::test::data_dir() / "vsibench_metric" / name; }

std::vector<json> read_jsonl(const std::filesystem::path& p) {
  std::vector<json> out;
  std::ifstream in(p);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(json::parse(line));
  return out;
}

/// Same double, NaN equal to NaN, -0.0 different from 0.0 (Python repr distinguishes them).
bool same_float(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  return a == b && std::signbit(a) == std::signbit(b);
}

std::vector<VsiRecord> golden_records() { return load_vsi_records(golden("records.jsonl")); }

VsiRecord na_record(std::string gt, std::string prediction, std::string type = "object_counting") {
  VsiRecord r;
  r.id = "t";
  r.question_type = std::move(type);
  r.ground_truth = std::move(gt);
  r.prediction = std::move(prediction);
  return r;
}

RecordScore score_of(std::string type, double score) { return {"x", false, std::move(type), "", score}; }

}  // namespace

TEST(VsiBenchThresholds, AreOneMinusNumpyLinspace) {
  // np.linspace(.5, .95, 10)[i] = .5 + i * step with step = (.95 - .5) / 9, the last point set to .95 exactly.
  const double step = (0.95 - 0.5) / 9.0;
  for (int i = 0; i < 10; ++i) {
    const double conf = i == 9 ? 0.95 : 0.5 + i * step;
    EXPECT_EQ(kMraThresholds[i], 1.0 - conf) << i;
  }
  EXPECT_EQ(kMraThresholds[8], 0.10000000000000009);
  EXPECT_EQ(static_cast<int>((0.95 - 0.5) / 0.05 + 2), 10);
}

TEST(VsiBenchPython, StripLowerFloatMatchPython) {
  EXPECT_EQ(python_strip("\x1c\xc2\xa0 B\t\xe3\x80\x80"), "B");
  EXPECT_EQ(python_strip("\xe2\x80\x8b" "B"), "\xe2\x80\x8b" "B");  // U+200B is not whitespace
  EXPECT_EQ(python_lower("AB\xc4\xb0"), "abi\xcc\x87");           // U+0130 -> i + U+0307
  EXPECT_EQ(python_lower("\xce\x9f\xce\xa3"), "\xce\xbf\xcf\x82");  // "ΟΣ" -> "ος" (final sigma)
  EXPECT_EQ(python_lower("\xce\xa3"), "\xcf\x83");                // a lone capital sigma is not final
  EXPECT_EQ(python_lower("\xe2\x84\xaa"), "k");                   // KELVIN SIGN
  EXPECT_EQ(python_decimal_value(0x0663), 3);
  EXPECT_EQ(python_decimal_value(0x1D7FF), 9);
  EXPECT_EQ(python_decimal_value(0x00B2), -1);   // superscript two is a digit, not a decimal
  EXPECT_EQ(python_decimal_value(0x11F53), -1);  // Kawi digit: Unicode 15, unknown to Python 3.11
  EXPECT_EQ(*python_float(" \xd9\xa3.5\xc2\xa0"), 3.5);
  EXPECT_EQ(*python_float("\xef\xbc\x91\xef\xbc\x92"), 12.0);
  EXPECT_EQ(*python_float("1_000.5e-1_0"), 1000.5e-10);
  EXPECT_EQ(*python_float(".5"), 0.5);
  EXPECT_EQ(*python_float("5."), 5.0);
  EXPECT_EQ(*python_float("-Infinity"), -INFINITY);
  EXPECT_EQ(*python_float("1e999"), INFINITY);
  EXPECT_EQ(*python_float("4.9e-324"), 4.9e-324);
  EXPECT_EQ(*python_float("9007199254740993"), 9007199254740992.0);  // ties to even
  EXPECT_TRUE(std::isnan(*python_float("+nAn")));
  EXPECT_TRUE(std::signbit(*python_float("-0")));
  for (const char* bad : {"", " ", "1e", "1__0", "_1", "1_", "1_.5", "0x10", "nan(1)", "infinit", "1 2", "3.5m",
                          "\x1c" "1", "\xe2\x80\x8b" "1", "\xc2\xb2", "--1", ".", "e5", "\xff"})
    EXPECT_FALSE(python_float(bad).has_value()) << vsr::quote(bad);
  EXPECT_EQ(python_float_repr(-0.0), "-0.0");
  EXPECT_EQ(python_float_repr(1e16), "1e+16");
  EXPECT_EQ(python_float_repr(1e15), "1000000000000000.0");
  EXPECT_EQ(python_float_repr(1e-5), "1e-05");
  EXPECT_EQ(python_float_repr(6.929999999999999), "6.929999999999999");
}

TEST(VsiBenchScore, FuzzyMatchEdgeCases) {
  EXPECT_EQ(fuzzy_match("B. left"), "B");
  EXPECT_EQ(fuzzy_match("B..."), "B");
  EXPECT_EQ(fuzzy_match("B.\n"), "B.");  // dots are removed before whitespace
  EXPECT_EQ(fuzzy_match("\tB\n"), "B");
  EXPECT_EQ(fuzzy_match(" B"), "");  // split(' ')[0] of a leading space is ''
  EXPECT_EQ(fuzzy_match("3.5 meters"), "3.5");
  EXPECT_EQ(exact_match("b", "B"), 1.0);
  EXPECT_EQ(exact_match("(B)", "B"), 0.0);
}

TEST(VsiBenchScore, EveryGoldenRecordScore) {
  const auto records = golden_records();
  const auto expected = read_jsonl(golden("scores.jsonl"));
  ASSERT_EQ(records.size(), 1012u);
  ASSERT_EQ(expected.size(), records.size());
  for (std::size_t i = 0; i < records.size(); ++i) {
    const auto& r = records[i];
    const auto& e = expected[i];
    SCOPED_TRACE("id " + r.id);
    ASSERT_EQ(r.id_json(), e["id"]);
    const auto s = score_record(r);
    EXPECT_EQ(s.question_type, e["question_type"].get<std::string>());
    EXPECT_EQ(s.metric, e["metric"].get<std::string>());
    EXPECT_NEAR(s.score, e["score"].get<double>(), 1e-9);
    EXPECT_EQ(s.to_json()["id"], e["id"]);
    const std::string fuzzy = fuzzy_match(*r.prediction);
    EXPECT_EQ(fuzzy, e["fuzzy_matched"].get<std::string>());
    if (!e.contains("pred_float")) continue;
    for (const auto& [key, text] : {std::pair{"pred_float", fuzzy}, std::pair{"gt_float", r.ground_truth}}) {
      const auto got = python_float(text);
      if (e[key].is_null()) {
        EXPECT_FALSE(got.has_value()) << key;
      } else {
        ASSERT_TRUE(got.has_value()) << key;
        EXPECT_EQ(python_float_repr(*got), e[key].get<std::string>()) << key;
        EXPECT_TRUE(same_float(*got, *python_float(e[key].get<std::string>()))) << key;
      }
    }
  }
}

TEST(VsiBenchScore, MraHandComputed) {
  EXPECT_EQ(mean_relative_accuracy(10.0, 10.0), 1.0);
  EXPECT_EQ(mean_relative_accuracy(11.0, 10.0), 0.9);  // 0.1 <= 0.10000000000000009
  EXPECT_EQ(mean_relative_accuracy(15.0, 10.0), 1.0 / 10.0 * 1);  // only 0.5 >= 0.5
  EXPECT_EQ(mean_relative_accuracy(-5.0, 10.0), 0.0);
  EXPECT_EQ(mean_relative_accuracy(100.0, -2.0), 1.0);  // negative ground truth: ratio <= 0
  EXPECT_EQ(mean_relative_accuracy(NAN, -2.0), 0.0);
  EXPECT_EQ(mean_relative_accuracy(INFINITY, 2.0), 0.0);
  EXPECT_THROW(mean_relative_accuracy(1.0, -0.0), std::domain_error);
}

TEST(VsiBenchScore, CrashCasesOfRaisesJsonl) {
  const auto raises = read_jsonl(golden("raises.jsonl"));
  ASSERT_FALSE(raises.empty());
  for (std::size_t i = 0; i < raises.size(); ++i) {
    const auto r = parse_vsi_record(raises[i], "raises.jsonl", "line " + std::to_string(i + 1));
    ASSERT_EQ(raises[i]["raises"], "ZeroDivisionError");
    EXPECT_TRUE(python_float(fuzzy_match(*r.prediction)).has_value());
    EXPECT_EQ(*python_float(r.ground_truth), 0.0);
    try {
      score_record(r);
      ADD_FAILURE() << "no error for id " << r.id;
    } catch (const vsr::Error& e) {
      EXPECT_NE(std::string(e.what()).find("ZeroDivisionError"), std::string::npos) << e.what();
      EXPECT_NE(e.field().find(r.id), std::string::npos);
    }
    EXPECT_EQ(score_record(r, ZeroTruth::kScoreZero).score, 0.0);
  }
  // Ground truth 0 with an unparseable prediction: TypeError comes first, score 0, no crash.
  EXPECT_EQ(score_record(na_record("0", "zero")).score, 0.0);
  EXPECT_THROW(score_record(na_record("3", "3", "object_volume")), vsr::Error);
  auto none = na_record("3", "3");
  none.prediction.reset();
  EXPECT_THROW(score_record(none), vsr::Error);
}

TEST(VsiBenchAggregate, EveryGoldenSubset) {
  const auto records = golden_records();
  const auto agg = ordered_json::parse(vsr::read_file(golden("aggregate.json")));
  ASSERT_FALSE(agg["subsets"].empty());
  for (const auto& subset : agg["subsets"]) {
    SCOPED_TRACE(subset["name"].get<std::string>());
    const auto& f = subset["filter"];
    std::vector<RecordScore> scores;
    for (const auto& r : records) {
      if (!f["datasets"].is_null() &&
          std::find(f["datasets"].begin(), f["datasets"].end(), r.dataset) == f["datasets"].end())
        continue;
      if (!f["question_types"].is_null() && std::find(f["question_types"].begin(), f["question_types"].end(),
                                                      r.question_type) == f["question_types"].end())
        continue;
      if (!f["first_n"].is_null() && scores.size() >= f["first_n"].get<std::size_t>()) break;
      scores.push_back(score_record(r));
    }
    ASSERT_EQ(scores.size(), subset["n_records"].get<std::size_t>());
    if (subset.contains("raises")) {
      EXPECT_THROW(aggregate(scores), vsr::Error) << subset["raises"];
      continue;
    }
    const auto got = aggregate(scores);
    const auto& want = subset["result"];
    ASSERT_EQ(got.size(), want.size());
    auto g = got.begin();
    for (auto w = want.begin(); w != want.end(); ++w, ++g) {
      ASSERT_EQ(g.key(), w.key());
      if (w->is_number())
        EXPECT_NEAR(g->get<double>(), w->get<double>(), 1e-9) << w.key();
      else
        EXPECT_EQ(*g, *w) << w.key();
    }
  }
}

TEST(VsiBenchAggregate, CrashCasesAndUnlistedMediumHard) {
  EXPECT_THROW(aggregate({}), vsr::Error);  // official: KeyError 'question_type'
  const std::vector<RecordScore> easy_only{score_of("object_rel_direction_easy", 1.0),
                                           score_of("object_rel_direction_hard", 0.0)};
  EXPECT_THROW(aggregate(easy_only), vsr::Error);  // official: KeyError (medium missing)
  // Without easy, medium/hard stay separate: they count in overall but are not listed (official behaviour).
  const std::vector<RecordScore> no_easy{score_of("object_rel_direction_medium", 1.0),
                                         score_of("object_rel_direction_hard", 0.0),
                                         score_of("route_planning", 1.0), score_of("route_planning", 0.0)};
  const auto got = aggregate(no_easy);
  EXPECT_DOUBLE_EQ(got["overall"].get<double>(), (1.0 + 0.0 + 0.5) / 3 * 100);
  EXPECT_EQ(got["route_planning_accuracy"].get<double>(), 50.0);
  EXPECT_FALSE(got.contains("object_rel_direction_accuracy"));
  EXPECT_EQ(got["tabulated_keys"], "overall, route_planning_accuracy");
  EXPECT_EQ(got["tabulated_results"], "50.000, 50.000");
  // easy/medium/hard weigh as one type in overall.
  const std::vector<RecordScore> all3{score_of("object_rel_direction_easy", 1.0),
                                      score_of("object_rel_direction_medium", 1.0),
                                      score_of("object_rel_direction_hard", 0.0), score_of("object_counting", 0.0)};
  EXPECT_DOUBLE_EQ(aggregate(all3)["overall"].get<double>(), (2.0 / 3.0 + 0.0) / 2 * 100);
  EXPECT_THROW(aggregate(std::vector<RecordScore>{score_of("object_volume", 1.0)}), vsr::Error);
}

TEST(VsiBenchPrompt, EveryGoldenPrompt) {
  const auto doc = json::parse(vsr::read_file(golden("prompts.json")));
  std::map<std::string, VsiRecord> by_id;
  for (auto& r : golden_records()) by_id[r.id] = r;
  ASSERT_FALSE(doc["prompts"].empty());
  for (const auto& p : doc["prompts"]) {
    const auto& record = by_id.at(p["id"].dump());
    const auto profile = PromptProfile::from_json(doc["profiles"][p["profile"].get<std::string>()]);
    EXPECT_EQ(vsibench_prompt(record, profile), p["prompt"].get<std::string>()) << p["id"] << " " << p["profile"];
  }
  for (const auto& e : doc["errors"]) {
    const auto& record = by_id.at(e["id"].dump());
    EXPECT_THROW(vsibench_prompt(record, PromptProfile::from_json(e["kwargs"])), vsr::Error);
  }
  EXPECT_THROW(PromptProfile::from_json(json{{"pre_prompt", 5}}), vsr::Error);
  const auto falsy = PromptProfile::from_json(json{{"pre_prompt", nullptr}, {"na_post_prompt", 0}});
  EXPECT_EQ(vsibench_prompt(na_record("1", "1"), falsy).substr(0, 29), "These are frames of a video.\n");
}

TEST(VsiBenchRecords, LoadErrorsNameFileLineAndField) {
  const auto dir = vsr::test::temp_dir("vsibench_records");
  const auto path = dir / "bad.jsonl";
  vsr::write_file_atomic(path,
                         "{\"id\": \"a\", \"question_type\": \"route_planning\", \"question\": \"q\", "
                         "\"options\": [\"A. x\"], \"ground_truth\": \"A\", \"case\": 3}\n\n"
                         "{\"id\": 2, \"question_type\": \"route_planning\", \"question\": \"q\", "
                         "\"options\": [\"A. x\", 7], \"ground_truth\": \"A\"}\n");
  try {
    load_vsi_records(path);
    FAIL() << "no error";
  } catch (const vsr::Error& e) {
    EXPECT_EQ(e.file(), path.string());
    EXPECT_EQ(e.field(), "line 3: options[1]");
  }
  vsr::write_file_atomic(path, "[{\"id\": 7, \"question_type\": \"object_counting\", \"question\": \"q\", "
                               "\"ground_truth\": 4, \"prediction\": \"4\", \"case\": \"x\"}]");
  const auto records = load_vsi_records(path);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_TRUE(records[0].numeric_id);
  EXPECT_EQ(records[0].ground_truth, "4");
  EXPECT_EQ(records[0].extra, json({{"case", "x"}}));
  EXPECT_EQ(score_record(records[0]).score, 1.0);
  vsr::write_file_atomic(path, "{\"id\": 1, \"question\": \"q\", \"ground_truth\": \"A\"}\n");
  EXPECT_THROW(load_vsi_records(path), vsr::Error);
}

TEST(VsiBenchCli, ScoreGoldenRecords) {
  const auto dir = vsr::test::temp_dir("vsr_score");
  const auto scores = dir / "scores.jsonl", agg = dir / "aggregate.json";
  const auto res = vsr::test::run_cli("score --records '" + golden("records.jsonl").string() + "' --scores '" +
                                      scores.string() + "' --aggregate '" + agg.string() + "'");
  ASSERT_EQ(res.exit_code, 0) << res.err;
  EXPECT_NE(res.out.find("overall"), std::string::npos);
  EXPECT_NE(res.out.find("41.960"), std::string::npos);
  const auto got = ordered_json::parse(vsr::read_file(agg));
  const auto want = ordered_json::parse(vsr::read_file(golden("aggregate.json")))["subsets"][0]["result"];
  ASSERT_EQ(got.size(), want.size());
  auto g = got.begin();
  for (auto w = want.begin(); w != want.end(); ++w, ++g) {
    EXPECT_EQ(g.key(), w.key());
    if (w->is_number())
      EXPECT_NEAR(g->get<double>(), w->get<double>(), 1e-9);
    else
      EXPECT_EQ(*g, *w);
  }
  const auto lines = read_jsonl(scores);
  const auto expected = read_jsonl(golden("scores.jsonl"));
  ASSERT_EQ(lines.size(), expected.size());
  for (std::size_t i = 0; i < lines.size(); ++i) {
    EXPECT_EQ(lines[i]["id"], expected[i]["id"]);
    EXPECT_EQ(lines[i]["metric"], expected[i]["metric"]);
    EXPECT_NEAR(lines[i]["score"].get<double>(), expected[i]["score"].get<double>(), 1e-9);
  }
  // The official crash case is an error by default, a 0 score with --zero-truth=zero.
  const auto raises = golden("raises.jsonl").string();
  const auto crash = vsr::test::run_cli("score --records '" + raises + "'");
  EXPECT_EQ(crash.exit_code, 2);
  EXPECT_NE(crash.err.find("ZeroDivisionError"), std::string::npos) << crash.err;
  const auto zero = vsr::test::run_cli("score --records '" + raises + "' --zero-truth zero --aggregate '" +
                                       agg.string() + "'");
  ASSERT_EQ(zero.exit_code, 0) << zero.err;
  EXPECT_EQ(ordered_json::parse(vsr::read_file(agg))["overall"].get<double>(), 0.0);
}
