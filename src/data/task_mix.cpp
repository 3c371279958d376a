// Question-type mixes: parsing, the VSI-100k preset, and the even-over-scenes draw.
#include "vsr/data/task_mix.hpp"

#include "vsr/core/error.hpp"
#include "vsr/core/splitmix64.hpp"
#include "vsr/data/qa.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

namespace vsr::data {

namespace {

constexpr const char* kRelDirections[] = {"object_rel_direction_easy", "object_rel_direction_medium",
                                          "object_rel_direction_hard"};

bool known_type(std::string_view type) {
  return std::any_of(std::begin(kQuestionTypes), std::end(kQuestionTypes), [&](const char* t) { return type == t; });
}

std::string trim(std::string_view s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string_view::npos) return "";
  return std::string(s.substr(b, s.find_last_not_of(" \t") - b + 1));
}

/// A seeded Fisher-Yates shuffle on SplitMix64 (the same order on every platform).
template <class T>
void shuffle(std::vector<T>& v, std::uint64_t& state) {
  for (std::size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[splitmix64(state) % i]);
}

/// Per scene, in a seeded order, the pool indices of one question type.
std::vector<std::vector<std::size_t>> by_scene(const std::vector<Sample>& pool, const std::string& type,
                                               std::uint64_t& state) {
  std::map<std::string, std::vector<std::size_t>> scenes;
  for (std::size_t i = 0; i < pool.size(); ++i)
    if (pool[i].question_type == type) scenes[pool[i].scene_name].push_back(i);
  std::vector<std::vector<std::size_t>> out;
  for (auto& [name, idx] : scenes) out.push_back(std::move(idx));
  shuffle(out, state);
  for (auto& idx : out) shuffle(idx, state);
  return out;
}

/// Round-robin over the scenes until `wanted` indices are taken or every scene is exhausted.
std::vector<std::size_t> take_evenly(const std::vector<std::vector<std::size_t>>& scenes, std::int64_t wanted,
                                     std::int64_t* scenes_used) {
  std::vector<std::size_t> taken;
  std::set<std::size_t> used;
  for (std::size_t round = 0; static_cast<std::int64_t>(taken.size()) < wanted; ++round) {
    bool any = false;
    for (std::size_t s = 0; s < scenes.size() && static_cast<std::int64_t>(taken.size()) < wanted; ++s)
      if (round < scenes[s].size()) {
        taken.push_back(scenes[s][round]);
        used.insert(s);
        any = true;
      }
    if (!any) break;
  }
  if (scenes_used) *scenes_used = static_cast<std::int64_t>(used.size());
  return taken;
}

}  // namespace

TaskMix parse_task_mix(std::string_view spec, std::string_view where) {
  TaskMix mix;
  bool counts = false;
  std::size_t start = 0;
  while (start <= spec.size()) {
    const std::size_t comma = std::min(spec.find(',', start), spec.size());
    const std::string item = trim(spec.substr(start, comma - start));
    start = comma + 1;
    if (item.empty()) continue;
    const auto eq = item.find('=');
    require(eq != std::string::npos, "<options>", where, "expected type=value, found " + quote(item));
    const std::string type = normalise_label(item.substr(0, eq));
    const std::string value = trim(item.substr(eq + 1));
    double v = 0;
    std::size_t used = 0;
    try {
      v = std::stod(value, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    require(used == value.size() && used > 0 && std::isfinite(v) && v >= 0, "<options>", where,
            "expected a count or share >= 0 for " + quote(type) + ", found " + quote(value));
    const bool is_share = value.find_first_of(".eE") != std::string::npos;
    require(mix.targets.empty() || is_share == mix.shares, "<options>", where,
            "expected all counts (integers) or all shares (with a decimal point), found both");
    mix.shares = is_share;
    counts = !is_share;
    require(type == "object_rel_direction" || known_type(type), "<options>", where,
            "unknown question type " + quote(type));
    if (type == "object_rel_direction") {
      for (const char* t : kRelDirections) mix.targets[t] += v / 3;
    } else {
      mix.targets[type] += v;
    }
  }
  require(!mix.targets.empty(), "<options>", where, "expected at least one type=value");
  if (counts)
    for (auto& [type, n] : mix.targets) n = std::floor(n + 0.5);
  if (mix.shares) {
    double sum = 0;
    for (const auto& [type, share] : mix.targets) sum += share;
    require(sum > 0, "<options>", where, "expected shares summing to more than 0");
    for (auto& [type, share] : mix.targets) share /= sum;
  }
  return mix;
}

TaskMix vsi100k_mix() {
  TaskMix mix = parse_task_mix(
      "object_counting=6400.0,object_rel_distance=13000.0,object_size_estimation=13000.0,"
      "object_abs_distance=75000.0,room_size_estimation=1500.0,object_rel_direction=8000.0",
      "data.preset");
  mix.total = 116900;
  return mix;
}

TaskMix task_mix_preset(std::string_view name, std::string_view where) {
  if (name == "vsi100k") return vsi100k_mix();
  fail("<options>", where, "expected the preset vsi100k, found " + quote(std::string(name)));
}

std::vector<Sample> sample_task_mix(const std::vector<Sample>& pool, const TaskMix& mix, std::uint64_t seed,
                                    MixReport* report) {
  std::map<std::string, std::int64_t> available;
  for (const auto& s : pool) ++available[s.question_type];
  std::map<std::string, std::int64_t> wanted;
  std::string limiting;
  if (mix.shares) {
    double total = mix.total > 0 ? static_cast<double>(mix.total) : std::numeric_limits<double>::infinity();
    for (const auto& [type, share] : mix.targets) {
      if (share <= 0) continue;
      const double most = static_cast<double>(available[type]) / share;
      if (most < total) total = most, limiting = type;
    }
    if (!std::isfinite(total)) total = 0;
    for (const auto& [type, share] : mix.targets)
      wanted[type] = std::min(available[type], static_cast<std::int64_t>(std::floor(share * total + 0.5)));
  } else {
    for (const auto& [type, n] : mix.targets) wanted[type] = static_cast<std::int64_t>(n);
  }
  std::uint64_t state = seed ^ 0x5643494d49584544ull;  // "VSIMIXED"
  std::vector<char> keep(pool.size(), 0);
  MixReport out;
  out.limiting_type = limiting;
  for (const auto& [type, n] : wanted) {
    MixRow row{type, n, available[type], 0, 0};
    const auto chosen = take_evenly(by_scene(pool, type, state), n, &row.scenes);
    for (std::size_t i : chosen) keep[i] = 1;
    row.taken = static_cast<std::int64_t>(chosen.size());
    out.total += row.taken;
    out.rows.push_back(row);
  }
  std::vector<Sample> result;
  for (std::size_t i = 0; i < pool.size(); ++i)
    if (keep[i]) result.push_back(pool[i]);
  if (report) *report = std::move(out);
  return result;
}

std::vector<Sample> cap_per_type(const std::vector<Sample>& pool, std::int64_t per_type, std::uint64_t seed) {
  if (per_type <= 0) return pool;
  TaskMix mix;
  for (const auto& s : pool) mix.targets[s.question_type] = static_cast<double>(per_type);
  return sample_task_mix(pool, mix, seed);
}

}  // namespace vsr::data
