#pragma once
// Splitting added tokens out of a text the way transformers' slow tokenizer does (`PreTrainedTokenizer.tokenize`):
// Trie.split finds the leftmost, then longest, occurrence of any added token; then each added token's lstrip /
// rstrip / single_word flag edits its neighbours (str.rstrip()/lstrip(), gluing for single_word).

#include "vsr/text/tokenizer.hpp"

#include <array>
#include <cstdint>
#include <list>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace vsr::text::detail {

/// Transparent string hash, so maps keyed by std::string can be searched with a string_view.
struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};

/// One piece of a split text: a text stretch (added == nullptr) or an added token.
struct Piece {
  std::string_view text;
  const AddedToken* added = nullptr;
};

/// The added tokens of a tokenizer and the splitter over them.
class AddedTokenSplitter {
 public:
  /// Indexes `tokens` (they must outlive the splitter).
  void reset(const std::vector<AddedToken>& tokens);

  /// The added token whose content is exactly `s`, or nullptr.
  const AddedToken* find(std::string_view s) const;

  /// Splits `text` into pieces as the slow tokenizer does; strings made by single_word gluing are kept in
  /// `storage` (a list: no allocation unless used). Empty pieces are dropped.
  void split(std::string_view text, std::vector<Piece>& out, std::list<std::string>& storage) const;

  /// True when there are no added tokens.
  bool empty() const { return by_content_.empty(); }

 private:
  std::unordered_map<std::string, const AddedToken*, StringHash, std::equal_to<>> by_content_;
  std::array<std::vector<const AddedToken*>, 256> by_first_byte_;  // longest first
  bool has_flags_ = false;  // any lstrip / rstrip / single_word
  int only_first_byte_ = -1;  // the one first byte all tokens share (memchr scan), or -1
};

}  // namespace vsr::text::detail
