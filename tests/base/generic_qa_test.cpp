// The generic QA format (docs/data.md): text-only, image and video records read with their paths resolved, bad
// records named by field, round trips through the builder's writer, answer kinds, and the generic scores and
// aggregate against hand values.
#include "vsr/core/error.hpp"
#include "vsr/core/run_dir.hpp"
#include "vsr/data/records.hpp"
#include "vsr/eval/bootstrap.hpp"
#include "vsr/eval/qa_score.hpp"

#include <gtest/gtest.h>

#include "test_support.hpp"

namespace vsr {
namespace {

namespace fs = std::filesystem;

std::string read_error(const fs::path& file, const std::string& text) {
  write_file_atomic(file, text);
  try {
    (void)data::read_samples(file);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(GenericQa, ReadsTextImageAndVideoRecords) {
  const auto dir = test::temp_dir("generic_qa");
  const auto file = dir / "qa.jsonl";
  write_file_atomic(file,
                    R"({"id": "t1", "task": "maze", "question": "Which way?", "answer": "RRD", "answer_type": "text"})" "\n"
                    R"({"id": 2, "question": "How many?", "answer": 3, "answer_type": "number", "images": ["a.png", "/abs/b.png"]})" "\n"
                    R"({"id": "v1", "task": "room", "question": "Which?", "options": ["A. sofa", "B. bed"], "answer": "B", "answer_type": "choice", "video": "clips/v.mp4", "meta": {"k": 1}})" "\n");
  const auto s = data::read_samples(file);
  ASSERT_EQ(s.size(), 3u);
  EXPECT_TRUE(data::is_text_only(s[0]));
  EXPECT_EQ(s[0].question_type, "maze");
  EXPECT_EQ(s[0].ground_truth, "RRD");
  EXPECT_EQ(data::answer_kind(s[0]), data::AnswerKind::Choice);
  EXPECT_EQ(s[1].id, "2");
  EXPECT_EQ(s[1].question_type, "qa");  // the default task
  EXPECT_EQ(s[1].ground_truth, "3");
  EXPECT_EQ(data::answer_kind(s[1]), data::AnswerKind::Numeric);
  ASSERT_EQ(s[1].images.size(), 2u);
  EXPECT_EQ(s[1].images[0], dir / "a.png");  // relative to the records file's folder
  EXPECT_EQ(s[1].images[1], fs::path("/abs/b.png"));
  EXPECT_EQ(s[2].video, dir / "clips" / "v.mp4");
  EXPECT_EQ(s[2].options.size(), 2u);
  EXPECT_EQ(s[2].meta["k"], 1);
  // With --video-root, relative paths are taken against it instead.
  EXPECT_EQ(data::read_samples(file, "/media")[2].video, fs::path("/media/clips/v.mp4"));
  // Written by the builder's writer and read again: the same records.
  data::write_samples(dir / "back.jsonl", s);
  const auto back = data::read_samples(dir / "back.jsonl");
  for (std::size_t i = 0; i < s.size(); ++i) EXPECT_EQ(data::sample_to_json(back[i]), data::sample_to_json(s[i])) << i;
  // A VSI-Bench record keeps its question_type rule.
  data::Sample vsi;
  vsi.question_type = "object_counting";
  EXPECT_EQ(data::answer_kind(vsi), data::AnswerKind::Numeric);
}

TEST(GenericQa, BadRecordsNameTheField) {
  const auto dir = test::temp_dir("generic_qa_bad");
  const auto f = dir / "bad.jsonl";
  const std::string name = f.string();
  EXPECT_EQ(read_error(f, R"({"id": "a", "question": "q", "answer": "x"})"),
            name + ": line 1.answer_type: missing");
  EXPECT_EQ(read_error(f, R"({"id": "a", "question": "q", "answer": "x", "answer_type": "word"})"),
            name + ": line 1.answer_type: expected \"number\", \"choice\" or \"text\", found \"word\"");
  EXPECT_EQ(read_error(f, R"({"id": "a", "question": "q", "answer": "x", "answer_type": "text", "video": "v.mp4", "images": ["i.png"]})"),
            name + ": line 1.video: expected a video or images, not both (one record shows one kind of picture)");
  EXPECT_EQ(read_error(f, R"({"id": "a", "question": "q", "answer": "sofa", "answer_type": "choice", "options": ["A. sofa"]})"),
            name + ": line 1.answer: expected an option letter for answer_type \"choice\" with options, found \"sofa\"");
  EXPECT_EQ(read_error(f, R"({"id": "a", "question": "q", "answer": "1", "answer_type": "number", "options": ["A. 1"]})"),
            name + ": line 1.options: options need answer_type \"choice\", found \"number\"");
  EXPECT_EQ(read_error(f, R"({"id": "a", "question": "q", "answer": "1", "answer_type": "text", "images": "i.png"})"),
            name + ": line 1.images: expected an array of strings or null");
  EXPECT_EQ(read_error(f, R"({"id": "a", "answer": "1", "answer_type": "text"})"), name + ": line 1.question: missing");
}

TEST(GenericQa, ScoresAndAggregateMatchHandValues) {
  data::Sample number;
  number.id = "n", number.question_type = "count", number.answer_type = "number", number.ground_truth = "10";
  data::Sample text;
  text.id = "t", text.question_type = "maze", text.answer_type = "text", text.ground_truth = "RRD";
  data::Sample choice;
  choice.id = "c", choice.question_type = "maze", choice.answer_type = "choice", choice.ground_truth = "B";
  choice.options = {"A. x", "B. y"};
  EXPECT_FALSE(eval::is_vsibench_sample(number));
  // MRA: |11.7 - 10| / 10 = 0.17 is within the relative-error bounds 0.5, 0.45, ..., 0.2 (7 of the 10 bounds
  // 0.5 .. 0.05) and outside 0.15, 0.1, 0.05: 0.7.
  const auto n = eval::score_generic(number, "11.7");
  EXPECT_EQ(n.metric, "MRA:.5:.95:.05");
  EXPECT_DOUBLE_EQ(n.score, 0.7);
  data::Sample zero = number;
  zero.ground_truth = "0";  // MRA is undefined at 0: exact match
  EXPECT_DOUBLE_EQ(eval::score_generic(zero, "0").score, 1.0);
  EXPECT_DOUBLE_EQ(eval::score_generic(zero, "0.0 cups").score, 1.0);
  EXPECT_DOUBLE_EQ(eval::score_generic(zero, "1").score, 0.0);
  data::Sample vsi_named = text;
  vsi_named.question_type = "object_counting";  // a generic record that borrows a VSI-Bench name stays generic
  EXPECT_FALSE(eval::is_vsibench_sample(vsi_named));
  EXPECT_DOUBLE_EQ(eval::score_generic(text, " rrd ").score, 1.0);  // trimmed, case-folded whole answer
  EXPECT_DOUBLE_EQ(eval::score_generic(text, "RRD R").score, 0.0);
  EXPECT_DOUBLE_EQ(eval::score_generic(choice, "B. y").score, 1.0);  // VSI-Bench's first-word match of the letter
  const std::vector<eval::RecordScore> scores{n, eval::score_generic(text, "RRD"), eval::score_generic(choice, "A")};
  const auto agg = eval::generic_aggregate(scores);
  // Tasks: count_MRA = 70, maze_accuracy = (1 + 0) / 2 = 50; overall = (70 + 50) / 2 = 60.
  EXPECT_DOUBLE_EQ(agg["overall"].get<double>(), 60.0);
  EXPECT_DOUBLE_EQ(agg["count_MRA:.5:.95:.05"].get<double>(), 70.0);
  EXPECT_DOUBLE_EQ(agg["maze_accuracy"].get<double>(), 50.0);
  EXPECT_EQ(eval::generic_headings(agg), (std::vector<std::string>{"Overall", "count_MRA:.5:.95:.05", "maze_accuracy"}));
  EXPECT_EQ(eval::generic_row(agg), (std::vector<std::string>{"60.0", "70.0", "50.0"}));
  EXPECT_THROW(eval::generic_aggregate({}), Error);

  // The paired bootstrap on generic tasks: point values are generic_aggregate's; a run that answers the maze right
  // too (maze_accuracy 100) differs by (70 + 100) / 2 - 60 = +25.
  auto better = scores;
  better[2].score = 1.0;
  const std::vector<eval::ScoredRun> runs{{"base", "a", scores}, {"better", "b", better}};
  eval::BootstrapOptions bo;
  bo.resamples = 50;
  const auto result = eval::paired_bootstrap(runs, bo);
  EXPECT_DOUBLE_EQ(result.runs[0].avg.value, 60.0);
  EXPECT_DOUBLE_EQ(result.runs[1].avg.value, 85.0);
  EXPECT_DOUBLE_EQ(result.differences[0].avg.value, 25.0);
  // The resampled statistics: every interval holds its point value, and resampling each record once is the aggregate.
  for (const auto& run : result.runs) {
    EXPECT_LE(run.avg.low, run.avg.value);
    EXPECT_GE(run.avg.high, run.avg.value);
  }
  const eval::PairedScores paired(runs);
  EXPECT_FALSE(paired.vsibench());
  const auto once = paired.values(1, paired.all());
  EXPECT_DOUBLE_EQ(once.overall, 0.85);
  ASSERT_EQ(once.columns.size(), 2u);
  EXPECT_EQ(once.columns[0].first, "count_MRA:.5:.95:.05");
  EXPECT_DOUBLE_EQ(once.columns[0].second, 0.7);
  EXPECT_EQ(once.columns[1].first, "maze_accuracy");
  EXPECT_DOUBLE_EQ(once.columns[1].second, 1.0);
}

}  // namespace
}  // namespace vsr
