#pragma once
// The state behind vsr::text::Tokenizer (private to src/text).

#include "added_tokens.hpp"
#include "bpe.hpp"
#include "pretokenizer.hpp"
#include "word_cache.hpp"
#include "vsr/text/tokenizer.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace vsr::text {

/// What an id is, for decoding.
enum class IdKind : std::uint8_t {
  kUnknown,   ///< not a token: left out by decode
  kBytes,     ///< a byte-level token: its bytes join the UTF-8 buffer
  kVerbatim,  ///< an added token written as it is, between buffer flushes
};

struct Tokenizer::Impl {
  std::string origin;  ///< the folder or file it came from, for messages

  std::unordered_map<std::string, std::int32_t, detail::StringHash, std::equal_to<>> token_ids;  ///< vocab + added
  std::vector<std::string> id_tokens;  ///< id -> token string ("" = none)
  std::vector<std::string> id_bytes;   ///< id -> bytes written by decode (kBytes ids)
  std::vector<IdKind> id_kind;
  std::vector<std::uint8_t> id_special;
  std::int32_t base_vocab_count = 0;  ///< entries of the base vocabulary (`len(self.encoder)`)
  std::int32_t distinct_tokens = 0;

  detail::BpeModel bpe;
  bool ignore_merges = false;  ///< tokenizer.json "ignore_merges": a pre-token that is a vocab entry is taken whole
  std::unordered_map<std::string, std::int32_t, detail::StringHash, std::equal_to<>> bytes_ids;  ///< for ignore_merges
  bool normalize_nfc = true;
  bool split_special_tokens = false;

  std::vector<AddedToken> added;  ///< sorted by id
  detail::AddedTokenSplitter splitter;
  detail::PreTokenizer pre;
  std::optional<std::int32_t> eos, pad;

  /// Tags this tokenizer's entries in the per-thread word caches (unique per instance, never reused).
  std::uint64_t cache_owner = 0;

  /// Fills the id tables, the BPE model and the splitter from the vocabulary, merges and added tokens; throws
  /// vsr::Error naming `origin` (and the merges/vocab source names) on inconsistencies.
  void build(std::vector<std::pair<std::string, std::int32_t>> vocab, std::string_view vocab_source,
             std::vector<std::pair<std::string, std::string>> merges, std::string_view merges_source,
             std::vector<AddedToken> added_tokens, std::string_view added_source);

  /// Marks the token named `name` special and returns its id (nothing when `name` is not a token).
  std::optional<std::int32_t> mark_special(std::string_view name);

  /// Appends the ids of a text stretch that holds no added token.
  void encode_text(std::string_view text, std::vector<std::int32_t>& out) const;
  /// Appends the BPE ids of one pre-token, through this thread's word cache.
  void encode_piece(std::string_view piece, std::vector<std::int32_t>& out, detail::WordCache& cache) const;
};

}  // namespace vsr::text
