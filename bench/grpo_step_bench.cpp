// One GRPO step on the tiny model, phase by phase (the shape of vsGRPO's step: 1 question, G = 14 rollouts of up to
// 32 new tokens at T = 1, LoRA r 16 on all decoder projections, k3 KL): rollouts (shared prefill + decode), the
// reference log-probs (adapters off, no autograd), the policy log-probs forward + loss + backward, and the AdamW
// update. The golden `video` case (4 frames, 12 video tokens) is the prompt.
#include <ATen/ATen.h>
#include <benchmark/benchmark.h>

#include <filesystem>

#include "vsr/algo/grpo.hpp"
#include "vsr/kl/k3.hpp"
#include "vsr/model/generation.hpp"
#include "vsr/model/qwen2vl.hpp"
#include "vsr/model/sample_encoder.hpp"
#include "vsr/runtime/tensor_io.hpp"
#include "vsr/text/tokenizer.hpp"
#include "vsr/train/adamw.hpp"
#include "vsr/train/lora.hpp"

namespace {

const std::filesystem::path kTiny = std::filesystem::path(VSR_TEST_DATA_DIR) / "qwen2vl-tiny";
constexpr std::int64_t kGroup = 14;

/// Everything a GRPO step on the golden video prompt needs, built once.
struct GrpoFixture {
  vsr::model::Qwen2VL model = vsr::model::Qwen2VL::from_pretrained(kTiny / "model");
  vsr::text::Tokenizer tokenizer = vsr::text::Tokenizer::from_dir(kTiny / "tokenizer");
  vsr::train::LoraAdapters adapters = vsr::train::LoraAdapters::create(model, vsr::train::LoraOptions{});
  vsr::train::AdamW optimizer{adapters.parameters(), {}};
  vsr::model::SampleEncoder encoder{tokenizer, vsr::vision::ProcessorOptions{}, model.config()};
  vsr::model::MultimodalInputs prompt;
  vsr::model::SamplingOptions sampling;
  at::Generator generator = vsr::model::make_generator(7, at::kCPU);
  vsr::model::CompletionBatch batch;
  vsr::algo::Grpo grpo;
  vsr::kl::K3 kl;

  GrpoFixture() {
    const auto t = vsr::load_safetensors(kTiny / "cases/video.safetensors");
    prompt.input_ids = t.at("input_ids").view({1, -1});
    prompt.attention_mask = at::ones_like(prompt.input_ids);
    prompt.pixel_values_videos = t.at("video.pixel_values");
    prompt.video_grid_thw = t.at("video.grid_thw").view({1, 3});
    sampling.max_new_tokens = 32;
    sampling = vsr::model::with_model_stops(sampling, model);
    grpo.options.num_generations = kGroup;
    const auto gen = rollouts();
    std::vector<std::vector<std::int64_t>> completions;
    for (std::int64_t r = 0; r < kGroup; ++r) {
      const auto n = gen.lengths[r].item<std::int64_t>();
      const auto row = gen.tokens[r].narrow(0, 0, n).contiguous();
      completions.emplace_back(row.data_ptr<std::int64_t>(), row.data_ptr<std::int64_t>() + n);
    }
    batch = encoder.with_completions(prompt, completions);
  }
  vsr::model::Generation rollouts() {
    adapters.set_training(false);
    at::NoGradGuard no_grad;
    return vsr::model::sample_group(model, prompt, kGroup, sampling, generator);
  }
  at::Tensor logprobs(bool train) {
    adapters.set_training(train);
    std::optional<at::NoGradGuard> no_grad;
    if (!train) no_grad.emplace();
    return model.token_log_probs(model.forward(batch.inputs), batch.inputs.input_ids, batch.mask);
  }
};

GrpoFixture& fixture() {
  static GrpoFixture f;
  return f;
}

void BM_GrpoStep_1_Rollouts(benchmark::State& state) {
  auto& f = fixture();
  std::int64_t tokens = 0;
  for (auto _ : state) tokens += f.rollouts().lengths.sum().item<std::int64_t>();
  state.counters["tok/s"] = benchmark::Counter(static_cast<double>(tokens), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_GrpoStep_1_Rollouts)->Unit(benchmark::kMillisecond);

void BM_GrpoStep_2_ReferenceLogprobs(benchmark::State& state) {
  auto& f = fixture();
  for (auto _ : state) {
    vsr::train::LoraDisabled reference(f.adapters);
    benchmark::DoNotOptimize(f.logprobs(false).data_ptr());
  }
}
BENCHMARK(BM_GrpoStep_2_ReferenceLogprobs)->Unit(benchmark::kMillisecond);

void BM_GrpoStep_3_PolicyLossBackward(benchmark::State& state) {
  auto& f = fixture();
  const at::Tensor ref = [&] {
    vsr::train::LoraDisabled reference(f.adapters);
    return f.logprobs(false);
  }();
  const auto adv = f.grpo.advantages(at::rand({kGroup}));
  for (auto _ : state) {
    const at::Tensor logp = f.logprobs(true);
    const auto out = f.grpo.loss({logp, {}, ref, adv.advantages, f.batch.mask}, f.kl);
    out.loss.backward();
    f.optimizer.zero_grad();
  }
}
BENCHMARK(BM_GrpoStep_3_PolicyLossBackward)->Unit(benchmark::kMillisecond);

void BM_GrpoStep_4_AdamWUpdate(benchmark::State& state) {
  auto& f = fixture();
  for (auto& p : f.adapters.parameters()) p.mutable_grad() = at::randn_like(p) * 1e-3;
  for (auto _ : state) {
    vsr::train::clip_gradient_norm(f.optimizer.parameters(), 1.0);
    f.optimizer.step(1e-5);
  }
  f.optimizer.zero_grad();
}
BENCHMARK(BM_GrpoStep_4_AdamWUpdate)->Unit(benchmark::kMillisecond);

}  // namespace
