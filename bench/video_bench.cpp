// Video sampling speed: Qwen2-VL uniform sampling of 16 and 32 frames from a 640x480, 24 fps, 60 s H.264 video
// (x264 defaults: keyint 250, B-frames), opening the file each time as a training step would. The video is made
// once with VideoWriter into the temporary folder (moving gradients plus noise, so it is not trivially
// compressible). Run: build/bench/vsr_bench --benchmark_filter=Video
#include "vsr/video/reader.hpp"
#include "vsr/video/writer.hpp"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <vector>

namespace {

constexpr int kW = 640, kH = 480, kFps = 24, kSeconds = 60;

/// The benchmark video, written on first use.
const std::filesystem::path& bench_video() {
  static const std::filesystem::path path = [] {
    const auto p = std::filesystem::temp_directory_path() / "vsr_bench_640x480_24fps_60s.mp4";
    if (std::filesystem::exists(p)) return p;
    vsr::video::VideoWriter w(p, kW, kH, kFps);  // libx264 defaults: CRF 23, preset medium, keyint 250
    std::vector<std::uint8_t> rgb(static_cast<std::size_t>(kW * kH * 3));
    std::uint32_t seed = 12345;
    for (int t = 0; t < kFps * kSeconds; ++t) {
      const double cx = kW / 2 + 200 * std::sin(t * 0.03), cy = kH / 2 + 150 * std::cos(t * 0.021);
      for (int y = 0; y < kH; ++y)
        for (int x = 0; x < kW; ++x) {
          seed = seed * 1664525u + 1013904223u;
          const int noise = static_cast<int>(seed >> 29) - 4;  // -4..3: sensor-like noise
          const double d = std::hypot(x - cx, y - cy);
          auto* px = &rgb[static_cast<std::size_t>((y * kW + x) * 3)];
          const int r = static_cast<int>(128 + 100 * std::sin((x + 3 * t) / 40.0));
          const int g = static_cast<int>(128 + 100 * std::sin((2 * y + t) / 50.0));
          const int b = static_cast<int>(128 + 100 * std::cos(d / 20));
          px[0] = static_cast<std::uint8_t>(std::clamp(r + noise, 0, 255));
          px[1] = static_cast<std::uint8_t>(std::clamp(g + noise, 0, 255));
          px[2] = static_cast<std::uint8_t>(std::clamp(b + noise, 0, 255));
        }
      w.write(rgb.data());
    }
    w.close();
    return p;
  }();
  return path;
}

/// Opens the video and samples `range(0)` frames with `range(1)` decoder threads (0: FFmpeg's choice).
void BM_VideoSampleUniform(benchmark::State& state) {
  const auto& path = bench_video();
  vsr::video::ReaderOptions opt;
  opt.threads = static_cast<int>(state.range(1));
  for (auto _ : state) {
    vsr::video::VideoReader reader(path, opt);
    auto frames = reader.sample_uniform(state.range(0));
    benchmark::DoNotOptimize(frames.rgb.data());
  }
  state.SetLabel("640x480 24fps 60s h264");
}
BENCHMARK(BM_VideoSampleUniform)
    ->ArgsProduct({{16, 32}, {1, 2, 0}})
    ->ArgNames({"frames", "threads"})
    ->Unit(benchmark::kMillisecond)
    ->Iterations(2)
    ->Repetitions(5)
    ->ReportAggregatesOnly(true);

/// Opening alone (header, sample table, decoder set-up).
void BM_VideoOpen(benchmark::State& state) {
  const auto& path = bench_video();
  for (auto _ : state) {
    vsr::video::VideoReader reader(path);
    benchmark::DoNotOptimize(reader.frame_count());
  }
}
BENCHMARK(BM_VideoOpen)->Unit(benchmark::kMillisecond);

}  // namespace
