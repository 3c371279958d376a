#pragma once
/// @file
/// The VSI-100k dataset builder over a folder of ScanNet-format scenes (what `vsr data build` runs): every scene's
/// questions, scenes processed in parallel, output in scene order and identical for any thread count (each scene's
/// random choices are seeded from the seed and the scene name).

#include "vsr/data/qa.hpp"
#include "vsr/data/sample.hpp"
#include "vsr/data/synth.hpp"

#include <filesystem>
#include <functional>
#include <vector>

namespace vsr::data {

/// The scene folders of `root` (those holding `<name>_vh_clean_2.ply`), sorted by name. vsr::Error if `root` cannot
/// be listed.
std::vector<std::filesystem::path> list_scene_dirs(const std::filesystem::path& root);

/// The questions of one scene folder. When the scene has a camera path (synthetic scenes), visibility comes from its
/// uniformly sampled frames and the eval-only tasks (appearance order, route planning) are generated too. Every
/// question's meta.camera names the scene's camera track (the synthetic camera file, or the scene folder when it
/// holds ScanNet's exported pose/), for [video] sampling = space_aware; absent when the scene has neither.
std::vector<Sample> build_scene_questions(const std::filesystem::path& scene_dir, const QaOptions& qa,
                                          const SynthOptions& synth);

/// Questions of every scene in `dirs` on `threads` threads (0 = all cores), concatenated in the order of `dirs`;
/// `on_scene_done` (called from one thread at a time) receives the running count of finished scenes. The first
/// scene error is rethrown after all threads stop.
std::vector<Sample> build_questions(const std::vector<std::filesystem::path>& dirs, const QaOptions& qa,
                                    const SynthOptions& synth, int threads,
                                    const std::function<void(std::size_t)>& on_scene_done = {});

}  // namespace vsr::data
