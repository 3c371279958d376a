// `vsr generate` end to end: an image file through FFmpeg, the processor, the model and the tokenizer gives
// transformers' greedy answer of the golden image case.
#include "model_support.hpp"
#include "vsr/model/generation.hpp"
#include "vsr/model/inputs.hpp"
#include "vsr/text/tokenizer.hpp"
#include "vsr/train/lora.hpp"
#include "vsr/video/ppm.hpp"
#include "vsr/video/writer.hpp"

namespace {
const std::string kModelArgs = "generate --model " + (vsr::test::tiny_dir() / "model").string() + " --tokenizer " +
                               (vsr::test::tiny_dir() / "tokenizer").string();
}

TEST(GenerateCli, GoldenImageGivesTransformersAnswer) {
  const auto& c = vsr::test::golden("image");
  const at::Tensor raw = c.at("image.raw_frames").contiguous();
  vsr::video::Frames f;
  f.count = 1;
  f.height = raw.size(1);
  f.width = raw.size(2);
  f.rgb.assign(raw.data_ptr<std::uint8_t>(), raw.data_ptr<std::uint8_t>() + raw.numel());
  const auto path = vsr::test::temp_dir("generate") / "image.ppm";
  vsr::video::write_ppm(path, f, 0);
  const auto r = vsr::test::run_cli(kModelArgs + " --image " + path.string() +
                                    " --question 'Describe this image.' --temperature 0 --sampling.max_new_tokens 8");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, c.json.at("generated_text").get<std::string>() + "\n");
}

TEST(GenerateCli, VideoFileRunsAndIsDeterministicPerSeed) {
  const auto path = vsr::test::temp_dir("generate_video") / "clip.mp4";
  {
    vsr::video::VideoWriter w(path, 84, 56, 4);
    std::vector<std::uint8_t> frame(84 * 56 * 3);
    for (int k = 0; k < 8; ++k) {
      for (std::size_t i = 0; i < frame.size(); ++i) frame[i] = static_cast<std::uint8_t>((i * 7 + k * 40) % 256);
      w.write(frame.data());
    }
    w.close();
  }
  const std::string args = kModelArgs + " --video " + path.string() +
                           " --frames 4 --question 'What is happening?' --sampling.max_new_tokens 6 --runtime.seed 5";
  const auto a = vsr::test::run_cli(args), b = vsr::test::run_cli(args);
  ASSERT_EQ(a.exit_code, 0) << a.err;
  EXPECT_FALSE(a.out.empty());
  EXPECT_EQ(a.out, b.out);
}

TEST(GenerateCli, BadArgumentsAreOneLineErrors) {
  auto r = vsr::test::run_cli(kModelArgs + " --question hi");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("exactly one of --video FILE and --image FILE"), std::string::npos) << r.err;
  r = vsr::test::run_cli(kModelArgs + " --image /nonexistent.png --question hi");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("/nonexistent.png"), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

TEST(GenerateCli, AdapterAnswerEqualsTheInProcessAdaptedModel) {
  const auto dir = vsr::test::temp_dir("generate_adapter");
  auto model = vsr::model::Qwen2VL::from_pretrained(vsr::test::tiny_dir() / "model");
  auto adapters = vsr::train::LoraAdapters::create(model, vsr::train::LoraOptions{});
  adapters.save_adapter(dir / "zero");  // B = 0: the adapted model is the base model
  {
    at::NoGradGuard no_grad;
    at::Generator gen = vsr::model::make_generator(5, at::kCPU);
    for (at::Tensor p : adapters.parameters()) p.copy_(at::randn(p.sizes(), gen) * 0.5);
  }
  adapters.save_adapter(dir / "random");
  adapters.set_training(false);

  // The golden image, losslessly through a PPM file, and the same image in process.
  const at::Tensor raw = vsr::test::golden("image").at("image.raw_frames").contiguous();
  vsr::video::Frames f;
  f.count = 1;
  f.height = raw.size(1);
  f.width = raw.size(2);
  f.rgb.assign(raw.data_ptr<std::uint8_t>(), raw.data_ptr<std::uint8_t>() + raw.numel());
  vsr::video::write_ppm(dir / "image.ppm", f, 0);
  const auto tokenizer = vsr::text::Tokenizer::from_dir(vsr::test::tiny_dir() / "tokenizer");
  const auto processor = vsr::vision::ProcessorOptions::from_file(vsr::test::tiny_dir() / "model/preprocessor_config.json");
  const std::vector<vsr::text::ChatMessage> chat{
      {"user", {{vsr::text::ChatContent::Kind::Image, {}}, {vsr::text::ChatContent::Kind::Text, "Describe this image."}}}};
  const auto inputs = vsr::model::build_chat_inputs(tokenizer, chat, {{raw[0]}, {}}, processor, model.config());
  vsr::model::SamplingOptions o;
  o.temperature = 0;
  o.max_new_tokens = 8;
  auto gen = vsr::model::make_generator(1, at::kCPU);
  const auto out = vsr::model::generate(model, inputs, vsr::model::with_model_stops(o, model), gen);
  std::vector<std::int32_t> ids;
  for (std::int64_t k = 0; k < out.lengths[0].item<std::int64_t>(); ++k)
    ids.push_back(static_cast<std::int32_t>(out.tokens[0][k].item<std::int64_t>()));
  const std::string adapted = tokenizer.decode(ids, true) + "\n";

  const std::string args = kModelArgs + " --image " + (dir / "image.ppm").string() +
                           " --question 'Describe this image.' --temperature 0 --sampling.max_new_tokens 8";
  const auto base = vsr::test::run_cli(args);
  const auto zero = vsr::test::run_cli(args + " --adapter " + (dir / "zero").string());
  const auto random = vsr::test::run_cli(args + " --adapter " + (dir / "random").string());
  ASSERT_EQ(zero.exit_code, 0) << zero.err;
  ASSERT_EQ(random.exit_code, 0) << random.err;
  EXPECT_EQ(zero.out, base.out);
  EXPECT_EQ(random.out, adapted);
  EXPECT_NE(random.out, base.out);
  const auto missing = vsr::test::run_cli(args + " --adapter " + (dir / "nope").string());
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("nope"), std::string::npos) << missing.err;
}
