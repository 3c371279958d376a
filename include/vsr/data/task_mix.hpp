#pragma once
/// @file
/// The question-type mix of a build: per-type targets (counts, or shares of a total) drawn evenly across scenes with
/// a seed, and the `vsi100k` preset, the mix of vsGRPO's VSI-100k (arXiv 2504.00883, section 4.1: 6.4k object counts,
/// 13k relative distances, 13k object sizes, 75k absolute distances, 1.5k room sizes, 8k relative directions).

#include "vsr/data/sample.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace vsr::data {

/// Target numbers of questions per type. Either counts (`shares` false) or shares of `total` summing to 1.
struct TaskMix {
  std::map<std::string, double> targets;  ///< question type -> count, or share of the total
  bool shares = false;                    ///< targets are shares of `total` instead of counts
  std::int64_t total = 0;                 ///< shares: questions wanted in all; 0 = as many as the pools allow
};

/// Parses "type=value,type=value": all values integers = counts; values with a decimal point = shares, which are
/// normalised to sum 1 (then `total` applies). "object_rel_direction" stands for its easy / medium / hard types,
/// split evenly. `where` names the option in errors (unknown type, bad number, counts and shares mixed).
TaskMix parse_task_mix(std::string_view spec, std::string_view where);

/// The VSI-100k mix of the paper (section 4.1) as shares of its 116,900 questions; relative direction's 8k are split
/// evenly over easy / medium / hard (vsr's choice: the paper does not give the split).
TaskMix vsi100k_mix();

/// A mix preset by name ("vsi100k"); vsr::Error naming `where` for another name.
TaskMix task_mix_preset(std::string_view name, std::string_view where);

/// What sample_task_mix did for one question type.
struct MixRow {
  std::string type;             ///< question type
  std::int64_t wanted = 0;      ///< the target after resolving shares
  std::int64_t available = 0;   ///< questions of this type in the pool
  std::int64_t taken = 0;       ///< questions kept (min of wanted and available)
  std::int64_t scenes = 0;      ///< scenes the kept questions come from
};

/// The outcome of sample_task_mix: one row per target type, and the total the shares resolved to.
struct MixReport {
  std::vector<MixRow> rows;        ///< in target order (type name order)
  std::int64_t total = 0;          ///< questions kept
  std::string limiting_type;       ///< shares with total 0 or a total past the pools: the type whose pool set it
};

/// Questions of `pool` (one build with no per-scene cap) meeting `mix`: for each target type, the wanted number drawn
/// round-robin over the scenes holding that type, scenes and each scene's questions in a seeded shuffle, so every
/// scene gives as evenly as its pool allows. Types without a target are dropped. Shares resolve to the largest total
/// (at most `mix.total` when set) that every type's pool can supply. The result keeps the pool's order.
std::vector<Sample> sample_task_mix(const std::vector<Sample>& pool, const TaskMix& mix, std::uint64_t seed,
                                    MixReport* report = nullptr);

/// Caps every question type at `per_type` questions, drawn evenly over scenes as sample_task_mix does (types with
/// fewer keep all). `per_type` <= 0 keeps everything.
std::vector<Sample> cap_per_type(const std::vector<Sample>& pool, std::int64_t per_type, std::uint64_t seed);

}  // namespace vsr::data
