// Exact GPT-2 BPE on ids. Short words: a rank per adjacent pair, rescanned each round (cheap for the usual < 100
// bytes). Long words: a min-heap of (rank, position), consumed one whole rank at a time so that every occurrence
// of the best pair is merged before any pair made by those merges is looked at, as the reference does.
#include "bpe.hpp"

#include <algorithm>
#include <limits>
#include <queue>

namespace vsr::text::detail {

namespace {
constexpr std::int32_t kNoRank = std::numeric_limits<std::int32_t>::max();
constexpr std::size_t kScanLimit = 128;  // words longer than this use the heap
}  // namespace

void MergeTable::reserve(std::size_t n) {
  while ((n + 1) * 2 > keys_.size()) grow();
}

void MergeTable::grow() {
  const std::size_t new_cap = keys_.empty() ? 16 : keys_.size() * 2;
  std::vector<std::uint64_t> old_keys(new_cap, kEmpty);
  std::vector<Entry> old_values(new_cap);
  old_keys.swap(keys_);
  old_values.swap(values_);
  shift_ = 64 - __builtin_ctzll(new_cap);
  for (std::size_t i = 0; i < old_keys.size(); ++i) {
    if (old_keys[i] == kEmpty) continue;
    std::size_t s = slot_of(old_keys[i]);
    while (keys_[s] != kEmpty) s = (s + 1) & (keys_.size() - 1);
    keys_[s] = old_keys[i];
    values_[s] = old_values[i];
  }
}

void MergeTable::set(std::int32_t left, std::int32_t right, Entry entry) {
  if ((size_ + 1) * 2 > keys_.size()) grow();
  const std::uint64_t k = key(left, right);
  std::size_t s = slot_of(k);
  while (keys_[s] != kEmpty && keys_[s] != k) s = (s + 1) & (keys_.size() - 1);
  if (keys_[s] == kEmpty) ++size_;
  keys_[s] = k;
  values_[s] = entry;
}

const MergeTable::Entry* MergeTable::find(std::int32_t left, std::int32_t right) const noexcept {
  if (keys_.empty()) return nullptr;
  const std::uint64_t k = key(left, right);
  std::size_t s = slot_of(k);
  while (true) {
    if (keys_[s] == k) return &values_[s];
    if (keys_[s] == kEmpty) return nullptr;
    s = (s + 1) & (keys_.size() - 1);
  }
}

void BpeModel::encode_word(std::string_view bytes, std::vector<std::int32_t>& out) const {
  if (bytes.size() == 1) {
    out.push_back(byte_ids[static_cast<unsigned char>(bytes[0])]);
  } else if (bytes.size() <= kScanLimit) {
    encode_scan(bytes, out);
  } else {
    encode_heap(bytes, out);
  }
}

void BpeModel::encode_scan(std::string_view bytes, std::vector<std::int32_t>& out) const {
  // Symbols live in a compact array that shrinks as pairs merge; rank[i] is the rank of (id[i], id[i+1]).
  std::int32_t id[kScanLimit], rank[kScanLimit], merged[kScanLimit];
  std::size_t n = bytes.size();
  for (std::size_t i = 0; i < n; ++i) id[i] = byte_ids[static_cast<unsigned char>(bytes[i])];
  const auto lookup = [&](std::size_t i) {
    const MergeTable::Entry* e = merges.find(id[i], id[i + 1]);
    rank[i] = e ? e->rank : kNoRank;
    merged[i] = e ? e->merged : -1;
  };
  for (std::size_t i = 0; i + 1 < n; ++i) lookup(i);
  while (n > 1) {
    std::int32_t best = kNoRank;
    for (std::size_t i = 0; i + 1 < n; ++i) best = std::min(best, rank[i]);
    if (best == kNoRank) break;
    // One left-to-right pass merging every occurrence of the best pair (ranks identify pairs uniquely).
    std::size_t w = 0;
    for (std::size_t r = 0; r < n;) {
      if (r + 1 < n && rank[r] == best) {
        id[w] = merged[r];
        r += 2;
      } else {
        id[w] = id[r];
        r += 1;
      }
      ++w;
    }
    n = w;
    for (std::size_t i = 0; i + 1 < n; ++i) lookup(i);
  }
  out.insert(out.end(), id, id + n);
}

void BpeModel::encode_heap(std::string_view bytes, std::vector<std::int32_t>& out) const {
  const std::size_t n = bytes.size();
  std::vector<std::int32_t> id(n);
  std::vector<std::int32_t> prev(n), next(n);  // -1 / n at the ends
  std::vector<char> alive(n, 1);
  for (std::size_t i = 0; i < n; ++i) {
    id[i] = byte_ids[static_cast<unsigned char>(bytes[i])];
    prev[i] = static_cast<std::int32_t>(i) - 1;
    next[i] = static_cast<std::int32_t>(i) + 1;
  }
  struct Item {
    std::int32_t rank, pos, left, right;
    bool operator>(const Item& o) const { return rank != o.rank ? rank > o.rank : pos > o.pos; }
  };
  std::priority_queue<Item, std::vector<Item>, std::greater<Item>> heap;
  const auto push_pair = [&](std::int32_t p, std::vector<Item>& into) {
    if (p < 0 || next[p] >= static_cast<std::int32_t>(n)) return;
    if (const MergeTable::Entry* e = merges.find(id[p], id[next[p]])) into.push_back({e->rank, p, id[p], id[next[p]]});
  };
  {
    std::vector<Item> initial;
    for (std::size_t i = 0; i + 1 < n; ++i) push_pair(static_cast<std::int32_t>(i), initial);
    for (auto& it : initial) heap.push(it);
  }
  std::vector<Item> batch, pending;
  while (!heap.empty()) {
    const std::int32_t best = heap.top().rank;
    batch.clear();
    while (!heap.empty() && heap.top().rank == best) {
      batch.push_back(heap.top());
      heap.pop();
    }
    pending.clear();
    for (const Item& it : batch) {  // in position order
      const std::int32_t p = it.pos;
      if (!alive[p] || id[p] != it.left) continue;
      const std::int32_t q = next[p];
      if (q >= static_cast<std::int32_t>(n) || id[q] != it.right) continue;
      id[p] = merges.find(it.left, it.right)->merged;
      alive[q] = 0;
      next[p] = next[q];
      if (next[q] < static_cast<std::int32_t>(n)) prev[next[q]] = p;
      push_pair(prev[p], pending);
      push_pair(p, pending);
    }
    for (auto& it : pending) heap.push(it);
  }
  for (std::int32_t p = 0; p < static_cast<std::int32_t>(n); p = next[p]) out.push_back(id[p]);
}

}  // namespace vsr::text::detail
