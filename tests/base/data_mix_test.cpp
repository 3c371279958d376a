// Task mixes (the vsi100k preset, counts, shares, even spread over scenes) and scene selection (lists, --exclude,
// the benchmark-overlap warning), on synthetic scenes built by the real builder.
#include "test_support.hpp"
#include "vsr/core/error.hpp"
#include "vsr/data/builder.hpp"
#include "vsr/data/records.hpp"
#include "vsr/data/scene_list.hpp"
#include "vsr/data/task_mix.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>

using namespace vsr;

namespace {

std::filesystem::path make_scenes(const std::string& name, int count) {
  const auto dir = test::temp_dir(name);
  data::SynthOptions o;
  o.write_video = false;
  o.mesh_spacing = 0.1;
  for (int i = 0; i < count; ++i) data::write_synthetic_scene(dir, data::make_synthetic_scene(21, i, o), o);
  return dir;
}

/// Every question the scenes offer (no per-scene cap): the pool a mix draws from.
const std::vector<data::Sample>& pool() {
  static const std::vector<data::Sample> samples = [] {
    data::QaOptions qa;
    qa.max_per_task_per_scene = 0;
    return data::build_questions(data::list_scene_dirs(make_scenes("mix_pool", 12)), qa, {}, 2);
  }();
  return samples;
}

std::map<std::string, std::map<std::string, int>> per_scene(const std::vector<data::Sample>& v) {
  std::map<std::string, std::map<std::string, int>> out;
  for (const auto& s : v) ++out[s.question_type][s.scene_name];
  return out;
}

}  // namespace

TEST(TaskMix, Vsi100kPresetIsThePapersCounts) {
  const auto mix = data::vsi100k_mix();
  EXPECT_TRUE(mix.shares);
  EXPECT_EQ(mix.total, 116900);
  // Section 4.1: 6.4k counting, 13k relative distance, 13k object size, 75k absolute distance, 1.5k room size, 8k
  // relative direction (split evenly over vsr's three difficulty types).
  EXPECT_NEAR(mix.targets.at("object_counting") * 116900, 6400, 1e-6);
  EXPECT_NEAR(mix.targets.at("object_abs_distance") * 116900, 75000, 1e-6);
  EXPECT_NEAR(mix.targets.at("room_size_estimation") * 116900, 1500, 1e-6);
  EXPECT_NEAR(mix.targets.at("object_rel_direction_hard") * 116900, 8000.0 / 3, 1e-6);
  EXPECT_EQ(mix.targets.size(), 8u);
}

TEST(TaskMix, PresetOnSyntheticScenesMatchesThePapersProportions) {
  const auto paper = data::vsi100k_mix();
  data::MixReport report;
  const auto mixed = data::sample_task_mix(pool(), paper, 7, &report);
  ASSERT_GT(mixed.size(), 300u);
  EXPECT_EQ(static_cast<std::int64_t>(mixed.size()), report.total);
  const auto counts = data::count_by_type(mixed);
  for (const auto& [type, share] : paper.targets)
    EXPECT_NEAR(double(counts.at(type)) / double(mixed.size()), share, 0.01) << type;
  // Even over scenes: per type, no scene gives more than one question above another scene with questions left.
  const auto available = per_scene(pool());
  for (const auto& [type, scenes] : per_scene(mixed)) {
    int most = 0, least_with_more = 1 << 30;
    for (const auto& [scene, n] : available.at(type)) {
      const int taken = scenes.count(scene) ? scenes.at(scene) : 0;
      most = std::max(most, taken);
      if (n > taken) least_with_more = std::min(least_with_more, taken);
    }
    EXPECT_LE(most, least_with_more + 1) << type;
  }
  // Deterministic for a seed, different for another.
  EXPECT_EQ(data::sample_task_mix(pool(), paper, 7).size(), mixed.size());
  const auto other = data::sample_task_mix(pool(), paper, 8);
  bool differs = false;
  for (std::size_t i = 0; i < mixed.size() && !differs; ++i) differs = mixed[i].id != other[i].id;
  EXPECT_TRUE(differs);
}

TEST(TaskMix, CountsAndSharesParse) {
  const auto counts = data::parse_task_mix("object_counting=5, object_rel_direction=9", "data.mix");
  EXPECT_FALSE(counts.shares);
  EXPECT_EQ(counts.targets.at("object_counting"), 5);
  EXPECT_EQ(counts.targets.at("object_rel_direction_easy"), 3);
  const auto shares = data::parse_task_mix("object_counting=0.25,room_size_estimation=0.75", "data.mix");
  EXPECT_TRUE(shares.shares);
  EXPECT_DOUBLE_EQ(shares.targets.at("room_size_estimation"), 0.75);
  EXPECT_THROW(data::parse_task_mix("object_counting=5,room_size_estimation=0.5", "data.mix"), Error);
  EXPECT_THROW(data::parse_task_mix("object_countin=5", "data.mix"), Error);
  EXPECT_THROW(data::parse_task_mix("object_counting=-1", "data.mix"), Error);
  EXPECT_THROW(data::parse_task_mix("object_counting", "data.mix"), Error);
  EXPECT_THROW(data::task_mix_preset("vsi200k", "data.preset"), Error);
}

TEST(TaskMix, CountsTakeWhatIsAvailableAndDropOtherTypes) {
  const auto available = data::count_by_type(pool());
  data::MixReport report;
  const auto mixed = data::sample_task_mix(
      pool(), data::parse_task_mix("object_counting=1000000,room_size_estimation=5", "data.mix"), 1, &report);
  const auto counts = data::count_by_type(mixed);
  EXPECT_EQ(counts.size(), 2u);
  EXPECT_EQ(counts.at("object_counting"), available.at("object_counting"));
  EXPECT_EQ(counts.at("room_size_estimation"), 5u);
  EXPECT_EQ(report.rows.at(1).scenes, 5);  // five room sizes (one per scene) come from five scenes
}

TEST(TaskMix, TotalCapSpreadsOverScenes) {
  auto capped = pool();
  data::QaOptions o;
  o.max_per_task = 12;
  data::apply_total_caps(capped, o);
  for (const auto& [type, scenes] : per_scene(capped)) {
    if (type == "room_size_estimation") continue;  // one per scene anyway
    EXPECT_GE(scenes.size(), 6u) << type << ": 12 questions from 12 scenes should not come from the first few";
  }
}

TEST(SceneList, ExcludeRemovesEveryScenesOfARecordFile) {
  const auto dir = make_scenes("mix_exclude", 5);
  const auto dirs = data::list_scene_dirs(dir);
  // A benchmark file naming scenes 1 and 3 (and one the root does not hold).
  const auto bench = test::temp_dir("mix_exclude_bench") / "bench.jsonl";
  std::vector<data::Sample> records;
  for (const std::string name : {dirs[1].filename().string(), dirs[3].filename().string(), std::string("scene9999_00")}) {
    data::Sample s;
    s.id = name;
    s.dataset = "scannet";
    s.scene_name = name;
    s.question_type = "object_counting";
    s.question = "How many chair(s) are in this room?";
    s.ground_truth = "2";
    records.push_back(s);
  }
  data::write_samples(bench, records);
  const auto excluded = data::read_scene_names(bench);
  EXPECT_EQ(excluded.size(), 3u);
  const auto kept = data::select_scene_dirs(dirs, {}, excluded);
  ASSERT_EQ(kept.size(), 3u);
  const auto built = data::build_questions(kept, {}, {}, 1);
  EXPECT_TRUE(data::shared_scenes(data::scene_names(built), excluded).empty());
  // Without the exclusion the overlap is reported with its count.
  const auto all = data::build_questions(dirs, {}, {}, 1);
  const auto warning = data::overlap_warning(data::shared_scenes(data::scene_names(all), excluded), "train.jsonl",
                                             bench.string());
  EXPECT_NE(warning.find("shares 2 scene(s)"), std::string::npos) << warning;
}

TEST(SceneList, TextListsKeepScenesAndNameMissingOnes) {
  const auto dir = make_scenes("mix_list", 3);
  const auto dirs = data::list_scene_dirs(dir);
  const auto list = test::temp_dir("mix_list_file") / "scenes.txt";
  std::ofstream(list) << "# train scenes\n" << dirs[2].filename().string() << "  \n\n" << dirs[0].filename().string() << "\n";
  const auto names = data::read_scene_names(list);
  const auto kept = data::select_scene_dirs(dirs, names, {}, list.string());
  ASSERT_EQ(kept.size(), 2u);
  EXPECT_EQ(kept[0], dirs[0]);
  EXPECT_EQ(kept[1], dirs[2]);
  try {
    data::select_scene_dirs(dirs, {"scene0000_00"}, {}, list.string());
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("scene0000_00"), std::string::npos) << e.what();
  }
  std::ofstream(list, std::ios::trunc) << "# nothing\n";
  EXPECT_THROW(data::read_scene_names(list), Error);
}
