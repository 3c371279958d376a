// Tests of input building and generation against the transformers goldens: chat + frames -> the golden input ids
// and pixel values; batched (left-padded) sampling equals each prompt alone; a GRPO group sharing one prefill
// equals a batch of independent copies of the prompt.
#include "model_support.hpp"
#include "vsr/core/error.hpp"
#include "vsr/model/generation.hpp"
#include "vsr/model/inputs.hpp"

namespace {

using namespace vsr;

const text::Tokenizer& tiny_tokenizer() {
  static const auto tok = text::Tokenizer::from_dir(test::tiny_dir() / "tokenizer");
  return tok;
}

const vision::ProcessorOptions& tiny_processor() {
  static const auto p = vision::ProcessorOptions::from_file(test::tiny_dir() / "model" / "preprocessor_config.json");
  return p;
}

/// The case rebuilt from its chat messages and raw frames with vsr's own tokenizer and processor.
model::MultimodalInputs rebuilt(const test::GoldenCase& c) {
  const auto messages = text::parse_chat_messages(c.json.at("messages").dump(), c.name);
  model::ChatVisuals visuals;
  if (c.has("image.raw_frames")) visuals.images.push_back(c.at("image.raw_frames")[0]);
  if (c.has("video.raw_frames")) visuals.videos.push_back(c.at("video.raw_frames"));
  return model::build_chat_inputs(tiny_tokenizer(), messages, visuals, tiny_processor(), test::tiny_model().config());
}

model::SamplingOptions greedy8() {
  model::SamplingOptions o;
  o.temperature = 0;
  o.max_new_tokens = 8;
  return model::with_model_stops(o, test::tiny_model());
}

}  // namespace

TEST(ChatInputs, RebuildEveryGoldenCase) {
  for (const char* name : {"text", "image", "video", "image_video"}) {
    const auto& c = test::golden(name);
    const auto in = rebuilt(c);
    EXPECT_TRUE(test::exact(in.input_ids[0], c.at("input_ids"))) << name;
    if (c.has("image.pixel_values")) EXPECT_TRUE(test::close(in.pixel_values, c.at("image.pixel_values"))) << name;
    if (c.has("video.pixel_values"))
      EXPECT_TRUE(test::close(in.pixel_values_videos, c.at("video.pixel_values"))) << name;
  }
}

TEST(ChatInputs, PlaceholderCountMustMatchPictures) {
  const auto& c = test::golden("video");
  const auto messages = text::parse_chat_messages(c.json.at("messages").dump(), c.name);
  EXPECT_THROW(model::build_chat_inputs(tiny_tokenizer(), messages, {}, tiny_processor(), test::tiny_model().config()),
               vsr::Error);
}

TEST(Generation, LeftPaddedBatchEqualsEachPromptAlone) {
  const std::vector<std::string> names = {"video", "text", "image_video", "image"};
  std::vector<model::MultimodalInputs> rows;
  for (const auto& n : names) rows.push_back(test::golden(n).inputs());
  const auto batch = model::collate_left_padded(rows, 151643);
  auto gen = model::make_generator(1, at::kCPU);
  const auto out = model::generate(test::tiny_model(), batch, greedy8(), gen);
  ASSERT_EQ(out.tokens.size(0), 4);
  for (std::size_t i = 0; i < names.size(); ++i) {
    const auto& c = test::golden(names[i]);
    EXPECT_TRUE(test::exact(out.tokens[i], c.at("generated_ids"))) << names[i];
    // greedy log-prob of each token = max - logsumexp of that step's logits (transformers' values)
    EXPECT_TRUE(test::close(out.logprobs[i], c.at("gen_step_logits_max") - c.at("gen_step_logsumexp"), 1e-4)) << names[i];
  }
}

TEST(Generation, SharedPrefillGroupEqualsIndependentCopies) {
  const auto& c = test::golden("image_video");
  auto opts = model::with_model_stops({}, test::tiny_model());
  opts.temperature = 1.0;
  opts.max_new_tokens = 12;
  auto g1 = model::make_generator(11, at::kCPU);
  const auto group = model::sample_group(test::tiny_model(), c.inputs(), 5, opts, g1);
  const std::vector<model::MultimodalInputs> copies(5, c.inputs());
  auto g2 = model::make_generator(11, at::kCPU);
  const auto batch = model::generate(test::tiny_model(), model::collate_left_padded(copies, 151643), opts, g2);
  EXPECT_TRUE(test::exact(group.tokens, batch.tokens));
  EXPECT_TRUE(test::close(group.logprobs, batch.logprobs, 1e-4));
  // sampled at T=1: the rollouts of a random model differ from each other
  EXPECT_FALSE(at::equal(group.tokens[0], group.tokens[1]));
}

TEST(Generation, GreedyGroupRowsAllEqualTheGolden) {
  const auto& c = test::golden("video");
  auto gen = model::make_generator(3, at::kCPU);
  const auto group = model::sample_group(test::tiny_model(), c.inputs(), 3, greedy8(), gen);
  for (int r = 0; r < 3; ++r) EXPECT_TRUE(test::exact(group.tokens[r], c.at("generated_ids")));
}
