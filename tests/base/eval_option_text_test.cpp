// Option-text matching (eval.option_text) on VSI-Bench's official option formats, and the evaluation sets a recipe
// runs (eval.sets): the paper's by default, named folders, bad specs named.
#include "vsr/core/error.hpp"
#include "vsr/eval/evaluator.hpp"
#include "vsr/eval/option_text.hpp"
#include "vsr/eval/vsi_eval.hpp"

#include <gtest/gtest.h>

using namespace vsr;

namespace {

data::Sample question(const std::string& type, std::vector<std::string> options, const std::string& truth) {
  data::Sample s;
  s.id = "q";
  s.dataset = "scannet";
  s.scene_name = "scene0000_00";
  s.question_type = type;
  s.question = "?";
  s.options = std::move(options);
  s.ground_truth = truth;
  return s;
}

}  // namespace

TEST(OptionText, MatchesTheOfficialOptionFormats) {
  // The option lists below are VSI-Bench's own (tests/data/vsibench_metric/records.jsonl).
  const auto easy = question("object_rel_direction_easy", {"A. right", "B. left"}, "B");
  EXPECT_EQ(eval::option_letter_for_text(easy, "left"), "B");
  EXPECT_EQ(eval::option_letter_for_text(easy, " Left. "), "B");
  const auto hard = question("object_rel_direction_hard", {"A. back-left", "B. front-left", "C. front-right",
                                                           "D. back-right"}, "C");
  EXPECT_EQ(eval::option_letter_for_text(hard, "front right"), "C");
  EXPECT_EQ(eval::option_letter_for_text(hard, "Front-Right"), "C");
  const auto route = question("route_planning", {"A. Turn Right", "B. Turn Left", "C. Turn Back"}, "A");
  EXPECT_EQ(eval::option_letter_for_text(route, "turn right"), "A");  // the paper's Figure 3 answer
  const auto order = question("obj_appearance_order", {"A. toilet, pillow, bathtub, monitor",
                                                       "B. bathtub, pillow, monitor, toilet"}, "B");
  EXPECT_EQ(eval::option_letter_for_text(order, "bathtub, pillow, monitor, toilet"), "B");
  const auto distance = question("object_rel_distance", {"A. plant", "B. printer", "C. pillow", "D. backpack"}, "B");
  EXPECT_EQ(eval::option_letter_for_text(distance, "the printer"), "B");
  EXPECT_EQ(eval::option_letter_for_text(distance, "printer or plant"), std::nullopt);
  EXPECT_EQ(eval::option_letter_for_text(distance, ""), std::nullopt);
  const auto twice = question("object_rel_distance", {"A. chair", "B. chair"}, "A");
  EXPECT_EQ(eval::option_letter_for_text(twice, "chair"), std::nullopt);  // ambiguous: no single match
}

TEST(OptionText, OnlyAnswersTheScorerCannotReadAreMapped) {
  const auto route = question("route_planning", {"A. Turn Right", "B. Turn Left", "C. Turn Back"}, "A");
  // Officially "turn right" scores 0 (its first word is no option letter); with matching it is A, right.
  EXPECT_EQ(eval::score_sample(route, "turn right", eval::ZeroTruth::kError).score, 0.0);
  EXPECT_EQ(eval::option_text_prediction(route, "turn right"), "A");
  EXPECT_EQ(eval::score_sample(route, eval::option_text_prediction(route, "turn right"), eval::ZeroTruth::kError).score,
            1.0);
  EXPECT_EQ(eval::option_text_prediction(route, "B"), "B");  // a letter stays what the scorer reads
  const auto count = question("object_counting", {}, "3");
  EXPECT_EQ(eval::option_text_prediction(count, "three"), "three");  // no options: nothing to match
}

TEST(EvalSets, ThePapersEvaluationsByDefault) {
  eval::EvalOptions o;
  const auto think = eval::eval_sets(o, "think");
  ASSERT_EQ(think.size(), 2u);
  EXPECT_EQ(think[0].mode, "vanilla");
  EXPECT_EQ(think[0].prompt, "official");
  EXPECT_EQ(think[0].name, "vanilla");
  EXPECT_EQ(think[1].mode, "think");
  EXPECT_EQ(think[1].prompt, "train");
  EXPECT_EQ(think[1].name, "think");
  const auto vanilla = eval::eval_sets(o, "vanilla");
  ASSERT_EQ(vanilla.size(), 2u);
  EXPECT_EQ(vanilla[1].name, "vanilla-train");
  o.sets = "observe, vanilla:mode";
  const auto custom = eval::eval_sets(o, "think");
  ASSERT_EQ(custom.size(), 2u);
  EXPECT_EQ(custom[0].prompt, "train");
  EXPECT_EQ(custom[0].name, "observe");
  EXPECT_EQ(custom[1].name, "vanilla-mode");
  for (const char* bad : {"vanila:official", "think:training", "think,think:train", ","}) {
    o.sets = bad;
    EXPECT_THROW(eval::eval_sets(o, "think"), Error) << bad;
  }
}
