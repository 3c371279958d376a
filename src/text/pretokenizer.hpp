#pragma once
// Qwen2's pre-tokenizer: the regex split of transformers' tokenization_qwen2.PRETOKENIZE_REGEX, run with PCRE2 in
// UTF + UCP mode (JIT-compiled when available).

#include <cstddef>
#include <memory>
#include <string_view>

namespace vsr::text::detail {

/// Qwen2's pre-tokenizer pattern as transformers writes it (Python `regex` syntax).
inline constexpr std::string_view kQwen2Pattern =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";

/// The compiled pattern; thread-safe (each call to for_each_piece uses its own match data).
class PreTokenizer {
 public:
  PreTokenizer();
  ~PreTokenizer();
  PreTokenizer(const PreTokenizer&) = delete;
  PreTokenizer& operator=(const PreTokenizer&) = delete;

  /// Calls `fn(piece)` for each match of the pattern in `text` (valid UTF-8), left to right, like `regex.findall`.
  template <class Fn>
  void for_each_piece(std::string_view text, Fn&& fn) const {
    Matcher m(*this, text);
    std::string_view piece;
    while (m.next(piece)) fn(piece);
  }

  /// Iterates the matches in one text (uses this thread's PCRE2 match data: one Matcher per thread at a time).
  class Matcher {
   public:
    Matcher(const PreTokenizer& pre, std::string_view text);
    ~Matcher();
    Matcher(const Matcher&) = delete;
    Matcher& operator=(const Matcher&) = delete;
    /// The next match; false at the end.
    bool next(std::string_view& piece);

   private:
    const PreTokenizer& pre_;
    std::string_view text_;
    std::size_t pos_ = 0;
    void* match_data_;
  };

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vsr::text::detail
