// Qwen2-VL processor speed: 16 frames of 640x480 through smart_resize (default max_pixels 28*28*1280 -> 476x644),
// Pillow-exact bicubic resize, normalisation and patch flattening. Run:
//   build/bench/vsr_bench --benchmark_filter=Processor
#include "vsr/vision/pillow_resize.hpp"
#include "vsr/vision/processor.hpp"

#include <ATen/Parallel.h>
#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include <vector>

namespace {

torch::Tensor random_frames(std::int64_t t) {
  torch::manual_seed(7);
  return torch::randint(0, 256, {t, 480, 640, 3}, torch::TensorOptions().dtype(torch::kUInt8));
}

// Whole pipeline: 16 frames -> pixel_values [8*34*46, 1176]; argument = intra-op threads.
void BM_ProcessorVideo16x640x480(benchmark::State& state) {
  at::set_num_threads(static_cast<int>(state.range(0)));
  const auto frames = random_frames(16);
  const vsr::vision::ProcessorOptions options;
  for (auto _ : state) {
    auto v = vsr::vision::process_video(frames, options);
    benchmark::DoNotOptimize(v.pixel_values.data_ptr<float>());
  }
  state.counters["frames/s"] = benchmark::Counter(16.0 * state.iterations(), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_ProcessorVideo16x640x480)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

// One frame, resize only (single thread): 480x640 -> 476x644.
void BM_ProcessorPillowResizeFrame(benchmark::State& state) {
  const auto frame = random_frames(1);
  const vsr::vision::PillowBicubicResizer resizer(480, 640, 476, 644, 3);
  std::vector<std::uint8_t> out(resizer.out_bytes());
  for (auto _ : state) {
    resizer.run(frame.data_ptr<std::uint8_t>(), out.data());
    benchmark::DoNotOptimize(out.data());
  }
}
BENCHMARK(BM_ProcessorPillowResizeFrame)->Unit(benchmark::kMillisecond);

// Normalise + flatten only, 16 resized frames (single thread).
void BM_ProcessorPatchify16(benchmark::State& state) {
  at::set_num_threads(1);
  torch::manual_seed(7);
  const auto resized = torch::randint(0, 256, {16, 476, 644, 3}, torch::TensorOptions().dtype(torch::kUInt8));
  const vsr::vision::ProcessorOptions options;
  for (auto _ : state) {
    auto v = vsr::vision::patchify_frames(resized, options);
    benchmark::DoNotOptimize(v.pixel_values.data_ptr<float>());
  }
}
BENCHMARK(BM_ProcessorPatchify16)->Unit(benchmark::kMillisecond);

}  // namespace
