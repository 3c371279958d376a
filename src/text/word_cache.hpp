#pragma once
// A per-thread, direct-mapped cache of BPE results for short pre-tokens (no locks: each thread has its own). Entries
// of different tokenizers share it: the tokenizer's tag is mixed into the hash, and a hit needs hash and key equal.

#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

namespace vsr::text::detail {

/// Hash of a short byte string, 8 bytes at a time (the tail read as two overlapping loads, never byte by byte).
inline std::uint64_t hash_bytes(std::string_view s) noexcept {
  const auto load64 = [](const char* p) {
    std::uint64_t w;
    std::memcpy(&w, p, 8);
    return w;
  };
  const auto load32 = [](const char* p) {
    std::uint32_t w;
    std::memcpy(&w, p, 4);
    return static_cast<std::uint64_t>(w);
  };
  const char* p = s.data();
  const std::size_t n = s.size();
  std::uint64_t h = 0x9E3779B97F4A7C15ULL ^ (n * 0xC2B2AE3D27D4EB4FULL);
  std::size_t i = 0;
  for (; i + 8 < n; i += 8) {
    h = (h ^ load64(p + i)) * 0xFF51AFD7ED558CCDULL;
    h ^= h >> 32;
  }
  std::uint64_t tail;
  if (n >= 8) {
    tail = load64(p + n - 8);
  } else if (n >= 4) {
    tail = load32(p) | (load32(p + n - 4) << 32);
  } else if (n > 0) {
    tail = static_cast<unsigned char>(p[0]) | (static_cast<std::uint64_t>(static_cast<unsigned char>(p[n / 2])) << 8) |
           (static_cast<std::uint64_t>(static_cast<unsigned char>(p[n - 1])) << 16);
  } else {
    tail = 0;
  }
  h = (h ^ tail) * 0xC4CEB9FE1A85EC53ULL;
  h ^= h >> 29;
  h *= 0x94D049BB133111EBULL;
  return h ^ (h >> 31);
}

/// The cache: 16384 slots of one cache line each (hash, key <= 30 bytes, ids <= 6).
class WordCache {
 public:
  static constexpr std::size_t kMaxKey = 30;  ///< longer pre-tokens are not cached
  static constexpr std::size_t kMaxIds = 6;  ///< results with more ids are not cached

  /// The cache of this thread.
  static WordCache& for_thread() {
    thread_local WordCache cache;
    return cache;
  }

  /// The hash of `key` for the tokenizer tagged `owner` (a tag never used by another tokenizer).
  static std::uint64_t hash(std::string_view key, std::uint64_t owner) noexcept {
    return hash_bytes(key) ^ (owner * 0x9E3779B97F4A7C15ULL);
  }

  /// Appends the cached ids of `key` to `out`; false on a miss.
  bool lookup(std::string_view key, std::uint64_t h, std::vector<std::int32_t>& out) const noexcept {
    const Slot& s = slots_[h & (kSlots - 1)];
    if (s.hash != h || s.key_len != key.size() || std::memcmp(s.key, key.data(), key.size()) != 0) return false;
    out.insert(out.end(), s.ids, s.ids + s.n_ids);
    return true;
  }

  /// Stores `ids` for `key` (ignored when either is too long).
  void store(std::string_view key, std::uint64_t h, const std::int32_t* ids, std::size_t n) noexcept {
    if (key.size() > kMaxKey || n > kMaxIds) return;
    Slot& s = slots_[h & (kSlots - 1)];
    s.hash = h;
    s.key_len = static_cast<std::uint8_t>(key.size());
    s.n_ids = static_cast<std::uint8_t>(n);
    std::memcpy(s.key, key.data(), key.size());
    std::memcpy(s.ids, ids, n * sizeof(std::int32_t));
  }

 private:
  static constexpr std::size_t kSlots = 16384;
  struct alignas(64) Slot {
    std::uint64_t hash = 0;
    std::uint8_t key_len = 0xFF;  // matches no key
    std::uint8_t n_ids = 0;
    char key[kMaxKey];
    std::int32_t ids[kMaxIds];
  };
  static_assert(sizeof(Slot) == 64);
  std::vector<Slot> slots_ = std::vector<Slot>(kSlots);
};

}  // namespace vsr::text::detail
