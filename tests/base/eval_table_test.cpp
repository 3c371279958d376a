// Torch-free parts of the evaluator: the paper-order table, the resumable predictions file, VSI-Bench prompt texts
// and scoring of samples, and the general multiple-choice benchmark (letter extraction, accuracy by hand).
#include "test_support.hpp"
#include "vsr/core/error.hpp"
#include "vsr/core/run_dir.hpp"
#include "vsr/eval/evaluator.hpp"
#include "vsr/eval/mc.hpp"
#include "vsr/eval/predictions.hpp"
#include "vsr/eval/table.hpp"
#include "vsr/eval/vsi_eval.hpp"

#include <gtest/gtest.h>

#include <fstream>

namespace {

using namespace vsr::eval;

TEST(EvalTable, PaperColumnOrderAndMissingTypes) {
  EXPECT_EQ(vsi_headings(), (std::vector<std::string>{"Avg.", "Obj. Count", "Abs. Dist.", "Obj. Size", "Room Size",
                                                     "Rel. Dist.", "Rel. Dir.", "Route Plan", "Appr. Order"}));
  // An aggregate as eval::aggregate writes it (keys in official order, not the paper's), two types missing.
  const auto agg = nlohmann::ordered_json::parse(R"({"overall": 31.26, "object_counting_MRA:.5:.95:.05": 40.0,
      "object_abs_distance_MRA:.5:.95:.05": 12.34, "room_size_estimation_MRA:.5:.95:.05": 20.0,
      "object_rel_distance_accuracy": 50.0, "object_rel_direction_accuracy": 33.333333,
      "obj_appearance_order_accuracy": 100.0, "tabulated_keys": "x", "tabulated_results": "y"})");
  EXPECT_EQ(vsi_row(agg), (std::vector<std::string>{"31.3", "40.0", "12.3", "-", "20.0", "50.0", "33.3", "-", "100.0"}));
  EXPECT_EQ(markdown_table({"A", "B"}, {{"x", "1.0"}, {"y", "-"}}), "| A | B |\n| --- | ---: |\n| x | 1.0 |\n| y | - |\n");
  EXPECT_EQ(plain_table({"Split", "Acc"}, {{"overall", "5.0"}}), "Split    Acc\n------------\noverall  5.0\n");
}

TEST(EvalPredictions, TornLastLineIsDroppedAndFileRewritten) {
  const auto dir = vsr::test::temp_dir("eval_predictions");
  const auto path = dir / "predictions.jsonl";
  EXPECT_TRUE(load_predictions_for_resume(path).empty());  // missing file
  std::vector<Prediction> ps(2);
  ps[0] = {"a", "object_counting", "3", "3", "<answer>3</answer>", true};
  ps[1] = {"b", "route_planning", "B", "B", "B", true, false};
  append_predictions(path, ps);
  const std::string good = vsr::read_file(path);
  EXPECT_EQ(good.substr(0, good.find('\n')),
            R"({"id":"a","question_type":"object_counting","ground_truth":"3","prediction":"3","output":"<answer>3</answer>","format_ok":true,"readable":true})");
  {
    std::ofstream f(path, std::ios::app);
    f << R"({"id":"c","question_type":"obj)";  // killed mid-write
  }
  const auto back = load_predictions_for_resume(path);
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(back[1].id, "b");
  EXPECT_EQ(back[0].output, "<answer>3</answer>");
  EXPECT_TRUE(back[0].readable);
  EXPECT_FALSE(back[1].readable);
  // Lines written before `readable` existed read as readable; a mistyped one is an error naming the field.
  const auto old_line = nlohmann::json::parse(R"({"id":1,"question_type":"t","ground_truth":"3","prediction":"x","output":"x","format_ok":false})");
  EXPECT_TRUE(Prediction::from_json(old_line, "p.jsonl", "line 1").readable);
  auto mistyped = old_line;
  mistyped["readable"] = "no";
  EXPECT_THROW(Prediction::from_json(mistyped, "p.jsonl", "line 1"), vsr::Error);
  EXPECT_EQ(vsr::read_file(path), good);  // rewritten without the torn line
  // A bad line that is not the last one is an error naming the line.
  vsr::write_file_atomic(path, "not json\n" + good);
  try {
    load_predictions_for_resume(path);
    FAIL() << "expected vsr::Error";
  } catch (const vsr::Error& e) {
    EXPECT_NE(std::string(e.what()).find("line 1"), std::string::npos) << e.what();
  }
}

vsr::data::Sample sample(std::string type, std::string question, std::vector<std::string> options, std::string gt) {
  vsr::data::Sample s;
  s.id = "q1";
  s.question_type = std::move(type);
  s.question = std::move(question);
  s.options = std::move(options);
  s.ground_truth = std::move(gt);
  return s;
}

TEST(EvalVsi, PromptTextsMatchTheOfficialLayout) {
  const auto mca = sample("route_planning", "Which way?", {"A. left", "B. right"}, "B");
  EXPECT_EQ(vsi_prompt_text(mca, "Think."), "These are frames of a video.\nWhich way?\nOptions:\nA. left\nB. right\nThink.");
  // With the official post-prompt the text is exactly the official vsibench_doc_to_text.
  EXPECT_EQ(vsi_prompt_text(mca, official_instruction(mca)), vsibench_prompt(to_vsi_record(mca)));
  const auto na = sample("object_counting", "How many chairs?", {}, "4");
  EXPECT_EQ(vsi_prompt_text(na, official_instruction(na)), vsibench_prompt(to_vsi_record(na)));
  EXPECT_EQ(vsi_prompt_text(na, "Answer."), "These are frames of a video.\nHow many chairs?\nAnswer.");
}

TEST(EvalVsi, GenericRecordsSayWhatTheyShow) {
  auto generic = sample("maze", "Which route?", {}, "RR");
  generic.answer_type = "text";
  EXPECT_EQ(vsi_prompt_text(generic, "Answer."), "Which route?\nAnswer.");  // text-only: no picture header
  generic.images = {"a.png"};
  EXPECT_EQ(vsi_prompt_text(generic, "Answer."), "This is an image.\nWhich route?\nAnswer.");
  generic.images = {"a.png", "b.png"};
  EXPECT_EQ(vsi_prompt_text(generic, "Answer."), "These are images.\nWhich route?\nAnswer.");
  generic.images.clear();
  generic.video = "walk.mp4";
  EXPECT_EQ(vsi_prompt_text(generic, "Answer."), "These are frames of a video.\nWhich route?\nAnswer.");
}

TEST(EvalVsi, ScoresAreTheOfficialOnesAndEntityAnswersExactMatch) {
  const auto na = sample("object_counting", "How many chairs?", {}, "4");
  EXPECT_DOUBLE_EQ(score_sample(na, "5", ZeroTruth::kError).score, 0.6);  // |5-4|/4 = .25 <= t for t = .5,.45,...,.25: 6 of 10
  EXPECT_EQ(score_sample(na, "5", ZeroTruth::kError).metric, "MRA:.5:.95:.05");
  const auto mca = sample("object_rel_distance", "Which is closest?", {"A. bed", "B. sofa"}, "B");
  EXPECT_EQ(score_sample(mca, "B. sofa", ZeroTruth::kError).score, 1.0);  // official fuzzy matching: first word
  EXPECT_EQ(score_sample(mca, "sofa", ZeroTruth::kError).score, 0.0);
  const auto entity = sample("object_rel_distance", "Which is closest?", {}, "dining table");
  EXPECT_EQ(score_sample(entity, " Dining Table\n", ZeroTruth::kError).score, 1.0);
  EXPECT_EQ(score_sample(entity, "dining", ZeroTruth::kError).score, 0.0);
  EXPECT_EQ(score_sample(entity, "x", ZeroTruth::kError).metric, "accuracy");
  const auto zero = sample("object_counting", "How many?", {}, "0");
  EXPECT_THROW(score_sample(zero, "1", ZeroTruth::kError), vsr::Error);
  EXPECT_EQ(score_sample(zero, "1", ZeroTruth::kScoreZero).score, 0.0);
  EXPECT_THROW(parse_zero_truth("maybe"), vsr::Error);
}

// Readable = the official scorer finds a number (NA) or an option letter (MCA) in the answer, right or wrong.
TEST(EvalVsi, BenchmarkReadableIsWhatTheScorerCanParse) {
  const auto na = sample("object_abs_distance", "How far?", {}, "2.4");
  EXPECT_TRUE(benchmark_readable(na, "3"));
  EXPECT_TRUE(benchmark_readable(na, "2.5 meters"));  // first word "2.5"
  EXPECT_TRUE(benchmark_readable(na, "3."));          // trailing dot removed
  EXPECT_FALSE(benchmark_readable(na, "A"));          // an option letter for a distance
  EXPECT_FALSE(benchmark_readable(na, "2labelslabels"));
  EXPECT_FALSE(benchmark_readable(na, ""));
  const auto mca = sample("object_rel_distance", "Which is closest?", {"A. bed", "B. sofa", "C. desk"}, "B");
  EXPECT_TRUE(benchmark_readable(mca, "C"));          // wrong, but readable
  EXPECT_TRUE(benchmark_readable(mca, "b. sofa"));    // case folded, first word, dot removed
  EXPECT_FALSE(benchmark_readable(mca, "D"));         // not one of the options
  EXPECT_FALSE(benchmark_readable(mca, "sofa"));
  EXPECT_FALSE(benchmark_readable(mca, "3"));
  const auto entity = sample("object_rel_distance", "Which is closest?", {}, "sofa");
  EXPECT_TRUE(benchmark_readable(entity, "bed"));
  EXPECT_FALSE(benchmark_readable(entity, "  \n"));
}

TEST(EvalVsi, OtherSceneVideosGiveEachQuestionTheNextOtherScenesVideo) {
  std::vector<vsr::data::Sample> s(4);
  const char* scenes[] = {"a", "a", "b", "c"};
  for (int i = 0; i < 4; ++i) {
    s[i].scene_name = scenes[i];
    s[i].video = std::string("v") + std::to_string(i) + ".mp4";
    s[i].question = "q" + std::to_string(i);
  }
  const auto blind = with_other_scene_videos(s);
  ASSERT_EQ(blind.size(), 4u);
  EXPECT_EQ(blind[0].video, "v2.mp4");  // the next record of another scene
  EXPECT_EQ(blind[1].video, "v2.mp4");
  EXPECT_EQ(blind[2].video, "v3.mp4");
  EXPECT_EQ(blind[3].video, "v0.mp4");  // cyclically
  EXPECT_EQ(blind[3].question, "q3");   // nothing else changes
  s.resize(2);                          // one scene only
  EXPECT_THROW(with_other_scene_videos(s), vsr::Error);
  EvalOptions options;
  options.videos = "none";
  EXPECT_THROW(options.validate(), vsr::Error);
  options.videos = "other-scene";
  EXPECT_NO_THROW(options.validate());
}

TEST(EvalMc, LetterExtraction) {
  EXPECT_EQ(extract_choice_letter("B", 4), 'B');
  EXPECT_EQ(extract_choice_letter("(C) a cat", 4), 'C');
  EXPECT_EQ(extract_choice_letter("The answer is D.", 4), 'D');
  EXPECT_EQ(extract_choice_letter("Because", 4), std::nullopt);
  EXPECT_EQ(extract_choice_letter("E. none", 4), std::nullopt);  // not an option letter
  EXPECT_EQ(extract_choice_letter("I think B", 4), 'B');          // I is not among A-D
  EXPECT_EQ(extract_choice_letter("A1 or B", 4), 'B');
  EXPECT_EQ(extract_choice_letter("", 4), std::nullopt);
}

TEST(EvalMc, RecordsPromptAndHandComputedAccuracy) {
  const auto dir = vsr::test::temp_dir("eval_mc");
  vsr::write_file_atomic(dir / "mc.jsonl",
      R"({"id": 1, "video": "v1.mp4", "question": "What colour?", "options": ["A. red", "B. blue"], "answer": "B", "category": "color", "duration": "short"})" "\n"
      R"({"id": "two", "video": "/abs/v2.mp4", "question": "How many?", "options": ["A. 1", "B. 2", "C. 3"], "answer": "C", "category": "count"})" "\n"
      R"({"id": "three", "video": "v3.mp4", "question": "Which?", "options": ["A. x", "B. y", "C. z"], "answer": "A", "category": "count", "duration": "long"})" "\n");
  const auto records = load_mc_records(dir / "mc.jsonl", "/videos");
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[0].id, "1");
  EXPECT_EQ(records[0].video, std::filesystem::path("/videos/v1.mp4"));
  EXPECT_EQ(records[1].video, std::filesystem::path("/abs/v2.mp4"));
  EXPECT_EQ(mc_prompt_text(records[0]),
            "What colour?\nA. red\nB. blue\nAnswer with the option's letter from the given choices directly.");
  const std::vector<Prediction> preds{mc_prediction(records[0], "B. blue"), mc_prediction(records[1], "I guess (C)."),
                                      mc_prediction(records[2], "none of them")};
  EXPECT_EQ(preds[1].prediction, "C");
  EXPECT_FALSE(preds[2].format_ok);
  EXPECT_EQ(preds[2].prediction, "none of them");
  const auto agg = mc_aggregate(records, preds);
  EXPECT_DOUBLE_EQ(agg["overall"].get<double>(), 200.0 / 3.0);  // 2 of 3
  EXPECT_EQ(agg["correct"], 2);
  EXPECT_DOUBLE_EQ(agg["category"]["color"]["accuracy"].get<double>(), 100.0);
  EXPECT_DOUBLE_EQ(agg["category"]["count"]["accuracy"].get<double>(), 50.0);
  EXPECT_DOUBLE_EQ(agg["duration"]["long"]["accuracy"].get<double>(), 0.0);
  EXPECT_EQ(mc_table(agg, true),
            "| Split | Records | Accuracy |\n| --- | ---: | ---: |\n| overall | 3 | 66.7 |\n| category: color | 1 | 100.0 |\n"
            "| category: count | 2 | 50.0 |\n| duration: long | 1 | 0.0 |\n| duration: short | 1 | 100.0 |\n");
  // Bad records: an answer that is no option letter, a repeated id.
  vsr::write_file_atomic(dir / "bad.jsonl", R"({"id": 1, "video": "v", "question": "q", "options": ["A. x"], "answer": "B"})" "\n");
  EXPECT_THROW(load_mc_records(dir / "bad.jsonl"), vsr::Error);
  vsr::write_file_atomic(dir / "dup.jsonl", R"({"id": 1, "video": "v", "question": "q", "options": ["A. x"], "answer": "A"})" "\n"
                                            R"({"id": 1, "video": "v", "question": "q", "options": ["A. x"], "answer": "A"})" "\n");
  EXPECT_THROW(load_mc_records(dir / "dup.jsonl"), vsr::Error);
}

}  // namespace
