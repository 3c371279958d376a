// Checkpoint I/O speed: open + validate the golden Qwen2-VL checkpoint (mmap, header parse), copy it into float32
// tensors (BF16 upcast), and write a file of the same size.
#include "vsr/io/safetensors.hpp"
#include "vsr/runtime/tensor_io.hpp"

#include <benchmark/benchmark.h>

#include <filesystem>
#include <unistd.h>

namespace {

const std::filesystem::path kModel = std::filesystem::path(VSR_TEST_DATA_DIR) / "qwen2vl-tiny/model/model.safetensors";

void BM_SafetensorsOpenValidate(benchmark::State& state) {
  for (auto _ : state) {
    auto f = vsr::io::SafetensorsFile::open(kModel);
    benchmark::DoNotOptimize(f.names().size());
  }
}
BENCHMARK(BM_SafetensorsOpenValidate)->Unit(benchmark::kMicrosecond);

void BM_SafetensorsLoadAsFloat32(benchmark::State& state) {
  const auto f = vsr::io::SafetensorsFile::open(kModel);
  for (auto _ : state)
    for (const auto& t : f.tensors()) benchmark::DoNotOptimize(vsr::to_tensor(t, at::kFloat));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * f.data_size()));
}
BENCHMARK(BM_SafetensorsLoadAsFloat32)->Unit(benchmark::kMillisecond);

void BM_SafetensorsWrite(benchmark::State& state) {
  const auto f = vsr::io::SafetensorsFile::open(kModel);
  vsr::io::SafetensorsWriter w;
  for (const auto& t : f.tensors()) w.add(t.name, t.dtype, t.shape, {t.data, t.nbytes});
  const auto out = std::filesystem::temp_directory_path() / ("vsr_bench_" + std::to_string(::getpid()) + ".safetensors");
  for (auto _ : state) w.write(out);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * w.data_bytes()));
  std::filesystem::remove(out);
}
BENCHMARK(BM_SafetensorsWrite)->Unit(benchmark::kMillisecond);

}  // namespace
