// Qwen2-VL model speed (float32, CPU) on two sizes: the tiny golden model and a larger random "mid" config
// (hidden 512, 8 layers, 8 heads / 2 kv heads, vision depth 4 x 256), to show how each phase scales:
// the vision tower alone, a prefill (vision + prompt), one decode step for 1 and 14 rows sharing one prefill,
// and GRPO's teacher-forced log-probs of 14 x (40 prompt + 64 completion) tokens, forward only and with backward.
// Run: build/bench/vsr_bench --benchmark_filter=Model
#include "vsr/io/hf_config.hpp"
#include "vsr/model/qwen2vl.hpp"
#include "vsr/runtime/tensor_io.hpp"

#include <ATen/ATen.h>
#include <benchmark/benchmark.h>

#include <filesystem>

namespace {

const std::filesystem::path kTiny = std::filesystem::path(VSR_TEST_DATA_DIR) / "qwen2vl-tiny";

constexpr const char* kMidConfig = R"({
  "model_type": "qwen2_vl", "vocab_size": 151936, "hidden_size": 512, "intermediate_size": 1536,
  "num_hidden_layers": 8, "num_attention_heads": 8, "num_key_value_heads": 2, "rms_norm_eps": 1e-6,
  "rope_theta": 1000000.0, "tie_word_embeddings": true,
  "rope_scaling": {"type": "mrope", "mrope_section": [8, 12, 12]},
  "vision_config": {"depth": 4, "embed_dim": 256, "hidden_size": 512, "num_heads": 4, "mlp_ratio": 4}
})";

/// A model with the golden video prompt (40 tokens, video grid 2x4x6) and GRPO-shaped teacher-forcing inputs.
struct Fixture {
  vsr::model::Qwen2VL model;
  vsr::model::MultimodalInputs prompt;  ///< batch of one
  vsr::model::MultimodalInputs grpo;    ///< 14 rows: prompt + 64 completion tokens, each row with its video
  at::Tensor grpo_mask;                 ///< the 64 completion positions

  explicit Fixture(vsr::model::Qwen2VL m) : model(std::move(m)) {
    auto t = vsr::load_safetensors(kTiny / "cases/video.safetensors");
    prompt.input_ids = t.at("input_ids").unsqueeze(0);
    prompt.pixel_values_videos = t.at("video.pixel_values");
    prompt.video_grid_thw = t.at("video.grid_thw");
    at::Generator gen = at::detail::createCPUGenerator(1234);
    const at::Tensor completion = at::randint(0, 151643, {14, 64}, gen, at::kLong);
    grpo.input_ids = at::cat({prompt.input_ids.expand({14, -1}), completion}, 1);
    grpo.pixel_values_videos = prompt.pixel_values_videos.repeat({14, 1});
    grpo.video_grid_thw = prompt.video_grid_thw.repeat({14, 1});
    grpo_mask = at::zeros_like(grpo.input_ids);
    grpo_mask.narrow(1, prompt.input_ids.size(1), 64).fill_(1);
  }
};

const Fixture& fixture(int which) {
  static const Fixture tiny(vsr::model::Qwen2VL::from_pretrained(kTiny / "model"));
  static const Fixture mid([] {
    const auto cfg = vsr::io::Qwen2VLConfig::from_json(kMidConfig, "<mid config>");
    return vsr::model::Qwen2VL::from_tensors(cfg, vsr::model::random_weights(cfg, 7));
  }());
  return which == 0 ? tiny : mid;
}

const char* name_of(int which) { return which == 0 ? "tiny" : "mid"; }

void BM_ModelVisionTower(benchmark::State& state) {
  const auto& f = fixture(state.range(0));
  // 8 frames of 224x224: grid (4, 16, 16) = 1024 patches, 256 merged tokens.
  const at::Tensor pixels = at::randn({1024, 1176});
  const at::Tensor grid = at::tensor({4, 16, 16}, at::kLong).view({1, 3});
  at::NoGradGuard no_grad;
  for (auto _ : state) benchmark::DoNotOptimize(f.model.visual().forward(pixels, grid));
  state.SetLabel(name_of(state.range(0)));
}
BENCHMARK(BM_ModelVisionTower)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

void BM_ModelPrefill(benchmark::State& state) {
  const auto& f = fixture(state.range(0));
  for (auto _ : state) {
    auto cache = f.model.new_cache(1, 128);
    const auto hidden = f.model.prefill(f.prompt, cache);
    benchmark::DoNotOptimize(f.model.logits_at(hidden, at::full({1}, hidden.size(1) - 1, at::kLong)));
  }
  state.SetLabel(name_of(state.range(0)));
}
BENCHMARK(BM_ModelPrefill)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

void BM_ModelDecodeStep(benchmark::State& state) {
  const auto& f = fixture(state.range(0));
  const std::int64_t rows = state.range(1);
  const std::int64_t L = f.prompt.input_ids.size(1);
  auto one = f.model.new_cache(1, L + 1024);
  f.model.prefill(f.prompt, one);
  auto cache = one.repeat_rows(rows);
  const at::Tensor tokens = at::full({rows}, 198, at::kLong);
  for (auto _ : state) {
    if (cache.length() >= L + 64) {  // decode steps at context lengths L..L+64, as a 64-token rollout
      state.PauseTiming();
      cache = one.repeat_rows(rows);
      state.ResumeTiming();
    }
    benchmark::DoNotOptimize(f.model.logits_at(f.model.decode_step(tokens, cache)));
  }
  state.SetItemsProcessed(state.iterations() * rows);
  state.SetLabel(name_of(state.range(0)));
}
BENCHMARK(BM_ModelDecodeStep)->Args({0, 1})->Args({0, 14})->Args({1, 1})->Args({1, 14})->Unit(benchmark::kMillisecond);

void BM_ModelLogProbs(benchmark::State& state) {
  const auto& f = fixture(state.range(0));
  const bool backward = state.range(1) != 0;
  auto& model = const_cast<vsr::model::Qwen2VL&>(f.model);
  std::vector<at::Tensor*> params;
  for (auto& [n, p] : model.named_parameters()) params.push_back(p);
  for (auto* p : params) p->requires_grad_(backward);
  for (auto _ : state) {
    if (backward) {
      const auto logp = f.model.token_log_probs(f.model.forward(f.grpo), f.grpo.input_ids, f.grpo_mask);
      logp.sum().backward();
      for (auto* p : params) p->mutable_grad() = at::Tensor();
    } else {
      at::NoGradGuard no_grad;
      benchmark::DoNotOptimize(f.model.token_log_probs(f.model.forward(f.grpo), f.grpo.input_ids, f.grpo_mask));
    }
  }
  for (auto* p : params) p->requires_grad_(false);
  state.SetLabel(std::string(name_of(state.range(0))) + (backward ? " fwd+bwd" : " fwd"));
}
BENCHMARK(BM_ModelLogProbs)->Args({0, 0})->Args({0, 1})->Args({1, 0})->Args({1, 1})->Unit(benchmark::kMillisecond);

}  // namespace
