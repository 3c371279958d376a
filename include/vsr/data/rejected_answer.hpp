#pragma once
/// @file
/// The rejected answer of a DPO preference pair (vsGRPO's DPO baseline: the ground truth is the chosen answer, a
/// wrong answer of the same kind the rejected one). Deterministic per (seed, sample id). Rules (docs/policies.md):
///  * numeric questions: a perturbed number whose accuracy reward is exactly 0: with g the ground truth and d its
///    number of decimals, a fair coin picks 2g or floor(g/2) at d decimals (2g when that is not positive); since
///    |p - g| >= min(p, g) for both, max(0, 1 - |p - g| / min(p, g)) = 0;
///  * choice questions with options ("A. chair", ground truth "B"): another option, uniformly, in the ground truth's
///    form (its letter for a letter ground truth, else its text);
///  * choice questions without options (VSI-100k form, ground truth an entity): relative direction gets another
///    direction of the same level (easy left/right, medium left/right/back, hard front-left/front-right/back-left/
///    back-right); other types another object category of the question (`meta.categories`, the rel-distance target
///    excluded), uniformly.

#include "vsr/data/sample.hpp"

#include <cstdint>
#include <string>

namespace vsr::data {

/// The rejected answer for `sample`, drawn with splitmix64 seeded by seed ^ FNV-1a(sample.id). vsr::Error naming
/// the sample id and the field when no wrong answer can be built (no positive number, no other option/category).
std::string rejected_answer(const Sample& sample, std::uint64_t seed = 0);

}  // namespace vsr::data
