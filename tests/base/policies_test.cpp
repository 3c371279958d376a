// Tests of the prompt modes and rewards against hand-computed values (vsGRPO sections 3 and 4.2).
#include "vsr/concepts.hpp"
#include "vsr/eval/answer_format.hpp"
#include "vsr/prompt/observe.hpp"
#include "vsr/prompt/think.hpp"
#include "vsr/prompt/vanilla.hpp"
#include "vsr/reward/accuracy.hpp"
#include "vsr/reward/format.hpp"
#include "vsr/reward/length.hpp"
#include "vsr/reward/mra.hpp"
#include "vsr/reward/sum.hpp"

#include <gtest/gtest.h>

using namespace vsr;

static_assert(PromptMode<prompt::Think> && PromptMode<prompt::Observe> && PromptMode<prompt::Vanilla>);
static_assert(Reward<reward::Format> && Reward<reward::Accuracy>);
static_assert(RewardFitsMode<reward::Format, prompt::Think>);
static_assert(!RewardFitsMode<reward::Format, prompt::Vanilla>, "vanilla mode has no format to reward");
static_assert(reward::kFitsMode<reward::Sum<reward::Accuracy>, prompt::Vanilla>);
static_assert(!reward::kFitsMode<reward::Sum<reward::Format, reward::Accuracy>, prompt::Vanilla>);
static_assert(!PromptMode<int> && !Reward<prompt::Think>);

TEST(PromptModes, PaperInstructions) {
  data::Sample s;
  EXPECT_EQ(prompt::Vanilla{}.instruction(s), "Please provide the short answer with one or two words or a number.");
  EXPECT_EQ(prompt::Vanilla{}.instruction(s, prompt::Stage::Eval), "Please answer the question using a single word or phrase.");
  EXPECT_EQ(prompt::Think{}.instruction(s, prompt::Stage::Eval),
            "Let's think step by step and then answer the question using a single word or phrase.");
  EXPECT_EQ(prompt::Observe{}.instruction(s, prompt::Stage::Eval),
            "Please observe the video first and then answer the question using a single word or phrase.");
  EXPECT_TRUE(prompt::Think{}.instruction(s).ends_with("a number in <answer> </answer>."));
  EXPECT_TRUE(prompt::Observe{}.instruction(s).starts_with("Please observe carefully and analyze what you see"));
}

TEST(PromptModes, ExtractAnswer) {
  prompt::Think think;
  EXPECT_EQ(think.extract_answer("<think>count</think><answer> 3 </answer>"), "3");
  EXPECT_EQ(think.extract_answer("<answer>a</answer><answer>b</answer>"), "a");
  EXPECT_EQ(think.extract_answer("<answer>multi\nline</answer>"), "multi\nline");
  EXPECT_FALSE(think.extract_answer("3"));
  EXPECT_FALSE(think.extract_answer("<answer>3"));
  EXPECT_EQ(prompt::Vanilla{}.extract_answer("  chair\n"), "chair");
}

TEST(PromptModes, FormatCheck) {
  prompt::Think think;
  EXPECT_TRUE(think.format_ok("<think>a\nb</think><answer>3</answer>"));
  EXPECT_TRUE(think.format_ok("<think></think> \n\t<answer></answer>"));
  EXPECT_TRUE(think.format_ok("<think>x</think><answer>1</answer> <answer>2</answer>"));  // lazy groups can stretch
  EXPECT_TRUE(think.format_ok("<think>a</think>b</think><answer>3</answer>"));
  EXPECT_FALSE(think.format_ok(" <think>a</think><answer>3</answer>"));
  EXPECT_FALSE(think.format_ok("<think>a</think><answer>3</answer>\n"));
  EXPECT_FALSE(think.format_ok("<think>a</think>so<answer>3</answer>"));
  EXPECT_FALSE(think.format_ok("<think>a<answer>3</answer>"));
  EXPECT_FALSE(think.format_ok("<observe>a</observe><answer>3</answer>"));
  EXPECT_TRUE(prompt::Observe{}.format_ok("<observe>a</observe><answer>3</answer>"));
  EXPECT_TRUE(prompt::Vanilla{}.format_ok("anything"));
}

TEST(AnswerFormat, FirstNumberAndTrim) {
  EXPECT_EQ(eval::first_number("about 2.5 meters"), 2.5);
  EXPECT_EQ(eval::first_number("-3"), -3.0);
  EXPECT_EQ(eval::first_number("1,200"), 1.0);
  EXPECT_EQ(eval::first_number("3."), 3.0);
  EXPECT_FALSE(eval::first_number("three"));
  EXPECT_EQ(eval::trim("\u3000 B\u00a0\n"), "B");
  EXPECT_EQ(eval::case_fold("STRASSE"), eval::case_fold("Straße"));
}

TEST(Rewards, NumericAccuracyPaperRule) {
  EXPECT_NEAR(eval::numeric_accuracy("3", "4"), 1.0 - 1.0 / 3.0, 1e-12);
  EXPECT_NEAR(eval::numeric_accuracy("4", "3"), 1.0 - 1.0 / 3.0, 1e-12);
  EXPECT_NEAR(eval::numeric_accuracy("about 2.5 meters", "2"), 0.75, 1e-12);
  EXPECT_EQ(eval::numeric_accuracy("10", "4"), 0.0);
  EXPECT_EQ(eval::numeric_accuracy("4", "4"), 1.0);
  EXPECT_EQ(eval::numeric_accuracy("-3", "3"), 0.0);
  EXPECT_EQ(eval::numeric_accuracy("none", "3"), 0.0);
  EXPECT_EQ(eval::numeric_accuracy("0", "3"), 0.0);
}

TEST(Rewards, ChoiceAccuracyTrimsAndFolds) {
  EXPECT_EQ(eval::choice_accuracy(" Chair \n", "chair"), 1.0);
  EXPECT_EQ(eval::choice_accuracy("b", "B"), 1.0);
  EXPECT_EQ(eval::choice_accuracy("B.", "B"), 0.0);
  EXPECT_EQ(eval::choice_accuracy("chairs", "chair"), 0.0);
}

TEST(Rewards, MraCountsThresholdsWithinTheRelativeError) {
  data::Sample s;
  s.question_type = "object_size_estimation";
  s.ground_truth = "100";
  const prompt::Vanilla v;
  // |p - g| / g = 0.12: within the thresholds 0.5, 0.45, ..., 0.15 (8 of the 10), not 0.10 or 0.05.
  EXPECT_NEAR(reward::Mra{}(s, reward::read_completion(v, "112 cm")), 0.8, 1e-12);
  EXPECT_EQ(reward::Mra{}(s, reward::read_completion(v, "100")), 1.0);
  EXPECT_EQ(reward::Mra{}(s, reward::read_completion(v, "300")), 0.0);
  EXPECT_EQ(reward::Mra{}(s, reward::read_completion(v, "large")), 0.0);
  s.ground_truth = "0";
  EXPECT_EQ(reward::Mra{}(s, reward::read_completion(v, "1")), 0.0);  // no division by a zero truth
  s.question_type = "object_rel_distance";
  s.ground_truth = "sofa";
  EXPECT_EQ(reward::Mra{}(s, reward::read_completion(v, "Sofa")), 1.0);
}

TEST(Rewards, LengthBonusIsCappedAndNeedsTheFormat) {
  data::Sample s;
  const prompt::Think think;
  reward::Length length;
  length.options.target_words = 4;
  EXPECT_EQ(reward::reasoning_words("<think>two words</think>"), 2u);
  EXPECT_NEAR(length(s, reward::read_completion(think, "<think>one two</think><answer>3</answer>")), 0.5, 1e-12);
  EXPECT_EQ(length(s, reward::read_completion(think, "<think>a b c d e f g</think><answer>3</answer>")), 1.0);
  EXPECT_EQ(length(s, reward::read_completion(think, "a b c d e f g <answer>3</answer>")), 0.0);  // format fails
  static_assert(!reward::kFitsMode<reward::Sum<reward::Accuracy, reward::Length>, prompt::Vanilla>);
  static_assert(reward::kFitsMode<reward::Sum<reward::Accuracy, reward::Length>, prompt::Think>);
}

TEST(Rewards, SumKeepsComponentsAndWeights) {
  data::Sample s;
  s.question_type = "object_counting";
  s.ground_truth = "4";
  prompt::Think think;
  const auto c = reward::read_completion(think, "<think>I see 3</think><answer>3</answer>");
  reward::Sum<reward::Format, reward::Accuracy> sum;
  EXPECT_EQ(sum.kNames[0], "format");
  const auto parts = sum.components(s, c);
  EXPECT_EQ(parts[0], 1.0);
  EXPECT_NEAR(parts[1], 2.0 / 3.0, 1e-12);
  sum.weights = {0.5, 2.0};
  EXPECT_NEAR(sum(s, c), 0.5 + 4.0 / 3.0, 1e-12);
  const auto bad = reward::read_completion(think, "3");
  EXPECT_EQ(sum.components(s, bad)[1], 0.0);  // no <answer>: no accuracy
  s.question_type = "object_rel_distance";
  s.ground_truth = "sofa";
  EXPECT_EQ(reward::Accuracy{}(s, reward::read_completion(prompt::Vanilla{}, " Sofa")), 1.0);
}
