// The parallel dataset builder: identical questions for any thread count, scene order kept, errors propagated.
#include "test_support.hpp"
#include "vsr/core/error.hpp"
#include "vsr/data/builder.hpp"
#include "vsr/data/records.hpp"

#include <gtest/gtest.h>

#include <fstream>

using namespace vsr;

namespace {
std::filesystem::path make_scenes(const std::string& name, int count) {
  const auto dir = test::temp_dir(name);
  data::SynthOptions o;
  o.write_video = false;
  o.mesh_spacing = 0.1;
  for (int i = 0; i < count; ++i) data::write_synthetic_scene(dir, data::make_synthetic_scene(9, i, o), o);
  return dir;
}
}  // namespace

TEST(DataBuilder, SameQuestionsForAnyThreadCount) {
  const auto dir = make_scenes("builder_threads", 3);
  const auto dirs = data::list_scene_dirs(dir);
  ASSERT_EQ(dirs.size(), 3u);
  data::QaOptions qa;
  data::SynthOptions synth;
  std::size_t calls = 0;
  const auto one = data::build_questions(dirs, qa, synth, 1);
  const auto two = data::build_questions(dirs, qa, synth, 2, [&](std::size_t n) { calls = std::max(calls, n); });
  EXPECT_EQ(calls, 3u);
  ASSERT_FALSE(one.empty());
  ASSERT_EQ(one.size(), two.size());
  for (std::size_t i = 0; i < one.size(); ++i)
    EXPECT_EQ(data::sample_to_json(one[i]).dump(), data::sample_to_json(two[i]).dump()) << i;
  EXPECT_EQ(one.front().scene_name, dirs.front().filename().string());
  EXPECT_EQ(one.back().scene_name, dirs.back().filename().string());
}

TEST(DataBuilder, SceneErrorIsRethrownNamingTheFile) {
  const auto dir = make_scenes("builder_error", 2);
  const auto dirs = data::list_scene_dirs(dir);
  const auto ply = dirs[1] / (dirs[1].filename().string() + "_vh_clean_2.ply");
  std::ofstream(ply, std::ios::trunc) << "ply\nformat ascii 1.0\n";
  try {
    data::build_questions(dirs, {}, {}, 2);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(ply.string()), std::string::npos) << e.what();
  }
}
