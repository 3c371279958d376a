// Scene lists, benchmark-scene exclusion and the train / benchmark overlap warning.
#include "vsr/data/scene_list.hpp"

#include "vsr/core/error.hpp"
#include "vsr/data/records.hpp"

#include <algorithm>
#include <fstream>
#include <iterator>

namespace fs = std::filesystem;

namespace vsr::data {

std::set<std::string> read_scene_names(const fs::path& path) {
  const std::string ext = path.extension().string();
  std::set<std::string> names;
  if (ext == ".json" || ext == ".jsonl") {
    names = scene_names(read_samples(path));
    require(!names.empty(), path.string(), "scene_name", "expected records naming their scene, found none");
    return names;
  }
  std::ifstream in(path);
  require(in.good(), path.string(), "", "cannot open the scene list");
  std::string line;
  while (std::getline(in, line)) {
    if (const auto hash = line.find('#'); hash != std::string::npos) line.erase(hash);
    const auto b = line.find_first_not_of(" \t\r");
    if (b == std::string::npos) continue;
    names.insert(line.substr(b, line.find_last_not_of(" \t\r") - b + 1));
  }
  require(!names.empty(), path.string(), "", "expected scene names, one per line; the list is empty");
  return names;
}

std::set<std::string> scene_names(const std::vector<Sample>& samples) {
  std::set<std::string> names;
  for (const auto& s : samples)
    if (!s.scene_name.empty()) names.insert(s.scene_name);
  return names;
}

std::set<std::string> shared_scenes(const std::set<std::string>& a, const std::set<std::string>& b) {
  std::set<std::string> both;
  std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::inserter(both, both.end()));
  return both;
}

std::vector<fs::path> select_scene_dirs(const std::vector<fs::path>& dirs, const std::set<std::string>& keep,
                                        const std::set<std::string>& exclude, const std::string& keep_origin) {
  std::set<std::string> present;
  std::vector<fs::path> out;
  for (const auto& d : dirs) {
    const std::string name = d.filename().string();
    present.insert(name);
    if ((keep.empty() || keep.count(name)) && !exclude.count(name)) out.push_back(d);
  }
  for (const auto& name : keep)
    require(present.count(name) > 0, keep_origin, name, "the listed scene has no folder in the scene root");
  return out;
}

std::string overlap_warning(const std::set<std::string>& shared, const std::string& train,
                            const std::string& benchmark) {
  if (shared.empty()) return "";
  std::string some;
  int shown = 0;
  for (const auto& name : shared) {
    if (shown++ == 3) break;
    some += (some.empty() ? "" : ", ") + name;
  }
  return "WARNING: " + train + " shares " + std::to_string(shared.size()) + " scene(s) with " + benchmark + " (" +
         some + (shared.size() > 3 ? ", ..." : "") +
         "): training on a benchmark's scenes leaks it; build with --exclude " + benchmark;
}

}  // namespace vsr::data
