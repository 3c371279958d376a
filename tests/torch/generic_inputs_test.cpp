// Records of the generic QA format as model inputs (model/sample_encoder.hpp): a text-only prompt is the chat of its
// text alone, images get their pads and pixel values, prompt_length counts every kind without decoding, space-aware
// frame sampling feeds the frames video/space_aware_sampling.hpp chooses from the record's camera track, and the
// evaluator scores generic tasks with the generic aggregate.
#include "model_support.hpp"
#include "vsr/core/error.hpp"
#include "vsr/core/run_dir.hpp"
#include "vsr/data/maze.hpp"
#include "vsr/data/records.hpp"
#include "vsr/eval/evaluator.hpp"
#include "vsr/eval/qa_score.hpp"
#include "vsr/eval/table.hpp"
#include "vsr/eval/vsi_eval.hpp"
#include "vsr/model/sample_encoder.hpp"
#include "vsr/text/chat_template.hpp"
#include "vsr/text/tokenizer.hpp"
#include "vsr/video/ppm.hpp"
#include "vsr/video/reader.hpp"
#include "vsr/video/sampling.hpp"
#include "vsr/video/space_aware_sampling.hpp"
#include "vsr/vision/processor.hpp"

#include <ATen/ATen.h>

#include <fstream>

namespace {

namespace fs = std::filesystem;
using namespace vsr;

struct Tiny {
  model::Qwen2VL model = model::Qwen2VL::from_pretrained(test::tiny_dir() / "model");
  text::Tokenizer tokenizer = text::Tokenizer::from_dir(test::tiny_dir() / "tokenizer");
};

Tiny& tiny() {
  static Tiny t;
  return t;
}

std::int64_t count_of(const at::Tensor& ids, std::int64_t token) { return ids.eq(token).sum().item<std::int64_t>(); }

TEST(GenericInputs, TextOnlyPromptIsTheChatOfItsTextAlone) {
  auto& t = tiny();
  const model::SampleEncoder encoder(t.tokenizer, vision::ProcessorOptions{}, t.model.config(), model::VideoOptions{2});
  const data::Sample s = data::maze_sample(data::generate_maze(1, 0, data::MazeOptions{}), "m");
  const std::string text = eval::vsi_prompt_text(s, "Answer.");
  EXPECT_EQ(text, s.question + "\nAnswer.");  // no "These are frames of a video." for a text-only record
  const auto in = encoder.prompt(s, text);
  text::ChatMessage user{"user", {{text::ChatContent::Kind::Text, text}}};
  const auto expected = t.tokenizer.encode(text::render_chat(std::span<const text::ChatMessage>(&user, 1), true));
  ASSERT_EQ(in.input_ids.size(1), static_cast<std::int64_t>(expected.size()));
  for (std::size_t i = 0; i < expected.size(); ++i) EXPECT_EQ(in.input_ids[0][i].item<std::int64_t>(), expected[i]) << i;
  EXPECT_FALSE(in.pixel_values.defined());
  EXPECT_FALSE(in.pixel_values_videos.defined());
  EXPECT_EQ(encoder.prompt_length(text, model::MediaSizes{}), in.input_ids.size(1));
  const at::Tensor hidden = t.model.forward(in);
  EXPECT_EQ(hidden.size(1), in.input_ids.size(1));
  EXPECT_TRUE(hidden.isfinite().all().item<bool>());
}

TEST(GenericInputs, ImagesGetTheirPadsAndPixelValues) {
  auto& t = tiny();
  const auto dir = test::temp_dir("generic_images");
  video::Frames f;
  f.count = 1, f.height = 42, f.width = 56;
  f.rgb.resize(static_cast<std::size_t>(f.frame_bytes()));
  for (std::size_t i = 0; i < f.rgb.size(); ++i) f.rgb[i] = static_cast<std::uint8_t>((i * 7) % 251);
  video::write_ppm(dir / "a.ppm", f, 0);
  video::write_ppm(dir / "b.ppm", f, 0);
  const model::SampleEncoder encoder(t.tokenizer, vision::ProcessorOptions{}, t.model.config(), model::VideoOptions{2});
  data::Sample s;
  s.id = "img", s.question = "How many?", s.ground_truth = "2", s.answer_type = "number", s.question_type = "count";
  s.images = {dir / "a.ppm", dir / "b.ppm"};
  const std::string text = eval::vsi_prompt_text(s, "");
  EXPECT_EQ(text, "These are images.\nHow many?\n");
  const auto in = encoder.prompt(s, text);
  // 56x42 -> 56x56 after the resize: 4x4 patches of one temporal patch, 2x2 merged: 4 tokens per image.
  EXPECT_EQ(count_of(in.input_ids, t.model.config().image_token_id), 8);
  EXPECT_EQ(count_of(in.input_ids, t.model.config().video_token_id), 0);
  ASSERT_TRUE(in.image_grid_thw.defined());
  EXPECT_EQ(in.image_grid_thw.size(0), 2);
  EXPECT_EQ(in.image_grid_thw[1][0].item<std::int64_t>(), 1);
  EXPECT_EQ(in.pixel_values.size(0), 2 * 16);
  model::MediaSizes media;
  media.images = {{42, 56}, {42, 56}};
  EXPECT_EQ(encoder.prompt_length(text, media), in.input_ids.size(1));
  EXPECT_TRUE(t.model.forward(in).isfinite().all().item<bool>());
  s.images = {dir / "missing.ppm"};
  EXPECT_THROW(encoder.prompt(s, text), Error);
}

/// Synthetic scenes with their camera tracks, and questions naming them (meta.camera), built once.
const fs::path& scene_questions() {
  static const fs::path file = [] {
    const auto dir = test::temp_dir("generic_space_aware");
    auto r = test::run_cli("data synth --scenes 1 --seed 5 --out " + (dir / "scenes").string() +
                           " --synth.width 56 --synth.height 42 --synth.fps 2 --synth.mesh_spacing 0.1");
    if (r.exit_code != 0) throw std::runtime_error(r.err);
    r = test::run_cli("data build --scannet " + (dir / "scenes").string() + " --out " + (dir / "q.jsonl").string() +
                      " --seed 2 --data.max_per_task_per_scene 1 --data.dataset synthetic --data.video_root " +
                      (dir / "scenes" / "videos").string());
    if (r.exit_code != 0) throw std::runtime_error(r.err);
    return dir / "q.jsonl";
  }();
  return file;
}

TEST(GenericInputs, SpaceAwareSamplingFeedsTheFramesChosenFromTheCameraTrack) {
  auto& t = tiny();
  const auto samples = data::read_samples(scene_questions());
  ASSERT_FALSE(samples.empty());
  const data::Sample& s = samples[0];
  ASSERT_TRUE(s.meta.contains("camera")) << s.meta.dump();
  model::VideoOptions o{4};
  o.sampling = "space_aware";
  const model::SampleEncoder encoder(t.tokenizer, vision::ProcessorOptions{}, t.model.config(), o);
  const auto in = encoder.prompt(s, "Answer.");
  // The same frames by hand: the track mapped onto the video, greedy floor coverage, decoded, processed.
  video::VideoReader reader(s.video);
  const auto track = video::resample_track(video::read_camera_track(s.meta["camera"].get<std::string>()),
                                           reader.frame_count());
  const auto indices = video::space_aware_indices(track, 4);
  const auto frames = reader.read_indices(indices);
  const at::Tensor rgb = at::from_blob(const_cast<std::uint8_t*>(frames.rgb.data()),
                                       {frames.count, frames.height, frames.width, 3}, at::kByte);
  const auto expected = vision::process_video(rgb, vision::ProcessorOptions{});
  EXPECT_TRUE(at::equal(in.pixel_values_videos, expected.pixel_values));
  // A record without a camera track cannot be sampled this way: the error names the record and the field.
  data::Sample bare = s;
  bare.meta.erase("camera");
  const model::SampleEncoder fresh(t.tokenizer, vision::ProcessorOptions{}, t.model.config(), o);  // nothing cached
  try {
    (void)fresh.prompt(bare, "Answer.");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("meta.camera"), std::string::npos) << e.what();
  }
  o.sampling = "coverage";
  EXPECT_THROW(model::SampleEncoder(t.tokenizer, vision::ProcessorOptions{}, t.model.config(), o), Error);
}

TEST(GenericInputs, EvaluatorScoresGenericTasksWithTheGenericAggregate) {
  auto& t = tiny();
  const model::SampleEncoder encoder(t.tokenizer, vision::ProcessorOptions{}, t.model.config(), model::VideoOptions{2});
  std::vector<data::Sample> samples;
  for (int i = 0; i < 3; ++i)
    samples.push_back(data::maze_sample(data::generate_maze(3, i, data::MazeOptions{}), "m" + std::to_string(i)));
  eval::EvalOptions options;
  options.batch_size = 2;
  options.max_new_tokens = 4;
  const auto out = test::temp_dir("generic_eval");
  const auto run = eval::evaluate_with<prompt::Vanilla>(t.model, encoder, samples, options, out);
  std::vector<eval::RecordScore> by_hand;
  for (std::size_t i = 0; i < samples.size(); ++i)
    by_hand.push_back(eval::score_generic(samples[i], run.predictions[i].prediction));
  const auto aggregate = eval::generic_aggregate(by_hand);
  EXPECT_TRUE(aggregate.contains("maze_accuracy"));
  EXPECT_EQ(nlohmann::json::parse(read_file(out / "aggregate.json")), nlohmann::json(aggregate));
  EXPECT_EQ(read_file(out / "table.md"),
            eval::markdown_table(eval::generic_headings(aggregate), {eval::generic_row(aggregate)}));
}

}  // namespace
