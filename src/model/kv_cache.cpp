// Preallocated key/value cache for batched decoding.
#include "vsr/model/kv_cache.hpp"

#include "vsr/core/error.hpp"

#include <ATen/ATen.h>

namespace vsr::model {

namespace {
constexpr const char* kWhere = "<kv cache>";
}

KvCache::KvCache(std::int64_t num_layers, std::int64_t batch, std::int64_t kv_heads, std::int64_t head_dim,
                 std::int64_t capacity, at::ScalarType dtype, at::Device device)
    : batch_(batch), capacity_(std::max<std::int64_t>(capacity, 1)) {
  if (num_layers <= 0 || batch <= 0 || kv_heads <= 0 || head_dim <= 0)
    fail(kWhere, "shape", "layers, batch, kv_heads and head_dim must be positive");
  const auto opts = at::TensorOptions().dtype(dtype).device(device);
  for (std::int64_t l = 0; l < num_layers; ++l) {
    keys_.push_back(at::zeros({batch, kv_heads, capacity_, head_dim}, opts));
    values_.push_back(at::zeros({batch, kv_heads, capacity_, head_dim}, opts));
  }
  valid_ = at::zeros({batch, capacity_}, at::TensorOptions().dtype(at::kBool).device(device));
  rope_deltas_ = at::zeros({batch}, at::TensorOptions().dtype(at::kLong).device(device));
}

void KvCache::reserve(std::int64_t capacity) {
  if (capacity <= capacity_) return;
  auto grow = [&](at::Tensor& buf) {
    auto sizes = buf.sizes().vec();
    sizes[2] = capacity;
    at::Tensor bigger = at::zeros(sizes, buf.options());
    bigger.narrow(2, 0, length_ + pending_).copy_(buf.narrow(2, 0, length_ + pending_));
    buf = bigger;
  };
  for (auto& k : keys_) grow(k);
  for (auto& v : values_) grow(v);
  at::Tensor valid = at::zeros({batch_, capacity}, valid_.options());
  valid.narrow(1, 0, capacity_).copy_(valid_);
  valid_ = valid;
  capacity_ = capacity;
}

at::Tensor KvCache::key_valid() const { return valid_.narrow(1, 0, length_); }
at::Tensor KvCache::pending_key_valid() const { return valid_.narrow(1, 0, length_ + pending_); }

void KvCache::set_rope_deltas(const at::Tensor& deltas) {
  if (!deltas.defined() || deltas.numel() != batch_) fail(kWhere, "rope_deltas", "expected one delta per row");
  rope_deltas_ = deltas.reshape({batch_}).to(valid_.device(), at::kLong);
}

at::Tensor KvCache::next_position_ids(std::int64_t n) const {
  const at::Tensor idx = at::arange(length_, length_ + n, rope_deltas_.options());
  return (idx.unsqueeze(0) + rope_deltas_.unsqueeze(1)).unsqueeze(0).expand({3, batch_, n});
}

at::Tensor KvCache::keys(std::int64_t layer) const { return keys_.at(static_cast<std::size_t>(layer)).narrow(2, 0, length_); }
at::Tensor KvCache::values(std::int64_t layer) const {
  return values_.at(static_cast<std::size_t>(layer)).narrow(2, 0, length_);
}

void KvCache::begin_append(std::int64_t n, const at::Tensor& valid) {
  if (pending_ != 0) fail(kWhere, "append", "begin_append() while another append is pending");
  if (n <= 0) fail(kWhere, "append", "expected a positive number of positions");
  if (length_ + n > capacity_) reserve(std::max(length_ + n, 2 * capacity_));
  at::Tensor slot = valid_.narrow(1, length_, n);
  if (valid.defined()) {
    if (valid.dim() != 2 || valid.size(0) != batch_ || valid.size(1) != n)
      fail(kWhere, "valid", "expected a [B, n] mask");
    slot.copy_(valid.to(valid_.device()) != 0);
  } else {
    slot.fill_(true);
  }
  pending_ = n;
}

std::pair<at::Tensor, at::Tensor> KvCache::write(std::int64_t layer, const at::Tensor& k, const at::Tensor& v) {
  if (pending_ == 0) fail(kWhere, "write", "write() without begin_append()");
  auto& kb = keys_.at(static_cast<std::size_t>(layer));
  auto& vb = values_.at(static_cast<std::size_t>(layer));
  kb.narrow(2, length_, pending_).copy_(k);
  vb.narrow(2, length_, pending_).copy_(v);
  return {kb.narrow(2, 0, length_ + pending_), vb.narrow(2, 0, length_ + pending_)};
}

void KvCache::commit() {
  length_ += pending_;
  pending_ = 0;
}

KvCache KvCache::select_rows(const at::Tensor& rows_in) const {
  if (pending_ != 0) fail(kWhere, "select_rows", "an append is pending");
  const at::Tensor rows = rows_in.to(valid_.device(), at::kLong).reshape({-1});
  KvCache out;
  out.batch_ = rows.size(0);
  out.length_ = length_;
  out.capacity_ = capacity_;
  for (const auto& k : keys_) out.keys_.push_back(k.index_select(0, rows));
  for (const auto& v : values_) out.values_.push_back(v.index_select(0, rows));
  out.valid_ = valid_.index_select(0, rows);
  out.rope_deltas_ = rope_deltas_.index_select(0, rows);
  return out;
}

KvCache KvCache::repeat_rows(std::int64_t times) const {
  if (times <= 0) fail(kWhere, "repeat_rows", "expected a positive count");
  const at::Tensor rows = at::arange(batch_, rope_deltas_.options()).repeat_interleave(times);
  return select_rows(rows);
}

}  // namespace vsr::model
