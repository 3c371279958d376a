#pragma once
/// @file
/// Python 3.11 `str` semantics that the official VSI-Bench scorer relies on, reimplemented on UTF-8 text:
/// `str.isspace` / `str.strip()`, `str.lower()` and `float(str)`. The Unicode data comes from utf8proc (Unicode 15);
/// code points that Unicode 15 added over Python 3.11's Unicode 14 are treated as Python 3.11 treats them
/// (unassigned). See docs/scoring.md.

#include <optional>
#include <string>
#include <string_view>

namespace vsr::eval {

/// Python `chr(cp).isspace()`: bidirectional class WS/B/S or category Zs, i.e. U+0009..U+000D, U+001C..U+0020,
/// U+0085, U+00A0, U+1680, U+2000..U+200A, U+2028, U+2029, U+202F, U+205F, U+3000 (not U+200B, not U+FEFF).
bool python_isspace(char32_t cp) noexcept;

/// Python `int(unicodedata.decimal(chr(cp), -1))` as CPython 3.11 uses it in `float()`: the digit value 0..9 of a
/// Unicode decimal digit (category Nd, Unicode 14), -1 for any other code point.
int python_decimal_value(char32_t cp) noexcept;

/// Python `s.strip()` with no argument: removes python_isspace code points from both ends of UTF-8 text. Bytes that
/// are not valid UTF-8 count as non-space.
std::string python_strip(std::string_view s);

/// Python `s.lower()` on UTF-8 text: full lowercase mapping (U+0130 becomes "i\u0307") and the Final_Sigma rule
/// for U+03A3 (to U+03C2 at the end of a word). Bytes that are not valid UTF-8 are copied unchanged.
std::string python_lower(std::string_view s);

/// Python `float(s)` for a `str`: surrounding Unicode whitespace, optional sign, decimal digits (any Unicode Nd
/// digit), underscores only between digits, `.5` / `5.`, exponent, `inf` / `infinity` / `nan` in any case;
/// correctly rounded, overflow to +-inf. Returns nullopt where Python raises (ValueError), including invalid UTF-8.
std::optional<double> python_float(std::string_view s);

/// Python `repr(x)` of a float: shortest round-trip digits, "inf", "-inf", "nan", "-0.0", "1e+16", "3.5", "100.0".
std::string python_float_repr(double x);

}  // namespace vsr::eval
