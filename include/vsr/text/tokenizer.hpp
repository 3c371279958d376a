#pragma once
/// @file
/// Qwen2's byte-level BPE tokenizer, exact to transformers 4.45.1's slow `Qwen2Tokenizer` (the tokenizer that
/// Qwen2-VL's processor goldens were made with): NFC, added tokens split out first, Qwen2's pre-tokenizer regex,
/// GPT-2's byte-to-unicode alphabet, BPE by merge rank; decoding joins the bytes and replaces ill-formed UTF-8 with
/// U+FFFD (errors="replace"). Loads `tokenizer.json` or `vocab.json` + `merges.txt` + `tokenizer_config.json`.
/// See docs/tokenizer.md.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace vsr::text {

/// One added token (transformers' `AddedToken`): a string that is matched verbatim in the text and split out
/// before BPE, e.g. `<|im_start|>`.
struct AddedToken {
  std::int32_t id = 0;        ///< its id
  std::string content;        ///< the exact string
  bool lstrip = false;        ///< whitespace to its left is removed from the neighbouring text
  bool rstrip = false;        ///< whitespace to its right is removed from the neighbouring text
  bool single_word = false;   ///< slow-tokenizer semantics: glued to an adjacent text piece that does not end/start with a space
  bool normalized = false;    ///< recorded only: the slow pipeline NFC-normalises the whole text before splitting
  bool special = false;       ///< a special token (skipped by decode(..., skip_special_tokens=true))
};

/// Qwen2 byte-level BPE tokenizer. Immutable after loading except for an internal word cache; all const
/// member functions may be called from several threads at once.
class Tokenizer {
 public:
  /// Loads from a folder holding `tokenizer.json` (Hugging Face tokenizers format; `tokenizer_config.json` beside it
  /// is optional and adds its added tokens and special-token names), or else `vocab.json` + `merges.txt` +
  /// `tokenizer_config.json` (added tokens from "added_tokens_decoder"). Throws vsr::Error naming the file and
  /// field on a missing folder or file, bad JSON, a vocab that is not an object of string -> integer, a malformed
  /// merges line, a merge naming an unknown token, or a pre-tokenizer other than Qwen2's.
  static Tokenizer from_dir(const std::filesystem::path& dir);

  /// Builds from in-memory parts: `vocab` maps byte-level token strings to ids, `merges` are (left, right) token
  /// strings in rank order, `added` the added tokens. `origin` names the source in errors.
  static Tokenizer from_parts(std::vector<std::pair<std::string, std::int32_t>> vocab,
                              std::vector<std::pair<std::string, std::string>> merges, std::vector<AddedToken> added,
                              const std::string& origin = "<memory>");

  /// Moves the loaded tokenizer (the source is left empty and must not be used).
  Tokenizer(Tokenizer&&) noexcept;
  /// Moves the loaded tokenizer (the source is left empty and must not be used).
  Tokenizer& operator=(Tokenizer&&) noexcept;
  /// Frees the tables.
  ~Tokenizer();

  /// Token ids of `text` (`tokenizer.encode(text, add_special_tokens=False)`; Qwen2 adds none anyway). Added tokens
  /// in the text are recognised. Ill-formed UTF-8 in `text` is first replaced by U+FFFD as
  /// `bytes.decode("utf-8", errors="replace")` does.
  std::vector<std::int32_t> encode(std::string_view text) const;

  /// Appends the token ids of `text` to `out` (as encode()).
  void encode_into(std::string_view text, std::vector<std::int32_t>& out) const;

  /// The token strings of `text` (`tokenizer.tokenize(text)`): byte-level strings such as "Ġworld", and added
  /// tokens verbatim.
  std::vector<std::string> tokenize(std::string_view text) const;

  /// Text of `ids` (`tokenizer.decode(ids, skip_special_tokens)`): byte tokens are joined and decoded as UTF-8 with
  /// U+FFFD for ill-formed bytes; added tokens are written verbatim (special ones left out when
  /// `skip_special_tokens`). Ids the tokenizer does not know (e.g. 151657..151935 of Qwen2-VL's padded output
  /// layer) are left out.
  std::string decode(std::span<const std::int32_t> ids, bool skip_special_tokens = false) const;

  /// The id of a token string (a byte-level vocabulary entry such as "Ġworld", or an added token's content).
  std::optional<std::int32_t> token_to_id(std::string_view token) const;

  /// The token string of `id`, or an empty string for an unknown id.
  std::string id_to_token(std::int32_t id) const;

  /// Number of distinct tokens: base vocabulary plus added tokens (`len(tokenizer)`, 151657 for Qwen2-VL).
  std::int32_t vocab_size() const;

  /// True when `id` is a special token (an added token marked special, or named by eos/pad/bos/unk_token or
  /// additional_special_tokens in tokenizer_config.json).
  bool is_special(std::int32_t id) const;

  /// The added tokens, by id.
  const std::vector<AddedToken>& added_tokens() const;

  /// The id of tokenizer_config.json's "eos_token" (`<|im_end|>` for Qwen2-VL), if any.
  std::optional<std::int32_t> eos_token_id() const;

  /// The id of tokenizer_config.json's "pad_token" (`<|endoftext|>` for Qwen2-VL), if any.
  std::optional<std::int32_t> pad_token_id() const;

 private:
  struct Impl;
  explicit Tokenizer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace vsr::text
