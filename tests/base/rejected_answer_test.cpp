// Tests of the DPO rejected-answer builder: wrong answers of the right kind, deterministic per sample.
#include "vsr/concepts.hpp"
#include "vsr/core/error.hpp"
#include "vsr/data/rejected_answer.hpp"
#include "vsr/eval/answer_format.hpp"
#include "vsr/kl/none.hpp"

#include <gtest/gtest.h>

#include <set>

using namespace vsr;

static_assert(KlSetting<kl::None>, "kl::None needs no tensor type: usable from torch-free code");

namespace {

data::Sample sample(std::string id, std::string type, std::string gt) {
  data::Sample s;
  s.id = std::move(id);
  s.question_type = std::move(type);
  s.ground_truth = std::move(gt);
  return s;
}

// The answers drawn for `s` under seeds 0..n-1.
std::set<std::string> draws(const data::Sample& s, int n = 64) {
  std::set<std::string> out;
  for (int seed = 0; seed < n; ++seed) out.insert(data::rejected_answer(s, static_cast<std::uint64_t>(seed)));
  return out;
}

}  // namespace

TEST(RejectedAnswer, NumericIsDoubledOrHalvedWithZeroAccuracy) {
  EXPECT_EQ(draws(sample("c1", "object_counting", "4")), (std::set<std::string>{"8", "2"}));
  EXPECT_EQ(draws(sample("c2", "object_counting", "3")), (std::set<std::string>{"6", "1"}));
  EXPECT_EQ(draws(sample("c3", "object_counting", "1")), (std::set<std::string>{"2"}));  // floor(1/2) = 0 is no count
  EXPECT_EQ(draws(sample("d1", "object_abs_distance", "1.5")), (std::set<std::string>{"3.0", "0.7"}));
  EXPECT_EQ(draws(sample("d2", "object_abs_distance", "0.1")), (std::set<std::string>{"0.2"}));
  EXPECT_EQ(draws(sample("r1", "room_size_estimation", "23.25")), (std::set<std::string>{"46.50", "11.62"}));
  for (const char* gt : {"4", "3", "1", "1.5", "0.1", "23.25", "187"})
    for (const auto& r : draws(sample(std::string("n") + gt, "object_size_estimation", gt)))
      EXPECT_EQ(eval::numeric_accuracy(r, gt), 0.0) << gt << " -> " << r;
  EXPECT_THROW(data::rejected_answer(sample("z", "object_counting", "0")), Error);
  EXPECT_THROW(data::rejected_answer(sample("z", "object_counting", "many")), Error);
}

TEST(RejectedAnswer, ChoiceWithOptionsPicksAnotherOptionInTheGroundTruthsForm) {
  auto s = sample("q1", "object_rel_distance", "B");
  s.options = {"A. chair", "B. table", "C. sofa", "D. lamp"};
  EXPECT_EQ(draws(s), (std::set<std::string>{"A", "C", "D"}));
  s.ground_truth = "table";  // a text ground truth gets option texts
  EXPECT_EQ(draws(s), (std::set<std::string>{"chair", "sofa", "lamp"}));
  s.ground_truth = "bed";
  try {
    data::rejected_answer(s);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("q1"), std::string::npos) << e.what();
    EXPECT_EQ(e.field(), "options");
  }
}

TEST(RejectedAnswer, EntityWithoutOptions) {
  EXPECT_EQ(draws(sample("h", "object_rel_direction_hard", "back-left")),
            (std::set<std::string>{"front-left", "front-right", "back-right"}));
  EXPECT_EQ(draws(sample("m", "object_rel_direction_medium", "back")), (std::set<std::string>{"left", "right"}));
  EXPECT_EQ(draws(sample("e", "object_rel_direction_easy", "left")), (std::set<std::string>{"right"}));
  // Relative distance: the other choices, never the target (listed last) nor the answer.
  auto s = sample("rd", "object_rel_distance", "sofa");
  s.meta["categories"] = {"chair", "sofa", "lamp", "tv", "bed"};
  EXPECT_EQ(draws(s), (std::set<std::string>{"chair", "lamp", "tv"}));
  auto no_meta = sample("x", "object_rel_distance", "sofa");
  EXPECT_THROW(data::rejected_answer(no_meta), Error);
}

TEST(RejectedAnswer, DeterministicPerSeedAndSample) {
  auto s = sample("a", "object_rel_direction_hard", "front-left");
  EXPECT_EQ(data::rejected_answer(s, 5), data::rejected_answer(s, 5));
  // Different samples with the same seed are drawn independently (not all the same answer).
  std::set<std::string> across;
  for (int i = 0; i < 32; ++i) {
    s.id = "s" + std::to_string(i);
    across.insert(data::rejected_answer(s, 5));
  }
  EXPECT_EQ(across.size(), 3u);
}
