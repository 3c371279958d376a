// Tests of the prompt modes and rewards against hand-computed values (vsGRPO sections 3 and 4.2).
#include "vsr/concepts.hpp"
#include "vsr/core/config.hpp"
#include "vsr/core/error.hpp"
#include "vsr/eval/answer_format.hpp"
#include "vsr/algo/sft_options.hpp"
#include "vsr/eval/vsi_eval.hpp"
#include "vsr/prompt/mixture.hpp"
#include "vsr/prompt/observe.hpp"
#include "vsr/prompt/scene_graph.hpp"
#include "vsr/prompt/think.hpp"
#include "vsr/prompt/user_text.hpp"
#include "vsr/prompt/vanilla.hpp"
#include "vsr/reward/accuracy.hpp"
#include "vsr/reward/format.hpp"
#include "vsr/reward/length.hpp"
#include "vsr/reward/mra.hpp"
#include "vsr/reward/overlong.hpp"
#include "vsr/reward/sum.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace vsr;

static_assert(PromptMode<prompt::Think> && PromptMode<prompt::Observe> && PromptMode<prompt::Vanilla>);
static_assert(Reward<reward::Format> && Reward<reward::Accuracy>);
static_assert(RewardFitsMode<reward::Format, prompt::Think>);
static_assert(!RewardFitsMode<reward::Format, prompt::Vanilla>, "vanilla mode has no format to reward");
static_assert(reward::kFitsMode<reward::Sum<reward::Accuracy>, prompt::Vanilla>);
static_assert(!reward::kFitsMode<reward::Sum<reward::Format, reward::Accuracy>, prompt::Vanilla>);
static_assert(!PromptMode<int> && !Reward<prompt::Think>);
using AllModes = prompt::Mixture<prompt::Think, prompt::Observe, prompt::Vanilla>;
static_assert(PromptMode<AllModes> && !RewardFitsMode<reward::Format, AllModes>);

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

TEST(PromptModes, FormattedTargetsHaveTheModesFormat) {
  data::Sample s;
  s.ground_truth = "3";
  s.meta["categories"] = {"chair", "table"};
  const std::string think = prompt::Think{}.formatted(s, s.ground_truth);
  EXPECT_EQ(think, "<think>The question is about the chair and the table.</think>\n<answer>3</answer>");
  EXPECT_TRUE(prompt::Think{}.format_ok(think));
  EXPECT_EQ(prompt::Think{}.extract_answer(think), "3");
  s.meta["categories"] = {"chair", "table", "sofa"};
  EXPECT_EQ(prompt::Observe{}.formatted(s, "B"),
            "<observe>I see the chair, the table and the sofa.</observe>\n<answer>B</answer>");
  EXPECT_EQ(prompt::Vanilla{}.formatted(s, "B"), "B");
  s.meta["rationale"] = "Two chairs, then one more.";
  EXPECT_EQ(prompt::Think{}.formatted(s, "3"), "<think>Two chairs, then one more.</think>\n<answer>3</answer>");
  data::Sample bare;
  EXPECT_EQ(prompt::Observe{}.formatted(bare, "4.5"), "<observe>I see the video.</observe>\n<answer>4.5</answer>");
}

TEST(PromptModes, SceneGraphModeRequiresAGraphThatParses) {
  const prompt::SceneGraph m;
  static_assert(PromptMode<prompt::SceneGraph>);
  const std::string good =
      "<scene_graph>{\"objects\": [\"chair\", {\"name\": \"table\"}], \"relationships\": [[\"chair\", \"left of\", "
      "\"table\"]]}</scene_graph>\n<answer> B </answer>";
  EXPECT_TRUE(m.format_ok(good));
  EXPECT_EQ(m.extract_answer(good), "B");
  const auto graph = eval::parse_scene_graph(*eval::tag_content(good, "scene_graph"));
  ASSERT_TRUE(graph);
  EXPECT_EQ(graph->objects, (std::vector<std::string>{"chair", "table"}));
  ASSERT_EQ(graph->relationships.size(), 1u);
  EXPECT_EQ(graph->relationships[0][1], "left of");
  // Free text in the tags, no objects, a pair instead of a triple, a number as a name, trailing text, tags swapped:
  // no format reward.
  for (const std::string bad :
       {"<scene_graph>a chair left of a table</scene_graph><answer>B</answer>",
        "<scene_graph>{\"objects\": [], \"relationships\": []}</scene_graph><answer>B</answer>",
        "<scene_graph>{\"objects\": [\"chair\"], \"relationships\": [[\"chair\", \"near\"]]}</scene_graph><answer>B</answer>",
        "<scene_graph>{\"objects\": [3], \"relationships\": []}</scene_graph><answer>B</answer>",
        "<scene_graph>{\"objects\": [\"chair\"]}</scene_graph><answer>B</answer>",
        "<scene_graph>{\"objects\": [\"chair\"], \"relationships\": []}</scene_graph><answer>B</answer> done",
        "<answer>B</answer><scene_graph>{\"objects\": [\"chair\"], \"relationships\": []}</scene_graph>",
        "<scene_graph>{\"objects\": [\"chair\"], \"relationships\": []}</scene_graph> then free text </scene_graph>"
        "<answer>B</answer>"})
    EXPECT_FALSE(m.format_ok(bad)) << bad;
  // The SFT target of [sft] target = formatted passes its own check.
  data::Sample s;
  s.meta["categories"] = {"chair", "table"};
  const std::string target = m.formatted(s, "3");
  EXPECT_EQ(target, "<scene_graph>{\"objects\":[\"chair\",\"table\"],\"relationships\":[]}</scene_graph>\n<answer>3</answer>");
  EXPECT_TRUE(m.format_ok(target));
  EXPECT_TRUE(m.format_ok(m.formatted(data::Sample{}, "4.5")));
  // The format reward reads completions through the mode's check.
  const reward::Format format;
  EXPECT_EQ(format(s, reward::read_completion(m, good)), 1.0);
  EXPECT_EQ(format(s, reward::read_completion(m, "<scene_graph>chairs</scene_graph><answer>B</answer>")), 0.0);
}

// Training asks in VSI-Bench's layout, the evaluation's: a toy trained without "These are frames of a video." and
// tested with it answered counting questions with distances and distance questions with option letters.
TEST(PromptModes, TrainingUserTextIsTheEvaluationLayoutWithTheTrainingInstruction) {
  data::Sample mca;
  mca.question = "Which is closer?";
  mca.options = {"A. chair", "B. table"};
  EXPECT_EQ(prompt::user_text(mca, prompt::Vanilla{}),
            "These are frames of a video.\nWhich is closer?\nOptions:\nA. chair\nB. table\n"
            "Please provide the short answer with one or two words or a number.");
  data::Sample na;
  na.question = "How many chairs?";
  EXPECT_EQ(prompt::user_text(na, prompt::Vanilla{}, prompt::Stage::Eval),
            "These are frames of a video.\nHow many chairs?\nPlease answer the question using a single word or phrase.");
  const prompt::Think think;
  EXPECT_EQ(prompt::user_text(na, think), eval::vsi_prompt_text(na, prompt::Think::kTrain));
}

TEST(PromptModes, MixtureAsksEachQuestionInOneModeByItsId) {
  // FNV-1a-64("a") = 0xaf63dc4c8601ec8c, which is 1 mod 3 (Observe); "q1" -> 2 (Vanilla), "q2" -> 0 (Think).
  AllModes mix;
  data::Sample s;
  s.id = "a";
  EXPECT_EQ(AllModes::mode_of(s), 1u);
  EXPECT_EQ(mix.instruction(s), prompt::Observe{}.instruction(s));
  EXPECT_EQ(mix.instruction(s, prompt::Stage::Eval), prompt::Observe{}.instruction(s, prompt::Stage::Eval));
  s.id = "q1";
  EXPECT_EQ(mix.formatted(s, "3"), "3");
  s.id = "q2";
  EXPECT_EQ(mix.formatted(s, "3"), "<think>The question is about the video.</think>\n<answer>3</answer>");
  std::vector<int> count(3, 0);
  for (int i = 0; i < 3000; ++i) {
    s.id = "synthetic_" + std::to_string(i);
    ++count[AllModes::mode_of(s)];
  }
  for (const int c : count) EXPECT_NEAR(c, 1000, 100);
  EXPECT_EQ(mix.extract_answer("<observe>x</observe><answer> B </answer>"), "B");
  EXPECT_EQ(mix.extract_answer("<think>x</think><answer>2</answer>"), "2");
  EXPECT_EQ(mix.extract_answer(" 2 "), "2");  // no tagged format: read by the last mode (vanilla)
  EXPECT_TRUE(mix.format_ok("<think>x</think><answer>2</answer>"));
}

TEST(SftOptions, TargetIsAnswerOrFormatted) {
  algo::SftOptions options;
  EXPECT_NO_THROW(options.validate());
  options.target = "formatted";
  EXPECT_NO_THROW(options.validate());
  options.target = "tagged";
  try {
    options.validate();
    FAIL() << "sft.target = tagged was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("sft.target"), std::string::npos) << e.what();
  }
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

TEST(Rewards, RelativeAccuracyPaperRule) {
  EXPECT_NEAR(eval::relative_accuracy(3, 4), 1.0 - 1.0 / 3.0, 1e-12);
  EXPECT_NEAR(eval::relative_accuracy(2.5, 2), 0.75, 1e-12);
  EXPECT_EQ(eval::relative_accuracy(4, 4), 1.0);
  EXPECT_EQ(eval::relative_accuracy(8, 4), 0.0);
  EXPECT_EQ(eval::relative_accuracy(-3, 3), 0.0);
  EXPECT_EQ(eval::relative_accuracy(3, 0), 0.0);
  EXPECT_EQ(eval::relative_accuracy(std::stod("nan"), 3), 0.0);
  EXPECT_EQ(eval::relative_accuracy(std::stod("inf"), 3), 0.0);
}

// numeric_accuracy is the lenient reading (AnswerRule::kLenient): the first number anywhere.
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

TEST(Rewards, RawLengthCountsTheWholeOutputSoPaddingWithTagsPays) {
  data::Sample s;
  const prompt::Think think;
  reward::RawLength raw;
  raw.options.target_characters = 60;
  const std::string plain = "<think>one two</think><answer>3</answer>";  // 40 characters
  const std::string padded = "<think>one two</think><think></think><answer></answer><answer>3</answer>";
  EXPECT_NEAR(raw(s, reward::read_completion(think, plain)), 40.0 / 60.0, 1e-12);
  EXPECT_EQ(raw(s, reward::read_completion(think, padded)), 1.0);  // 72 characters: section 4.3.3's hack pays here...
  EXPECT_EQ(raw(s, reward::read_completion(think, "")), 0.0);
  reward::Length words;  // ...and not under reward::Length: the padded output keeps the format and its two words
  words.options.target_words = 4;
  EXPECT_TRUE(think.format_ok(padded));
  EXPECT_EQ(words(s, reward::read_completion(think, plain)), 0.5);
  EXPECT_EQ(words(s, reward::read_completion(think, padded)), 0.5);
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

namespace {

data::Sample counting(std::string truth) {
  data::Sample s;
  s.id = "q";
  s.question_type = "object_counting";
  s.ground_truth = std::move(truth);
  return s;
}

data::Sample lettered(std::string truth) {  // a VSI-Bench MCA record: options, ground truth a letter
  data::Sample s;
  s.id = "q";
  s.question_type = "object_rel_direction_easy";
  s.options = {"A. left", "B. sofa", "C. right"};
  s.ground_truth = std::move(truth);
  return s;
}

data::Sample entity(std::string truth) {  // a VSI-100k-style choice without options, ground truth an entity
  data::Sample s;
  s.id = "q";
  s.question_type = "object_rel_distance";
  s.ground_truth = std::move(truth);
  return s;
}

/// The reward of a vanilla-mode output: the default reward, or with `[reward] answer_rule` set to `rule`.
template <class R>
double reward_of(const data::Sample& s, std::string_view output, const char* rule) {
  R r;
  if (rule) r.options.answer_rule = rule;
  return r(s, reward::read_completion(prompt::Vanilla{}, output));
}

double accuracy(const data::Sample& s, std::string_view output, const char* rule = nullptr) {
  return reward_of<reward::Accuracy>(s, output, rule);
}

double mra(const data::Sample& s, std::string_view output, const char* rule = nullptr) {
  return reward_of<reward::Mra>(s, output, rule);
}

/// What vsr's evaluator scores for this output: the mode's extracted answer through eval::score_sample (official
/// scorer for VSI-Bench records).
double benchmark(const data::Sample& s, std::string_view output) {
  const auto prediction = prompt::Vanilla{}.extract_answer(output);
  return eval::score_sample(s, prediction.value_or(""), eval::ZeroTruth::kScoreZero).score;
}

}  // namespace

TEST(Rewards, AccuracyReadsNumbersAsVsiBenchDoes) {
  // The official scorer reads python float of the first space-separated word: none in these outputs.
  EXPECT_EQ(accuracy(counting("2"), "2labelslabels"), 0.0);
  EXPECT_EQ(benchmark(counting("2"), "2labelslabels"), 0.0);
  EXPECT_EQ(accuracy(counting("3"), "about 3 m"), 0.0);
  EXPECT_EQ(benchmark(counting("3"), "about 3 m"), 0.0);
  EXPECT_EQ(accuracy(counting("3"), "<answer>3</answer>"), 0.0);
  EXPECT_EQ(accuracy(counting("3"), "three"), 0.0);
  EXPECT_EQ(accuracy(counting("4"), "4\u00a0m"), 0.0);  // only the ASCII space splits: "4\u00a0m" is not a float
  // ... and these: the first word, trailing dots removed, is a float.
  EXPECT_EQ(accuracy(counting("3"), "3 m"), 1.0);
  EXPECT_EQ(accuracy(counting("3"), "3."), 1.0);
  EXPECT_EQ(benchmark(counting("3"), "3."), 1.0);
  // "2.5." -> 2.5 against 2: reward 1 - 0.5 / 2; the scorer's MRA: |2.5 - 2| / 2 = 0.25 passes 6 thresholds.
  EXPECT_NEAR(accuracy(counting("2"), "2.5."), 0.75, 1e-12);
  EXPECT_EQ(benchmark(counting("2"), "2.5."), 0.6);
  EXPECT_EQ(accuracy(counting("10"), "1e1"), 1.0);  // Python float: exponents, underscores, Unicode digits
  EXPECT_EQ(accuracy(counting("10"), "1_0"), 1.0);
  EXPECT_EQ(accuracy(counting("12"), "\u0661\u0662"), 1.0);
  EXPECT_NEAR(accuracy(counting("4"), "3 chairs"), 1.0 - 1.0 / 3.0, 1e-12);
  EXPECT_EQ(accuracy(counting("3"), "-3"), 0.0);
  EXPECT_EQ(accuracy(counting("0"), "0"), 0.0);  // the paper's rule needs both positive
}

TEST(Rewards, AccuracyReadsOptionLettersAsVsiBenchDoes) {
  EXPECT_EQ(accuracy(lettered("B"), "B. sofa"), 1.0);
  EXPECT_EQ(benchmark(lettered("B"), "B. sofa"), 1.0);
  EXPECT_EQ(accuracy(lettered("B"), "sofa"), 0.0);
  EXPECT_EQ(benchmark(lettered("B"), "sofa"), 0.0);
  EXPECT_EQ(accuracy(lettered("B"), "b"), 1.0);
  EXPECT_EQ(accuracy(lettered("B"), "B."), 1.0);
  EXPECT_EQ(accuracy(lettered("B"), "(B)"), 0.0);
  EXPECT_EQ(accuracy(lettered("B"), "Answer: B"), 0.0);
  // Without options (ground truth an entity) the whole answer is matched, as vsr's evaluator scores it.
  EXPECT_EQ(accuracy(entity("dining table"), "Dining Table"), 1.0);
  EXPECT_EQ(benchmark(entity("dining table"), "Dining Table"), 1.0);
  EXPECT_EQ(accuracy(entity("dining table"), "dining"), 0.0);
}

TEST(Rewards, RewardIsPositiveExactlyWhenTheBenchmarkScoreIs) {
  struct Case {
    data::Sample sample;
    std::vector<std::string> outputs;
  };
  const std::vector<Case> cases = {
      {counting("4"),
       {"4", " 4\n", "4.", "4 chairs", "4labels", "4labelslabels", "about 4", "four", "<answer>4</answer>",
        "4\u00a0chairs", "3", "5.", "6", "8", "0", "-4", "4e0", "4,0", "1_2", ""}},
      {counting("2.5"), {"2.5", "2.5 m", "2.5m", "3", "2", "about 2.5", "2,5"}},
      {lettered("B"), {"B", "b", "B.", "B. sofa", "B sofa", "sofa", "A", "(B)", "Answer: B", "B\nsofa", "BB", ""}},
      {entity("dining table"), {"dining table", "Dining Table ", "dining", "table", "dining table.", "chair"}},
  };
  for (const auto& [sample, outputs] : cases) {
    for (const auto& out : outputs) {
      const double official = benchmark(sample, out);
      EXPECT_EQ(accuracy(sample, out) > 0.0, official > 0.0)
          << sample.question_type << " truth " << sample.ground_truth << " output \"" << out << "\"";
      EXPECT_EQ(mra(sample, out), official) << sample.ground_truth << " output \"" << out << "\"";  // the same score
    }
  }
}

TEST(Rewards, AccuracyKeepsThePapersValueRuleWithinTheBenchmarksReading) {
  // The reading is the benchmark's; the value stays vsGRPO's relative-error rule, which is not MRA: 1.8 for a truth
  // of 1 earns 1 - 0.8 / 1 (MRA: a ratio of 0.8 passes no threshold), 1 for a truth of 2 earns 0 (MRA: 0.5 passes
  // one). reward::Mra is the benchmark's own value.
  EXPECT_NEAR(accuracy(counting("1"), "1.8"), 0.2, 1e-12);
  EXPECT_EQ(benchmark(counting("1"), "1.8"), 0.0);
  EXPECT_EQ(mra(counting("1"), "1.8"), 0.0);
  EXPECT_EQ(accuracy(counting("2"), "1"), 0.0);
  EXPECT_EQ(benchmark(counting("2"), "1"), 0.1);
}

TEST(Rewards, LenientRuleReadsTheFirstNumberAnywhere) {
  EXPECT_EQ(accuracy(counting("2"), "2labelslabels", "lenient"), 1.0);
  EXPECT_EQ(accuracy(counting("3"), "about 3 m", "lenient"), 1.0);
  EXPECT_EQ(accuracy(counting("3"), "<answer>3</answer>", "lenient"), 1.0);
  EXPECT_NEAR(accuracy(counting("2"), "about 2.5 meters", "lenient"), 0.75, 1e-12);
  EXPECT_EQ(accuracy(counting("10"), "1e1", "lenient"), 0.0);  // first number 1
  EXPECT_EQ(accuracy(lettered("B"), "B. sofa", "lenient"), 0.0);  // choices matched whole
  EXPECT_EQ(accuracy(lettered("B"), " b ", "lenient"), 1.0);
  EXPECT_EQ(accuracy(entity("dining table"), "Dining Table", "lenient"), 1.0);
  EXPECT_NEAR(mra(counting("100"), "about 112 cm", "lenient"), 0.8, 1e-12);
  EXPECT_EQ(mra(counting("100"), "about 112 cm"), 0.0);
  EXPECT_EQ(mra(counting("0"), "1", "lenient"), 0.0);
}

TEST(Rewards, AnswerRuleIsTheRewardSectionsOption) {
  Config cfg("t");
  auto& options = cfg.add<reward::AnswerOptions>();
  EXPECT_EQ(options.rule(), eval::AnswerRule::kBenchmark);  // the default
  cfg.parse_ini("[reward]\nanswer_rule = lenient\n", "t.ini");
  EXPECT_EQ(options.rule(), eval::AnswerRule::kLenient);
  EXPECT_NE(cfg.resolved_ini().find("answer_rule = lenient"), std::string::npos) << cfg.resolved_ini();
  reward::AnswerOptions bad;
  bad.answer_rule = "first_number";
  try {
    bad.validate();
    ADD_FAILURE() << "no error for answer_rule = first_number";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("reward.answer_rule"), std::string::npos) << e.what();
  }
  EXPECT_EQ(reward::Accuracy{}.options.rule(), eval::AnswerRule::kBenchmark);
  EXPECT_EQ(reward::Mra{}.options.rule(), eval::AnswerRule::kBenchmark);
}

TEST(Rewards, OverlongPenaltyIsDaposSoftPunishment) {
  // DAPO eq. 13 with L_max = 20, L_cache = 4: free up to 16 tokens, then linear down to -1 at the budget.
  reward::OverlongPenalty overlong;
  overlong.options.buffer_tokens = 4;
  const data::Sample s;
  auto with = [](std::int64_t tokens, std::int64_t max) {
    reward::Completion c;
    c.tokens = tokens;
    c.max_tokens = max;
    return c;
  };
  EXPECT_DOUBLE_EQ(overlong(s, with(10, 20)), 0.0);
  EXPECT_DOUBLE_EQ(overlong(s, with(16, 20)), 0.0);
  EXPECT_DOUBLE_EQ(overlong(s, with(18, 20)), -0.5);
  EXPECT_DOUBLE_EQ(overlong(s, with(20, 20)), -1.0);
  EXPECT_DOUBLE_EQ(overlong(s, with(25, 20)), -1.0);
  EXPECT_DOUBLE_EQ(overlong(s, with(20, 0)), 0.0);  // budget unknown: no penalty
  overlong.options.buffer_tokens = 0;                // a fifth of the budget: 4 of 20
  EXPECT_DOUBLE_EQ(overlong(s, with(19, 20)), -0.75);
  overlong.options.buffer_tokens = -1;
  EXPECT_THROW(overlong.options.validate(), Error);
  static_assert(Reward<reward::OverlongPenalty> && !NeedsFormat<reward::OverlongPenalty>);
}
