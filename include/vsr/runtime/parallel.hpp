#pragma once
/// @file
/// Data-parallel loops on LibTorch's intra-op threads, for vsr's own CPU kernels (few-row linear products, decode
/// attention, the sampler, frame preprocessing). LibTorch 1.13's at::parallel_for is an inline template whose
/// OpenMP pragma only takes effect in translation units compiled with -fopenmp; vsr's translation units share one
/// precompiled header without it, where at::parallel_for silently runs on one thread. This function is compiled
/// once, with OpenMP, and behaves like at::parallel_for.

#include <cstdint>
#include <functional>

namespace vsr {

/// Calls `fn(chunk_begin, chunk_end)` on contiguous chunks covering [begin, end): at most at::get_num_threads()
/// chunks of at least `grain` items each, one per OpenMP thread; one call on the calling thread when there is a
/// single chunk or when already inside a parallel region. The first exception thrown by a chunk is rethrown after
/// all chunks finished.
void parallel_for(std::int64_t begin, std::int64_t end, std::int64_t grain,
                  const std::function<void(std::int64_t, std::int64_t)>& fn);

}  // namespace vsr
