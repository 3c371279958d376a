#pragma once
/// @file
/// The order in which a trainer visits its questions: a fresh seeded shuffle per epoch, sharded across data-parallel
/// ranks, with a position that is saved in checkpoints so a resumed run sees exactly the questions the uninterrupted
/// run would have seen.

#include <cstdint>
#include <vector>

namespace vsr {

/// Where a DataOrder stands: the epoch and the number of questions of that epoch already handed out (all ranks).
struct DataPosition {
  std::int64_t epoch = 0;   ///< epochs completed
  std::int64_t offset = 0;  ///< questions of the current epoch's global order already consumed
};

/// Epoch-wise shuffled indices 0..size-1. The permutation of epoch e is a Fisher-Yates shuffle driven by a
/// SplitMix64 stream seeded with (seed, e), so it is the same on every platform and standard library. With
/// world_size ranks, each global batch of `world_size * per_rank` indices is split into contiguous per-rank slices,
/// so rank r of a world of n sees the same questions as rows r*b..(r+1)*b-1 of a single process with batch n*b.
class DataOrder {
 public:
  /// An order over `size` questions (>= 1) for `rank` of `world_size` ranks.
  DataOrder(std::int64_t size, std::uint64_t seed, int rank = 0, int world_size = 1);
  /// The next `per_rank` indices of this rank; the global position advances by `per_rank * world_size`. An epoch
  /// boundary reshuffles (a batch may span two epochs).
  std::vector<std::int64_t> next_batch(std::int64_t per_rank);
  /// The position (for checkpoints).
  const DataPosition& position() const { return position_; }
  /// Restores a saved position.
  void seek(const DataPosition& position);
  /// The permutation of epoch `epoch` (exposed for tests).
  std::vector<std::int64_t> permutation(std::int64_t epoch) const;

 private:
  std::int64_t size_;
  std::uint64_t seed_;
  int rank_, world_size_;
  DataPosition position_;
  std::vector<std::int64_t> current_;
  std::int64_t current_epoch_ = -1;
};

}  // namespace vsr
