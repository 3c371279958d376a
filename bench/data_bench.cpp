// Question generation per scene on synthetic scenes of ScanNet size (50k-150k vertices, 20-40 objects).
// Goal: 1,500 scenes in < 60 s on 2 cores, i.e. < 40 ms per scene per core.
#include "vsr/data/builder.hpp"
#include "vsr/data/qa.hpp"
#include "vsr/data/synth.hpp"

#include <benchmark/benchmark.h>

#include <filesystem>
#include <unistd.h>

namespace {

using namespace vsr::data;

/// Eight scenes written to a temporary folder once (mesh spacing 3 cm gives ScanNet-like vertex counts).
const std::vector<std::filesystem::path>& scene_dirs() {
  static const std::vector<std::filesystem::path> dirs = [] {
    SynthOptions o;
    o.mesh_spacing = 0.03;
    o.write_video = false;
    const auto root = std::filesystem::temp_directory_path() / ("vsr_data_bench_" + std::to_string(::getpid()));
    std::vector<std::filesystem::path> out;
    for (int i = 0; i < 8; ++i) {
      const SynthScene s = make_synthetic_scene(1, i, o);
      write_synthetic_scene(root, s, o);
      std::filesystem::remove(root / s.name / (s.name + "_camera.json"));  // ScanNet has no camera path file
      out.push_back(root / s.name);
    }
    return out;
  }();
  return dirs;
}

const std::vector<Scene>& scenes() {
  static const std::vector<Scene> s = [] {
    std::vector<Scene> out;
    for (const auto& d : scene_dirs()) out.push_back(load_scannet_scene(d));
    return out;
  }();
  return s;
}

void BM_DataQuestionsPerScene(benchmark::State& state) {
  const auto& all = scenes();
  QaOptions o;
  std::size_t i = 0, questions = 0, vertices = 0, objects = 0;
  for (auto _ : state) {
    const Scene& s = all[i++ % all.size()];
    const auto q = generate_scene_questions(s, o);
    questions += q.size();
    vertices += s.mesh.vertices.size();
    objects += s.objects.size();
    benchmark::DoNotOptimize(q.data());
  }
  state.counters["questions/scene"] = double(questions) / double(state.iterations());
  state.counters["vertices/scene"] = double(vertices) / double(state.iterations());
  state.counters["objects/scene"] = double(objects) / double(state.iterations());
}
BENCHMARK(BM_DataQuestionsPerScene)->Unit(benchmark::kMillisecond);

void BM_DataLoadAndQuestionsPerScene(benchmark::State& state) {
  const auto& dirs = scene_dirs();
  QaOptions o;
  std::size_t i = 0;
  for (auto _ : state) {
    const Scene s = load_scannet_scene(dirs[i++ % dirs.size()]);
    benchmark::DoNotOptimize(generate_scene_questions(s, o).data());
  }
}
BENCHMARK(BM_DataLoadAndQuestionsPerScene)->Unit(benchmark::kMillisecond);


/// `vsr data build`'s path on ScanNet-like input (the scenes' camera files are removed, so no visibility rendering):
/// load + questions for the eight scenes on N threads; reports the projected seconds for 1,500 scenes.
void BM_DataBuildScenesThreads(benchmark::State& state) {
  const auto& dirs = scene_dirs();
  QaOptions qa;
  SynthOptions synth;
  const int threads = static_cast<int>(state.range(0));
  for (auto _ : state) benchmark::DoNotOptimize(build_questions(dirs, qa, synth, threads).data());
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(dirs.size()));
  // seconds for 1,500 scenes at this rate: elapsed * 1500 / scenes processed
  state.counters["s_per_1500_scenes"] = benchmark::Counter(
      static_cast<double>(state.iterations() * static_cast<std::int64_t>(dirs.size())) / 1500.0,
      benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_DataBuildScenesThreads)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
