#pragma once
/// @file
/// SplitMix64 (Steele, Lea, Flood 2014): a tiny, fully specified generator, so seeded shuffles and resamples are the
/// same on every platform and standard library (the data order, the paired bootstrap).

#include <cstdint>

namespace vsr {

/// Advances `state` and returns the next 64-bit output of the SplitMix64 stream.
inline std::uint64_t splitmix64(std::uint64_t& state) noexcept {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

}  // namespace vsr
