// Exact GPT-2 BPE on ids. Short words: a rank per adjacent pair, rescanned each round (cheap for the usual < 100
// bytes). Long words: a min-heap of (rank, position), consumed one whole rank at a time so that every occurrence
// of the best pair is merged before any pair made by those merges is looked at, as the reference does.
#include "bpe.hpp"

#include <algorithm>
#include <limits>

namespace vsr::text::detail {

namespace {
constexpr std::int32_t kNoRank = std::numeric_limits<std::int32_t>::max();
constexpr std::size_t kScanLimit = 16;  // words longer than this use the heap
}  // namespace

void MergeTable::reserve(std::size_t n) {
  while ((n + 1) * 5 > slots_.size() * 3) grow();
}

void MergeTable::grow() {
  const std::size_t new_cap = slots_.empty() ? 16 : slots_.size() * 2;
  std::vector<Slot> old(new_cap);
  old.swap(slots_);
  shift_ = 64 - __builtin_ctzll(new_cap);
  for (const Slot& o : old) {
    if (o.key == kEmpty) continue;
    std::size_t s = slot_of(o.key);
    while (slots_[s].key != kEmpty) s = (s + 1) & (slots_.size() - 1);
    slots_[s] = o;
  }
}

void MergeTable::set(std::int32_t left, std::int32_t right, Entry entry) {
  if ((size_ + 1) * 5 > slots_.size() * 3) grow();  // load factor <= 0.6
  const std::uint64_t k = key(left, right);
  std::size_t s = slot_of(k);
  while (slots_[s].key != kEmpty && slots_[s].key != k) s = (s + 1) & (slots_.size() - 1);
  if (slots_[s].key == kEmpty) ++size_;
  slots_[s] = {k, entry};
  if (filter_.empty()) filter_.assign((std::size_t{1} << kFilterBits) / 64, 0);
  const std::uint64_t bit = filter_bit(k);
  filter_[bit >> 6] |= std::uint64_t{1} << (bit & 63);
}

const MergeTable::Entry* MergeTable::find(std::int32_t left, std::int32_t right) const noexcept {
  if (size_ == 0) return nullptr;
  const std::uint64_t k = key(left, right);
  const std::uint64_t bit = filter_bit(k);
  if (!(filter_[bit >> 6] >> (bit & 63) & 1)) return nullptr;
  std::size_t s = slot_of(k);
  while (true) {
    const Slot& slot = slots_[s];
    if (slot.key == k) return &slot.value;
    if (slot.key == kEmpty) return nullptr;
    s = (s + 1) & (slots_.size() - 1);
  }
}

void BpeModel::index_byte_pairs() {
  byte_pairs_.assign(256 * 256, MergeTable::Entry{kNoRank, -1});
  for (int a = 0; a < 256; ++a)
    for (int b = 0; b < 256; ++b)
      if (const MergeTable::Entry* e = merges.find(byte_ids[a], byte_ids[b])) byte_pairs_[a * 256 + b] = *e;
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
  // Symbols live in a compact array that shrinks as pairs merge; rank[i] / merged[i] describe the pair
  // (id[i], id[i+1]). After a pass only the pairs touching a merged symbol are looked up again.
  std::int32_t id[kScanLimit], rank[kScanLimit], merged[kScanLimit];
  bool fresh[kScanLimit];  // symbol made in the last pass
  std::size_t n = bytes.size();
  for (std::size_t i = 0; i < n; ++i) id[i] = byte_ids[static_cast<unsigned char>(bytes[i])];
  const auto lookup = [&](std::size_t i) {
    const MergeTable::Entry* e = merges.find(id[i], id[i + 1]);
    rank[i] = e ? e->rank : kNoRank;
    merged[i] = e ? e->merged : -1;
  };
  for (std::size_t i = 0; i + 1 < n; ++i) {
    const MergeTable::Entry& e =
        byte_pairs_[static_cast<unsigned char>(bytes[i]) * 256 + static_cast<unsigned char>(bytes[i + 1])];
    rank[i] = e.rank;
    merged[i] = e.merged;
  }
  while (n > 1) {
    std::int32_t best = kNoRank;
    for (std::size_t i = 0; i + 1 < n; ++i) best = std::min(best, rank[i]);
    if (best == kNoRank) break;
    // One left-to-right pass merging every occurrence of the best pair (ranks identify pairs uniquely).
    std::size_t w = 0;
    for (std::size_t r = 0; r < n; ++w) {
      if (r + 1 < n && rank[r] == best) {
        id[w] = merged[r];
        fresh[w] = true;
        r += 2;
      } else {
        id[w] = id[r];
        rank[w] = rank[r];  // still right unless the right neighbour is fresh (checked below)
        merged[w] = merged[r];
        fresh[w] = false;
        r += 1;
      }
    }
    n = w;
    for (std::size_t i = 0; i + 1 < n; ++i)
      if (fresh[i] || fresh[i + 1]) lookup(i);
  }
  out.insert(out.end(), id, id + n);
}

void BpeModel::encode_heap(std::string_view bytes, std::vector<std::int32_t>& out) const {
  struct Item {
    std::int32_t rank, pos, left, right;
  };
  // Min-heap on (rank, pos) with std::*_heap, which build max-heaps: "greater" comes first.
  const auto later = [](const Item& a, const Item& b) { return a.rank != b.rank ? a.rank > b.rank : a.pos > b.pos; };
  struct Scratch {
    std::vector<std::int32_t> id, prev, next;
    std::vector<Item> heap, batch, pending;
  };
  thread_local Scratch sc;  // reused between calls: no allocation per word once warm
  const auto n = static_cast<std::int32_t>(bytes.size());
  sc.id.resize(n);
  sc.prev.resize(n);
  sc.next.resize(n);
  std::int32_t* id = sc.id.data();
  std::int32_t* prev = sc.prev.data();
  std::int32_t* next = sc.next.data();  // n marks the end; a consumed slot gets next = -1
  for (std::int32_t i = 0; i < n; ++i) {
    id[i] = byte_ids[static_cast<unsigned char>(bytes[i])];
    prev[i] = i - 1;
    next[i] = i + 1;
  }
  sc.heap.clear();
  for (std::int32_t i = 0; i + 1 < n; ++i) {
    const MergeTable::Entry& e =
        byte_pairs_[static_cast<unsigned char>(bytes[i]) * 256 + static_cast<unsigned char>(bytes[i + 1])];
    if (e.rank != kNoRank) sc.heap.push_back({e.rank, i, id[i], id[i + 1]});
  }
  std::make_heap(sc.heap.begin(), sc.heap.end(), later);
  const auto push_pair = [&](std::int32_t p) {
    if (p < 0 || next[p] >= n) return;
    if (const MergeTable::Entry* e = merges.find(id[p], id[next[p]])) sc.pending.push_back({e->rank, p, id[p], id[next[p]]});
  };
  while (!sc.heap.empty()) {
    // Take every entry of the lowest rank, in position order, before any pair those merges create.
    const std::int32_t best = sc.heap.front().rank;
    sc.batch.clear();
    while (!sc.heap.empty() && sc.heap.front().rank == best) {
      std::pop_heap(sc.heap.begin(), sc.heap.end(), later);
      sc.batch.push_back(sc.heap.back());
      sc.heap.pop_back();
    }
    sc.pending.clear();
    for (const Item& it : sc.batch) {
      const std::int32_t p = it.pos;
      if (next[p] < 0 || id[p] != it.left) continue;  // consumed, or already merged into something else
      const std::int32_t q = next[p];
      if (q >= n || id[q] != it.right) continue;
      id[p] = merges.find(it.left, it.right)->merged;
      next[p] = next[q];
      next[q] = -1;
      if (next[p] < n) prev[next[p]] = p;
      push_pair(prev[p]);
      push_pair(p);
    }
    for (const Item& it : sc.pending) {
      sc.heap.push_back(it);
      std::push_heap(sc.heap.begin(), sc.heap.end(), later);
    }
  }
  for (std::int32_t p = 0; p < n; p = next[p]) out.push_back(id[p]);
}

}  // namespace vsr::text::detail
