// Seeded, platform-independent epoch shuffles for the trainer's data order.
#include "vsr/core/data_order.hpp"

#include "vsr/core/error.hpp"
#include "vsr/core/splitmix64.hpp"

#include <numeric>
#include <string>
#include <utility>

namespace vsr {

DataOrder::DataOrder(std::int64_t size, std::uint64_t seed, int rank, int world_size)
    : size_(size), seed_(seed), rank_(rank), world_size_(world_size) {
  if (size < 1) fail("<data>", "train", "the training set is empty");
  if (world_size < 1 || rank < 0 || rank >= world_size)
    fail("<distributed>", "RANK", "expected 0 <= rank < world size, got rank " + std::to_string(rank) + " of " +
                                      std::to_string(world_size));
}

std::vector<std::int64_t> DataOrder::permutation(std::int64_t epoch) const {
  std::vector<std::int64_t> p(static_cast<std::size_t>(size_));
  std::iota(p.begin(), p.end(), 0);
  std::uint64_t state = seed_ ^ (0xD1B54A32D192ED03ull * static_cast<std::uint64_t>(epoch + 1));
  for (std::int64_t i = size_ - 1; i > 0; --i) {
    const auto j = static_cast<std::int64_t>(splitmix64(state) % static_cast<std::uint64_t>(i + 1));
    std::swap(p[static_cast<std::size_t>(i)], p[static_cast<std::size_t>(j)]);
  }
  return p;
}

std::vector<std::int64_t> DataOrder::next_batch(std::int64_t per_rank) {
  if (per_rank < 1) fail("[train]", "train.batch_size", "expected at least 1 question per step");
  std::vector<std::int64_t> mine;
  const std::int64_t global = per_rank * world_size_;
  for (std::int64_t k = 0; k < global; ++k) {
    if (position_.offset >= size_) {
      ++position_.epoch;
      position_.offset = 0;
    }
    if (current_epoch_ != position_.epoch) {
      current_ = permutation(position_.epoch);
      current_epoch_ = position_.epoch;
    }
    if (k / per_rank == rank_) mine.push_back(current_[static_cast<std::size_t>(position_.offset)]);
    ++position_.offset;
  }
  return mine;
}

void DataOrder::seek(const DataPosition& position) {
  if (position.epoch < 0 || position.offset < 0 || position.offset > size_)
    fail("<checkpoint>", "data_position", "the saved data position does not fit a training set of " +
                                              std::to_string(size_) + " questions");
  position_ = position;
}

}  // namespace vsr
