// `vsr generate`: one question about one image or video, answered by a Qwen2-VL checkpoint.
#include "command.hpp"

#include "vsr/core/config.hpp"
#include "vsr/core/error.hpp"
#include "vsr/model/generation.hpp"
#include "vsr/model/inputs.hpp"
#include "vsr/runtime/runtime.hpp"
#include "vsr/train/lora.hpp"
#include "vsr/video/reader.hpp"

#include <ATen/ATen.h>

#include <cstdio>
#include <filesystem>

namespace {

/// Frames [N, H, W, 3] uint8 as a tensor.
at::Tensor to_tensor(const vsr::video::Frames& f) {
  return at::from_blob(const_cast<std::uint8_t*>(f.rgb.data()), {f.count, f.height, f.width, 3}, at::kByte).clone();
}

}  // namespace

VSR_COMMAND(run_generate, "generate", "answer a question about an image or a video with a Qwen2-VL checkpoint") {
  vsr::Config cfg(argv[0]);
  auto& runtime = cfg.add<vsr::RuntimeOptions>();
  auto& sampling = cfg.add<vsr::model::SamplingOptions>();
  auto& processor = cfg.add<vsr::vision::ProcessorOptions>();
  std::string model_dir, tokenizer_dir, adapter_dir, video, image, question;
  int frames = 16;
  std::int64_t max_pixels = 0;
  double temperature = -1;
  cfg.top_level()
      .add("model", model_dir, "Hugging Face Qwen2-VL checkpoint folder (config.json + *.safetensors)")
      .add("tokenizer", tokenizer_dir, "tokenizer folder (default: the model folder)")
      .add("adapter", adapter_dir, "LoRA adapter folder in PEFT's format (adapter_config.json + adapter_model.safetensors)")
      .add("video", video, "video file (frames sampled uniformly)")
      .add("image", image, "image file (PNG, JPEG, PPM, ...)")
      .add("question", question, "the question")
      .add("frames", frames, "frames sampled from the video (even)")
      .add("max-pixels", max_pixels, "per-frame pixel budget of the processor (0: the processor's)")
      .add("temperature", temperature, "sampling temperature (0 = greedy; default: [sampling] temperature)");
  if (!cfg.parse(argc, argv)) return 0;
  if (model_dir.empty()) vsr::fail("<command line>", "model", "expected --model DIR");
  if (question.empty()) vsr::fail("<command line>", "question", "expected --question TEXT");
  if (video.empty() == image.empty()) vsr::fail("<command line>", "video", "expected exactly one of --video FILE and --image FILE");
  vsr::apply_runtime(runtime);
  if (temperature >= 0) sampling.temperature = temperature;
  if (max_pixels > 0) processor.max_pixels = max_pixels;
  const std::filesystem::path preprocessor = std::filesystem::path(model_dir) / "preprocessor_config.json";
  if (std::filesystem::exists(preprocessor) && !cfg.was_set("processor.min_pixels") && !cfg.was_set("processor.max_pixels")) {
    processor = vsr::vision::ProcessorOptions::from_file(preprocessor);
    if (max_pixels > 0) processor.max_pixels = max_pixels;
  }

  const auto dtype = runtime.dtype == "bfloat16" ? at::kBFloat16 : at::kFloat;
  auto model = vsr::model::Qwen2VL::from_pretrained(model_dir, dtype, at::Device(runtime.device));
  std::optional<vsr::train::LoraAdapters> adapters;
  if (!adapter_dir.empty()) {
    adapters.emplace(vsr::train::LoraAdapters::from_pretrained(model, adapter_dir));
    adapters->set_training(false);
  }
  const auto tokenizer = vsr::text::Tokenizer::from_dir(tokenizer_dir.empty() ? model_dir : tokenizer_dir);

  vsr::model::ChatVisuals visuals;
  vsr::text::ChatMessage user{"user", {}};
  if (!image.empty()) {
    visuals.images.push_back(to_tensor(vsr::video::VideoReader(image).read_all())[0]);
    user.content.push_back({vsr::text::ChatContent::Kind::Image, {}});
  } else {
    visuals.videos.push_back(to_tensor(vsr::video::VideoReader(video).sample_uniform(frames)));
    user.content.push_back({vsr::text::ChatContent::Kind::Video, {}});
  }
  user.content.push_back({vsr::text::ChatContent::Kind::Text, question});
  const std::vector<vsr::text::ChatMessage> messages{user};
  auto inputs = vsr::model::build_chat_inputs(tokenizer, messages, visuals, processor, model.config());
  const auto device = at::Device(runtime.device);
  inputs.input_ids = inputs.input_ids.to(device);
  inputs.attention_mask = inputs.attention_mask.to(device);
  if (inputs.pixel_values.defined()) inputs.pixel_values = inputs.pixel_values.to(device, dtype);
  if (inputs.image_grid_thw.defined()) inputs.image_grid_thw = inputs.image_grid_thw.to(device);
  if (inputs.pixel_values_videos.defined()) inputs.pixel_values_videos = inputs.pixel_values_videos.to(device, dtype);
  if (inputs.video_grid_thw.defined()) inputs.video_grid_thw = inputs.video_grid_thw.to(device);

  auto generator = vsr::model::make_generator(runtime.seed, device);
  const auto out = vsr::model::generate(model, inputs, vsr::model::with_model_stops(sampling, model), generator);
  const auto tokens = out.tokens[0].narrow(0, 0, out.lengths[0].item<std::int64_t>()).to(at::kCPU).contiguous();
  const std::vector<std::int32_t> ids(tokens.data_ptr<std::int64_t>(), tokens.data_ptr<std::int64_t>() + tokens.numel());
  std::printf("%s\n", tokenizer.decode(ids, /*skip_special_tokens=*/true).c_str());
  return 0;
}
