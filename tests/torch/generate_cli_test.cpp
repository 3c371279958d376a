// `vsr generate` end to end: an image file through FFmpeg, the processor, the model and the tokenizer gives
// transformers' greedy answer of the golden image case.
#include "model_support.hpp"
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
