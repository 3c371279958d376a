// UTF-8 decoding with maximal-subpart replacement, encoding, and Python's whitespace set.
#include "utf8.hpp"

namespace vsr::text::detail {

char32_t decode_one(std::string_view s, std::size_t i, std::size_t& len, bool& bad) noexcept {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char b0 = byte(i);
  bad = false;
  len = 1;
  if (b0 < 0x80) return b0;
  int need;
  char32_t c;
  unsigned char lo = 0x80, hi = 0xBF;  // the allowed range of the second byte
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    need = 1;
    c = b0 & 0x1F;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    need = 2;
    c = b0 & 0x0F;
    if (b0 == 0xE0) lo = 0xA0;  // no overlongs
    if (b0 == 0xED) hi = 0x9F;  // no surrogates
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    need = 3;
    c = b0 & 0x07;
    if (b0 == 0xF0) lo = 0x90;  // no overlongs
    if (b0 == 0xF4) hi = 0x8F;  // nothing above U+10FFFF
  } else {
    bad = true;  // stray continuation byte, C0, C1, F5..FF
    return kReplacement;
  }
  std::size_t k = i + 1;
  for (int n = 0; n < need; ++n, ++k) {
    const unsigned char lower = n == 0 ? lo : 0x80, upper = n == 0 ? hi : 0xBF;
    if (k >= s.size() || byte(k) < lower || byte(k) > upper) {
      bad = true;
      len = k - i;  // the maximal subpart: lead byte plus the continuation bytes that were still possible
      return kReplacement;
    }
    c = (c << 6) | (byte(k) & 0x3F);
  }
  len = static_cast<std::size_t>(need) + 1;
  return c;
}

void append_utf8(std::string& out, char32_t c) {
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
}

bool is_valid_utf8(std::string_view s) noexcept {
  std::size_t i = 0;
  while (i < s.size()) {
    // ASCII fast path, 8 bytes at a time.
    while (i + 8 <= s.size()) {
      std::uint64_t w;
      __builtin_memcpy(&w, s.data() + i, 8);
      if (w & 0x8080808080808080ULL) break;
      i += 8;
    }
    if (i >= s.size()) break;
    if (static_cast<unsigned char>(s[i]) < 0x80) {
      ++i;
      continue;
    }
    std::size_t len;
    bool bad;
    decode_one(s, i, len, bad);
    if (bad) return false;
    i += len;
  }
  return true;
}

void append_valid_utf8(std::string& out, std::string_view s) {
  std::size_t i = 0, run = 0;  // [run, i) is a well-formed stretch not yet copied
  while (i < s.size()) {
    std::size_t len;
    bool bad;
    decode_one(s, i, len, bad);
    if (bad) {
      out.append(s.substr(run, i - run));
      append_utf8(out, kReplacement);
      run = i + len;
    }
    i += len;
  }
  out.append(s.substr(run));
}

std::string to_valid_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 8);
  append_valid_utf8(out, s);
  return out;
}

bool is_python_space(char32_t c) noexcept {
  if (c <= 0x20) return c == 0x20 || (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x1F);
  if (c < 0x85) return false;
  return c == 0x85 || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 ||
         c == 0x202F || c == 0x205F || c == 0x3000;
}

std::string_view rstrip_python(std::string_view s) noexcept {
  while (!s.empty()) {
    std::size_t start = s.size() - 1;  // back up to the lead byte of the last code point
    while (start > 0 && (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80) --start;
    std::size_t len;
    bool bad;
    const char32_t c = decode_one(s, start, len, bad);
    if (bad || !is_python_space(c)) break;
    s.remove_suffix(s.size() - start);
  }
  return s;
}

std::string_view lstrip_python(std::string_view s) noexcept {
  while (!s.empty()) {
    std::size_t len;
    bool bad;
    const char32_t c = decode_one(s, 0, len, bad);
    if (bad || !is_python_space(c)) break;
    s.remove_prefix(len);
  }
  return s;
}

}  // namespace vsr::text::detail
