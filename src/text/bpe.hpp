#pragma once
// Byte-level BPE over token ids (Sennrich et al. 2016, as GPT-2's `bpe()` and transformers' Qwen2Tokenizer.bpe
// run it): start from one symbol per byte, then repeatedly take the adjacent pair with the lowest merge rank and
// merge *all* its non-overlapping occurrences left to right in one pass, until no pair has a rank. Symbols are
// token ids instead of strings; a merge's result is looked up once at load time.

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

namespace vsr::text::detail {

/// The merge table: (left id, right id) -> (rank, merged id), in an open-addressing hash table.
class MergeTable {
 public:
  /// A merge's rank (its line index) and the id of the merged token.
  struct Entry {
    std::int32_t rank;
    std::int32_t merged;
  };
  /// Sets the merge of (left, right); a pair given twice keeps the later rank (a Python dict built from the list).
  void set(std::int32_t left, std::int32_t right, Entry entry);
  /// The merge of (left, right), or nullptr.
  const Entry* find(std::int32_t left, std::int32_t right) const noexcept;
  /// Number of distinct pairs.
  std::size_t size() const noexcept { return size_; }
  /// Pre-sizes the table for `n` pairs.
  void reserve(std::size_t n);

 private:
  static std::uint64_t key(std::int32_t l, std::int32_t r) noexcept {
    return (static_cast<std::uint64_t>(static_cast<std::uint32_t>(l)) << 32) | static_cast<std::uint32_t>(r);
  }
  std::size_t slot_of(std::uint64_t k) const noexcept { return (k * 0x9E3779B97F4A7C15ULL) >> shift_; }
  void grow();

  static constexpr std::uint64_t kEmpty = ~0ULL;
  struct Slot {
    std::uint64_t key = kEmpty;
    Entry value{};
  };
  std::vector<Slot> slots_;  // key and value side by side: one cache line per probe
  // One bit per hash value (2^22 bits, 512 KiB, stays in cache): a clear bit proves a pair has no merge without
  // touching the big table, which is most lookups between whole characters.
  static constexpr int kFilterBits = 22;
  std::vector<std::uint64_t> filter_;
  static std::uint64_t filter_bit(std::uint64_t k) noexcept { return (k * 0xD6E8FEB86659FD93ULL) >> (64 - kFilterBits); }
  std::size_t size_ = 0;
  int shift_ = 64;
};

/// Byte-level BPE: `byte_ids` are the ids of the 256 one-byte tokens.
class BpeModel {
 public:
  /// The id of the one-byte token of each byte value.
  std::array<std::int32_t, 256> byte_ids{};
  /// The merges.
  MergeTable merges;

  /// Fills the dense table of merges between two one-byte tokens (call after byte_ids and merges are set).
  void index_byte_pairs();

  /// Appends the BPE ids of one pre-token (raw bytes, non-empty) to `out`.
  void encode_word(std::string_view bytes, std::vector<std::int32_t>& out) const;

 private:
  void encode_scan(std::string_view bytes, std::vector<std::int32_t>& out) const;
  void encode_heap(std::string_view bytes, std::vector<std::int32_t>& out) const;
  /// The merge of the one-byte tokens of bytes (b1, b2) (rank kNoRank when none): 512 KiB that stay in cache,
  /// serving the first round of every word.
  std::vector<MergeTable::Entry> byte_pairs_;
};

}  // namespace vsr::text::detail
