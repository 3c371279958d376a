// Space-aware frame selection speed (Spatial-MLLM's sampling on known poses, video/space_aware_sampling.hpp): 32 of
// 300 frames of a walk around a 10 m room, 0.25 m floor cells, 4 m range. The goal: well under 100 ms per video, so
// choosing frames costs nothing beside decoding them. Run: build/bench/vsr_bench --benchmark_filter=FrameSelection
#include "vsr/video/space_aware_sampling.hpp"

#include <benchmark/benchmark.h>

#include <cmath>
#include <vector>

namespace {

void BM_FrameSelectionSpaceAware(benchmark::State& state) {
  std::vector<vsr::video::CameraFrame> frames;
  const int count = static_cast<int>(state.range(0));
  for (int i = 0; i < count; ++i) {
    const double t = 2 * M_PI * i / count;
    frames.push_back({{5 + 3.5 * std::cos(t), 5 + 3.5 * std::sin(t), 1.5}, {std::cos(t + 2.0), std::sin(t + 2.0), -0.2}, 90});
  }
  for (auto _ : state) benchmark::DoNotOptimize(vsr::video::space_aware_indices(frames, 32));
}

}  // namespace

BENCHMARK(BM_FrameSelectionSpaceAware)->Arg(300)->Arg(1200)->Unit(benchmark::kMillisecond);
