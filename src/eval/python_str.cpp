// Python 3.11 str semantics (isspace, strip, lower, float, float repr) on UTF-8, with utf8proc's Unicode tables.
#include "vsr/eval/python_str.hpp"

#include <utf8proc.h>

#include <charconv>
#include <clocale>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <locale.h>
#include <vector>

namespace vsr::eval {

namespace {

/// One decoded code point of a UTF-8 text; `cp` is -1 for a byte that does not start a valid sequence.
struct CodePoint {
  std::int32_t cp;
  std::size_t begin, size;
};

std::vector<CodePoint> decode(std::string_view s) {
  std::vector<CodePoint> out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) {
    utf8proc_int32_t cp = -1;
    const auto n = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(s.data() + i),
                                    static_cast<utf8proc_ssize_t>(s.size() - i), &cp);
    if (n <= 0) {
      out.push_back({-1, i, 1});
      i += 1;
    } else {
      out.push_back({cp, i, static_cast<std::size_t>(n)});
      i += static_cast<std::size_t>(n);
    }
  }
  return out;
}

void append_utf8(std::string& out, std::int32_t cp) {
  utf8proc_uint8_t buf[4];
  const auto n = utf8proc_encode_char(cp, buf);
  out.append(reinterpret_cast<const char*>(buf), static_cast<std::size_t>(n));
}

/// Code points that utf8proc 2.8 (Unicode 15.0) knows but Python 3.11 (Unicode 14.0) does not: Unicode 15 added
/// them, so for Python they are unassigned (no digit value, no case).
bool added_in_unicode_15(char32_t cp) noexcept {
  struct Range {
    char32_t lo, hi;
  };
  static constexpr Range kAdded[] = {
      {0x0CF3, 0x0CF3},   {0x0ECE, 0x0ECE},   {0x10EFD, 0x10EFF}, {0x1123F, 0x11241}, {0x11B00, 0x11B09},
      {0x11F00, 0x11F10}, {0x11F12, 0x11F3A}, {0x11F3E, 0x11F59}, {0x1342F, 0x1342F}, {0x13439, 0x13455},
      {0x1B132, 0x1B132}, {0x1B155, 0x1B155}, {0x1D2C0, 0x1D2D3}, {0x1DF25, 0x1DF2A}, {0x1E030, 0x1E06D},
      {0x1E08F, 0x1E08F}, {0x1E4D0, 0x1E4F9}, {0x1F6DC, 0x1F6DC}, {0x1F774, 0x1F776}, {0x1F77B, 0x1F77F},
      {0x1F7D9, 0x1F7D9}, {0x1FA75, 0x1FA77}, {0x1FA87, 0x1FA88}, {0x1FAAD, 0x1FAAF}, {0x1FABB, 0x1FABD},
      {0x1FABF, 0x1FABF}, {0x1FACE, 0x1FACF}, {0x1FADA, 0x1FADB}, {0x1FAE8, 0x1FAE8}, {0x1FAF7, 0x1FAF8},
      {0x2B739, 0x2B739}, {0x31350, 0x323AF}};
  for (const auto& r : kAdded)
    if (cp >= r.lo && cp <= r.hi) return true;
  return false;
}

utf8proc_category_t category(char32_t cp) noexcept {
  if (cp > 0x10FFFF || added_in_unicode_15(cp)) return UTF8PROC_CATEGORY_CN;
  return utf8proc_category(static_cast<utf8proc_int32_t>(cp));
}

/// Unicode Case_Ignorable: Word_Break MidLetter / MidNumLet / Single_Quote, or category Mn, Me, Cf, Lm, Sk.
bool case_ignorable(char32_t cp) noexcept {
  switch (cp) {
    case 0x0027: case 0x002E: case 0x003A: case 0x00B7: case 0x0387: case 0x055F: case 0x05F4: case 0x2018:
    case 0x2019: case 0x2024: case 0x2027: case 0xFE13: case 0xFE52: case 0xFE55: case 0xFF07: case 0xFF0E:
    case 0xFF1A:
      return true;
    default:
      break;
  }
  switch (category(cp)) {
    case UTF8PROC_CATEGORY_MN: case UTF8PROC_CATEGORY_ME: case UTF8PROC_CATEGORY_CF: case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_SK:
      return true;
    default:
      return false;
  }
}

/// Unicode Other_Lowercase / Other_Uppercase (PropList.txt, Unicode 14): letters that count as cased without
/// being Ll / Lu / Lt.
bool other_cased(char32_t cp) noexcept {
  struct Range {
    char32_t lo, hi;
  };
  static constexpr Range kOther[] = {
      {0x00AA, 0x00AA},   {0x00BA, 0x00BA},   {0x02B0, 0x02B8},   {0x02C0, 0x02C1},   {0x02E0, 0x02E4},
      {0x0345, 0x0345},   {0x037A, 0x037A},   {0x10FC, 0x10FC},   {0x1D2C, 0x1D6A},   {0x1D78, 0x1D78},
      {0x1D9B, 0x1DBF},   {0x2071, 0x2071},   {0x207F, 0x207F},   {0x2090, 0x209C},   {0x2160, 0x217F},
      {0x24B6, 0x24E9},   {0x2C7C, 0x2C7D},   {0xA69C, 0xA69D},   {0xA770, 0xA770},   {0xA7F2, 0xA7F4},
      {0xA7F8, 0xA7F9},   {0xAB5C, 0xAB5F},   {0xAB69, 0xAB69},   {0x10780, 0x10780}, {0x10783, 0x10785},
      {0x10787, 0x107B0}, {0x107B2, 0x107BA}, {0x1F130, 0x1F149}, {0x1F150, 0x1F169}, {0x1F170, 0x1F189}};
  for (const auto& r : kOther)
    if (cp >= r.lo && cp <= r.hi) return true;
  return false;
}

/// Unicode Cased: Lowercase, Uppercase or Titlecase letter.
bool cased(char32_t cp) noexcept {
  switch (category(cp)) {
    case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL: case UTF8PROC_CATEGORY_LT:
      return true;
    default:
      return other_cased(cp);
  }
}

/// CPython's handle_capital_sigma: U+03A3 lowers to final U+03C2 when preceded (skipping case-ignorables) by a
/// cased letter and not followed (skipping case-ignorables) by one.
bool final_sigma(const std::vector<CodePoint>& cps, std::size_t i) {
  std::size_t j = i;
  bool before = false;
  while (j > 0) {
    --j;
    const auto c = cps[j].cp;
    if (c >= 0 && case_ignorable(static_cast<char32_t>(c))) continue;
    before = c >= 0 && cased(static_cast<char32_t>(c));
    break;
  }
  if (!before) return false;
  for (j = i + 1; j < cps.size(); ++j) {
    const auto c = cps[j].cp;
    if (c >= 0 && case_ignorable(static_cast<char32_t>(c))) continue;
    return !(c >= 0 && cased(static_cast<char32_t>(c)));
  }
  return true;
}

bool ascii_space(char c) noexcept { return c == ' ' || (c >= '\t' && c <= '\r'); }
bool ascii_digit(char c) noexcept { return c >= '0' && c <= '9'; }

bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char c = a[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != b[i]) return false;
  }
  return true;
}

/// CPython's _PyUnicode_TransformDecimalAndSpaceToASCII: non-ASCII whitespace to ' ', Unicode digits to ASCII;
/// nullopt where CPython puts a '?' (which no float parser accepts) or the text is not valid UTF-8.
std::optional<std::string> to_ascii_number_text(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (const auto& c : decode(s)) {
    if (c.cp < 0) return std::nullopt;
    const auto cp = static_cast<char32_t>(c.cp);
    if (cp < 127) {
      out += static_cast<char>(cp);
    } else if (python_isspace(cp)) {
      out += ' ';
    } else if (const int d = python_decimal_value(cp); d >= 0) {
      out += static_cast<char>('0' + d);
    } else {
      return std::nullopt;
    }
  }
  return out;
}

/// CPython's _Py_string_to_number_with_underscores: an underscore must sit between two ASCII digits; removed.
std::optional<std::string> remove_underscores(const std::string& s) {
  if (s.find('_') == std::string::npos) return s;
  std::string out;
  char prev = '\0';
  for (char c : s) {
    if (c == '_') {
      if (!ascii_digit(prev)) return std::nullopt;
    } else {
      if (prev == '_' && !ascii_digit(c)) return std::nullopt;
      out += c;
    }
    prev = c;
  }
  if (prev == '_') return std::nullopt;
  return out;
}

/// Whether `t` (already stripped, ASCII) is a decimal literal as Python's dtoa accepts it:
/// [sign] (digits [. [digits]] | . digits) [(e|E) [sign] digits].
bool is_decimal_literal(std::string_view t) {
  std::size_t i = 0;
  if (i < t.size() && (t[i] == '+' || t[i] == '-')) ++i;
  std::size_t mantissa_digits = 0;
  while (i < t.size() && ascii_digit(t[i])) ++i, ++mantissa_digits;
  if (i < t.size() && t[i] == '.') {
    ++i;
    while (i < t.size() && ascii_digit(t[i])) ++i, ++mantissa_digits;
  }
  if (mantissa_digits == 0) return false;
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    if (i < t.size() && (t[i] == '+' || t[i] == '-')) ++i;
    std::size_t exp_digits = 0;
    while (i < t.size() && ascii_digit(t[i])) ++i, ++exp_digits;
    if (exp_digits == 0) return false;
  }
  return i == t.size();
}

double c_locale_strtod(const std::string& t) {
  static const locale_t c_locale = newlocale(LC_ALL_MASK, "C", static_cast<locale_t>(nullptr));
  return strtod_l(t.c_str(), nullptr, c_locale);
}

}  // namespace

bool python_isspace(char32_t cp) noexcept {
  if (cp < 0x80) return (cp >= 0x09 && cp <= 0x0D) || (cp >= 0x1C && cp <= 0x20);
  return cp == 0x85 || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 ||
         cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

int python_decimal_value(char32_t cp) noexcept {
  if (category(cp) != UTF8PROC_CATEGORY_ND) return -1;
  // Unicode encodes decimal digits in runs of ten, zero first (a stability guarantee); runs may abut, so the
  // value is the distance from the start of the contiguous Nd stretch, modulo ten.
  char32_t start = cp;
  while (start > 0 && category(start - 1) == UTF8PROC_CATEGORY_ND) --start;
  return static_cast<int>((cp - start) % 10);
}

std::string python_strip(std::string_view s) {
  const auto cps = decode(s);
  std::size_t lo = 0, hi = cps.size();
  auto space = [&](std::size_t k) { return cps[k].cp >= 0 && python_isspace(static_cast<char32_t>(cps[k].cp)); };
  while (lo < hi && space(lo)) ++lo;
  while (hi > lo && space(hi - 1)) --hi;
  if (lo == hi) return {};
  return std::string(s.substr(cps[lo].begin, cps[hi - 1].begin + cps[hi - 1].size - cps[lo].begin));
}

std::string python_lower(std::string_view s) {
  const auto cps = decode(s);
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < cps.size(); ++i) {
    const auto c = cps[i].cp;
    if (c < 0) {
      out += s[cps[i].begin];
    } else if (c < 0x80) {
      out += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    } else if (c == 0x130) {
      out += "i\xCC\x87";  // SpecialCasing.txt: U+0130 -> U+0069 U+0307
    } else if (c == 0x3A3) {
      append_utf8(out, final_sigma(cps, i) ? 0x3C2 : 0x3C3);
    } else if (added_in_unicode_15(static_cast<char32_t>(c))) {
      append_utf8(out, c);
    } else {
      append_utf8(out, utf8proc_tolower(c));
    }
  }
  return out;
}

std::optional<double> python_float(std::string_view s) {
  auto ascii = to_ascii_number_text(s);
  if (!ascii) return std::nullopt;
  auto text = remove_underscores(*ascii);
  if (!text) return std::nullopt;
  std::string_view t = *text;
  while (!t.empty() && ascii_space(t.front())) t.remove_prefix(1);
  while (!t.empty() && ascii_space(t.back())) t.remove_suffix(1);
  if (t.empty()) return std::nullopt;
  if (is_decimal_literal(t)) return c_locale_strtod(std::string(t));
  bool negative = false;
  if (t.front() == '+' || t.front() == '-') {
    negative = t.front() == '-';
    t.remove_prefix(1);
  }
  if (iequals(t, "inf") || iequals(t, "infinity"))
    return negative ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
  if (iequals(t, "nan")) {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    return negative ? -nan : nan;
  }
  return std::nullopt;
}

std::string python_float_repr(double x) {
  if (std::isnan(x)) return "nan";
  if (std::isinf(x)) return x < 0 ? "-inf" : "inf";
  char buf[64];
  const auto res = std::to_chars(buf, buf + sizeof buf, x, std::chars_format::scientific);
  const std::string sci(buf, res.ptr);
  // sci is "[-]d[.ddd]e(+|-)XX": split into sign, digits and the exponent of the first digit.
  std::size_t i = 0;
  std::string sign;
  if (sci[i] == '-') sign = "-", ++i;
  const auto e = sci.find('e');
  std::string digits;
  for (std::size_t k = i; k < e; ++k)
    if (sci[k] != '.') digits += sci[k];
  const int exp10 = std::stoi(sci.substr(e + 1));
  const int decpt = exp10 + 1;  // value = 0.DIGITS x 10^decpt
  if (decpt > -4 && decpt <= 16) {
    std::string out;
    if (decpt <= 0) {
      out = "0." + std::string(static_cast<std::size_t>(-decpt), '0') + digits;
    } else if (static_cast<std::size_t>(decpt) >= digits.size()) {
      out = digits + std::string(static_cast<std::size_t>(decpt) - digits.size(), '0') + ".0";
    } else {
      out = digits.substr(0, static_cast<std::size_t>(decpt)) + "." + digits.substr(static_cast<std::size_t>(decpt));
    }
    return sign + out;
  }
  std::string mant = digits.substr(0, 1);
  if (digits.size() > 1) mant += "." + digits.substr(1);
  const int ae = exp10 < 0 ? -exp10 : exp10;
  return sign + mant + "e" + (exp10 < 0 ? "-" : "+") + (ae < 10 ? "0" : "") + std::to_string(ae);
}

}  // namespace vsr::eval
