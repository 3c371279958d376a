#pragma once
// UTF-8 helpers of the tokenizer (private to src/text): decoding with Python's errors="replace" rule, encoding,
// and Python's str.isspace() set (used by the added tokens' lstrip/rstrip, which call str.rstrip()/lstrip()).

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace vsr::text::detail {

/// U+FFFD, the replacement character.
inline constexpr char32_t kReplacement = 0xFFFD;

/// Decodes the code point at `s[i]`; on success sets `len` to its byte length (1..4) and returns it; on an
/// ill-formed sequence returns kReplacement with `len` = the length of its maximal subpart (Unicode 15 §3.9, "U+FFFD
/// substitution of maximal subparts", which CPython's UTF-8 decoder with errors="replace" follows) and sets `bad`.
char32_t decode_one(std::string_view s, std::size_t i, std::size_t& len, bool& bad) noexcept;

/// Appends the UTF-8 encoding of code point `c` (c must be <= 0x10FFFF and not a surrogate).
void append_utf8(std::string& out, char32_t c);

/// True when `s` is well-formed UTF-8.
bool is_valid_utf8(std::string_view s) noexcept;

/// `s` with every ill-formed sequence replaced by U+FFFD the way `bytes.decode("utf-8", errors="replace")` does.
std::string to_valid_utf8(std::string_view s);

/// Appends `s` to `out`, replacing ill-formed sequences as to_valid_utf8 does.
void append_valid_utf8(std::string& out, std::string_view s);

/// Python's `str.isspace()` for one code point (Unicode White_Space plus U+001C..U+001F).
bool is_python_space(char32_t c) noexcept;

/// `s` without trailing Python whitespace (`str.rstrip()`); `s` must be valid UTF-8.
std::string_view rstrip_python(std::string_view s) noexcept;

/// `s` without leading Python whitespace (`str.lstrip()`); `s` must be valid UTF-8.
std::string_view lstrip_python(std::string_view s) noexcept;

}  // namespace vsr::text::detail
