#include "vsr/data/builder.hpp"

#include "vsr/core/error.hpp"
#include "vsr/data/render.hpp"
#include "vsr/data/scannet.hpp"

#include <atomic>
#include <exception>
#include <mutex>
#include <thread>

namespace fs = std::filesystem;

namespace vsr::data {

std::vector<fs::path> list_scene_dirs(const fs::path& root) {
  std::vector<fs::path> dirs;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(root, ec))
    if (e.is_directory() && fs::exists(e.path() / (e.path().filename().string() + "_vh_clean_2.ply")))
      dirs.push_back(e.path());
  require(!ec, root.string(), "", "cannot list the folder: " + ec.message());
  std::sort(dirs.begin(), dirs.end());
  return dirs;
}

namespace {

/// The scene's camera track for space-aware frame sampling: a synthetic scene's camera file, else a ScanNet export's
/// pose/ folder (the scene folder names it), else none.
std::string camera_track(const fs::path& dir, const std::string& name) {
  std::error_code ec;
  const fs::path synthetic = dir / (name + "_camera.json");
  if (fs::exists(synthetic, ec)) return fs::absolute(synthetic).lexically_normal().string();
  if (fs::is_directory(dir / "pose", ec)) return fs::absolute(dir).lexically_normal().string();
  return "";
}

}  // namespace

std::vector<Sample> build_scene_questions(const fs::path& dir, const QaOptions& qa, const SynthOptions& synth) {
  const Scene scene = load_scannet_scene(dir);
  const auto poses = read_camera_path(dir, scene.name);
  std::vector<Sample> samples;
  if (poses.empty()) {
    samples = generate_scene_questions(scene, qa);
  } else {
    std::vector<CameraPose> sampled;
    for (int i : uniform_frame_indices(int(poses.size()), synth.sampled_frames)) sampled.push_back(poses[i]);
    const auto vis = compute_visibility(scene, sampled, synth.visibility_width, synth.visibility_height, synth.min_pixels);
    samples = generate_scene_questions(scene, qa, &vis);
  }
  if (const std::string track = camera_track(dir, scene.name); !track.empty())
    for (auto& s : samples) s.meta["camera"] = track;
  return samples;
}

std::vector<Sample> build_questions(const std::vector<fs::path>& dirs, const QaOptions& qa, const SynthOptions& synth,
                                    int threads, const std::function<void(std::size_t)>& on_scene_done) {
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  threads = static_cast<int>(std::min<std::size_t>(static_cast<std::size_t>(threads), std::max<std::size_t>(1, dirs.size())));
  std::vector<std::vector<Sample>> per_scene(dirs.size());
  std::atomic<std::size_t> next{0};
  std::atomic<bool> failed{false};
  std::mutex mutex;
  std::exception_ptr error;
  std::size_t done = 0;
  auto work = [&] {
    for (std::size_t i = next++; i < dirs.size() && !failed; i = next++) {
      try {
        per_scene[i] = build_scene_questions(dirs[i], qa, synth);
      } catch (...) {
        std::lock_guard lock(mutex);
        if (!error) error = std::current_exception();
        failed = true;
        return;
      }
      std::lock_guard lock(mutex);
      ++done;
      if (on_scene_done) on_scene_done(done);
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
  if (error) std::rethrow_exception(error);
  std::vector<Sample> samples;
  for (auto& s : per_scene) samples.insert(samples.end(), std::make_move_iterator(s.begin()), std::make_move_iterator(s.end()));
  return samples;
}

}  // namespace vsr::data
