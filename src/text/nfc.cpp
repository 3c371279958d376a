// NFC via utf8proc, with a quick check built once from utf8proc's tables.
#include "nfc.hpp"

#include "utf8.hpp"

#include <utf8proc.h>

#include <bitset>
#include <cstdlib>
#include <memory>
#include <stdexcept>

namespace vsr::text::detail {

namespace {

constexpr char32_t kMaxCodePoint = 0x10FFFF;

/// One bit per code point: set when the code point may make NFC differ from the identity (NFC_QC != Yes or a
/// non-zero canonical combining class).
class NfcQuickTable {
 public:
  NfcQuickTable() : bits_(std::make_unique<std::bitset<kMaxCodePoint + 1>>()) {
    auto& bits = *bits_;
    utf8proc_int32_t decomposed[8];
    for (char32_t c = 0x300; c <= kMaxCodePoint; ++c) {  // nothing below U+0300 is affected by NFC
      if (c >= 0xD800 && c <= 0xDFFF) continue;
      const utf8proc_property_t* p = utf8proc_get_property(static_cast<utf8proc_int32_t>(c));
      if (p->combining_class != 0) bits.set(c);
      if (p->decomp_seqindex == UINT16_MAX && !(c >= 0xAC00 && c <= 0xD7A3)) continue;
      // Canonical full decomposition (Hangul syllables are decomposed algorithmically).
      int last_boundclass = 0;
      const auto n = utf8proc_decompose_char(static_cast<utf8proc_int32_t>(c), decomposed, 8, UTF8PROC_DECOMPOSE,
                                             &last_boundclass);
      if (n <= 1 && !(n == 1 && decomposed[0] != static_cast<utf8proc_int32_t>(c))) continue;
      if (n < 1 || n > 8) continue;
      // Recompose: if the result is not c itself, c changes under NFC (singletons, composition exclusions).
      utf8proc_int32_t buffer[8];
      for (int k = 0; k < n; ++k) buffer[k] = decomposed[k];
      const auto m = utf8proc_normalize_utf32(buffer, n, static_cast<utf8proc_option_t>(UTF8PROC_COMPOSE | UTF8PROC_STABLE));
      if (m != 1 || buffer[0] != static_cast<utf8proc_int32_t>(c)) {
        bits.set(c);
      } else if (n >= 2) {
        // c is a primary composite: the last code point of its decomposition can combine with what precedes it.
        bits.set(static_cast<char32_t>(decomposed[n - 1]));
      }
    }
  }
  bool may_change(char32_t c) const noexcept { return c >= 0x300 && c <= kMaxCodePoint && (*bits_)[c]; }

 private:
  std::unique_ptr<std::bitset<kMaxCodePoint + 1>> bits_;
};

const NfcQuickTable& quick_table() {
  static const NfcQuickTable table;
  return table;
}

}  // namespace

bool is_nfc_quick(std::string_view text) noexcept {
  std::size_t i = 0;
  const NfcQuickTable* table = nullptr;
  while (i < text.size()) {
    const auto b = static_cast<unsigned char>(text[i]);
    if (b < 0xCC) {  // below U+0300 (lead bytes < 0xCC encode code points < U+0300)
      i += b < 0x80 ? 1 : 2;
      continue;
    }
    if (b >= 0xE4 && b <= 0xE9) {  // U+4000..U+9FFF: CJK ideographs (and Yijing symbols), all inert
      i += 3;
      continue;
    }
    std::size_t len;
    bool bad;
    const char32_t c = decode_one(text, i, len, bad);
    if (!table) table = &quick_table();
    if (table->may_change(c)) return false;
    i += len;
  }
  return true;
}

bool nfc_if_needed(std::string_view text, std::string& out) {
  if (is_nfc_quick(text)) return false;
  utf8proc_uint8_t* result = nullptr;
  const auto n = utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(text.data()),
                              static_cast<utf8proc_ssize_t>(text.size()), &result,
                              static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE));
  if (n < 0) {
    std::free(result);
    throw std::runtime_error(std::string("NFC normalisation failed: ") + utf8proc_errmsg(n));
  }
  out.assign(reinterpret_cast<const char*>(result), static_cast<std::size_t>(n));
  std::free(result);
  return true;
}

}  // namespace vsr::text::detail
