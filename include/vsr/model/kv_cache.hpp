#pragma once
/// @file
/// Key/value cache for batched autoregressive decoding of the Qwen2-VL decoder.
///
/// Design: all rows of a batch share one time axis (prompts are left-padded to a common length, as in Hugging Face
/// `generate`). Per layer, keys and values live in preallocated buffers [B, kv_heads, capacity, head_dim]; `length()`
/// positions are filled. A boolean `key_valid` [B, capacity] marks real (non-padding) positions, and `rope_deltas` [B]
/// (from get_rope_index) turns the shared time index into each row's M-RoPE position: the token written at index i
/// has position i + delta on all three axes. Rows can be gathered or repeated (`select_rows`, `repeat_rows`) so one
/// prompt's prefill is shared by G sampled continuations.

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <utility>
#include <vector>

namespace vsr::model {

/// Per-layer key/value buffers of a batch of sequences that share one time axis.
class KvCache {
 public:
  /// An empty cache (no layers).
  KvCache() = default;
  /// Allocates `num_layers` key and value buffers [batch, kv_heads, capacity, head_dim] of `dtype` on `device`,
  /// all positions invalid, length 0, rope_deltas 0.
  KvCache(std::int64_t num_layers, std::int64_t batch, std::int64_t kv_heads, std::int64_t head_dim,
          std::int64_t capacity, at::ScalarType dtype, at::Device device);

  /// Number of decoder layers.
  std::int64_t num_layers() const { return static_cast<std::int64_t>(keys_.size()); }
  /// Rows (sequences).
  std::int64_t batch_size() const { return batch_; }
  /// Filled positions (shared by all rows).
  std::int64_t length() const { return length_; }
  /// Allocated positions.
  std::int64_t capacity() const { return capacity_; }
  /// Grows the buffers to hold at least `capacity` positions, keeping the contents.
  void reserve(std::int64_t capacity);

  /// bool [B, length()]: which cached positions are real tokens (false for left padding).
  at::Tensor key_valid() const;
  /// int64 [B]: M-RoPE delta of each row (position of index i is i + delta).
  const at::Tensor& rope_deltas() const { return rope_deltas_; }
  /// Sets the M-RoPE deltas (int64 [B]).
  void set_rope_deltas(const at::Tensor& deltas);
  /// int64 [3, B, n]: M-RoPE position ids of the next `n` text tokens (index length()+j -> length()+j+delta).
  at::Tensor next_position_ids(std::int64_t n) const;

  /// Cached keys of `layer`: a view [B, kv_heads, length(), head_dim].
  at::Tensor keys(std::int64_t layer) const;
  /// Cached values of `layer`: a view [B, kv_heads, length(), head_dim].
  at::Tensor values(std::int64_t layer) const;

  /// Starts appending `n` positions to every row: grows the buffers if needed and records `valid` [B, n] (bool or
  /// 0/1; undefined = all valid). Every layer must then write() once, and commit() ends the append.
  void begin_append(std::int64_t n, const at::Tensor& valid = {});
  /// Writes `layer`'s new keys and values [B, kv_heads, n, head_dim] after the cached ones; returns the keys and
  /// values of positions [0, length()+n) (views into the buffers).
  std::pair<at::Tensor, at::Tensor> write(std::int64_t layer, const at::Tensor& k, const at::Tensor& v);
  /// bool [B, length()+n]: key validity including the pending append.
  at::Tensor pending_key_valid() const;
  /// Number of positions of the append in progress (0 when none).
  std::int64_t pending() const { return pending_; }
  /// Ends the append: length() grows by n.
  void commit();

  /// A new cache holding rows `rows` (int64 [B']) of this one, in that order (copies; capacity kept).
  KvCache select_rows(const at::Tensor& rows) const;
  /// A new cache where every row is repeated `times` times consecutively (row i -> rows i*times .. i*times+times-1),
  /// e.g. one prompt's prefill shared by G rollouts.
  KvCache repeat_rows(std::int64_t times) const;

 private:
  std::vector<at::Tensor> keys_, values_;
  at::Tensor valid_;        // bool [B, capacity]
  at::Tensor rope_deltas_;  // int64 [B]
  std::int64_t batch_ = 0, length_ = 0, capacity_ = 0, pending_ = 0;
};

}  // namespace vsr::model
