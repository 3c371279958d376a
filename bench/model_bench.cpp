// Qwen2-VL model speed on the tiny golden model (float32, CPU): vision + prefill of the image_video prompt, one
// batched decode step with G rows sharing that prefill, and a teacher-forced forward + token log-probs.
#include "vsr/model/qwen2vl.hpp"
#include "vsr/runtime/tensor_io.hpp"

#include <ATen/ATen.h>
#include <benchmark/benchmark.h>

#include <filesystem>

namespace {

const std::filesystem::path kTiny = std::filesystem::path(VSR_TEST_DATA_DIR) / "qwen2vl-tiny";

struct Fixture {
  vsr::model::Qwen2VL model = vsr::model::Qwen2VL::from_pretrained(kTiny / "model");
  vsr::model::MultimodalInputs in;
  Fixture() {
    auto t = vsr::load_safetensors(kTiny / "cases/image_video.safetensors");
    in.input_ids = t.at("input_ids").unsqueeze(0);
    in.pixel_values = t.at("image.pixel_values");
    in.image_grid_thw = t.at("image.grid_thw");
    in.pixel_values_videos = t.at("video.pixel_values");
    in.video_grid_thw = t.at("video.grid_thw");
  }
};

const Fixture& fixture() {
  static const Fixture f;
  return f;
}

void BM_ModelPrefillImageVideo(benchmark::State& state) {
  const auto& f = fixture();
  for (auto _ : state) {
    auto cache = f.model.new_cache(1, 64);
    benchmark::DoNotOptimize(f.model.prefill(f.in, cache));
  }
}
BENCHMARK(BM_ModelPrefillImageVideo)->Unit(benchmark::kMillisecond);

void BM_ModelDecodeStepSharedPrefill(benchmark::State& state) {
  const auto& f = fixture();
  const std::int64_t G = state.range(0);
  auto one = f.model.new_cache(1, 51 + 1024);
  f.model.prefill(f.in, one);
  auto cache = one.repeat_rows(G);
  const at::Tensor tokens = at::full({G}, 198, at::kLong);
  for (auto _ : state) {
    if (cache.length() >= 51 + 1000) cache = one.repeat_rows(G);
    benchmark::DoNotOptimize(f.model.logits_at(f.model.decode_step(tokens, cache)));
  }
  state.SetItemsProcessed(state.iterations() * G);
}
BENCHMARK(BM_ModelDecodeStepSharedPrefill)->Arg(1)->Arg(14)->Unit(benchmark::kMicrosecond);

void BM_ModelTeacherForcedLogProbs(benchmark::State& state) {
  const auto& f = fixture();
  at::Tensor mask = at::zeros_like(f.in.input_ids);
  mask.narrow(1, 40, 11).fill_(1);
  at::NoGradGuard no_grad;
  for (auto _ : state)
    benchmark::DoNotOptimize(f.model.token_log_probs(f.model.forward(f.in), f.in.input_ids, mask));
}
BENCHMARK(BM_ModelTeacherForcedLogProbs)->Unit(benchmark::kMillisecond);

}  // namespace
