#pragma once
// Unicode NFC normalisation (unicodedata.normalize("NFC", text), the first step of Qwen2Tokenizer), with a quick
// check that leaves text untouched when no code point in it can change under NFC.

#include <string>
#include <string_view>

namespace vsr::text::detail {

/// True when `text` (valid UTF-8) certainly is in NFC already: no code point in it has a non-zero combining class,
/// changes under NFC on its own, or can be the second element of a canonical composition (NFC_Quick_Check = Yes
/// for all, so NFC is the identity).
bool is_nfc_quick(std::string_view text) noexcept;

/// NFC of `text` (valid UTF-8) via utf8proc; returns false and leaves `out` alone when `text` is already NFC by
/// the quick check, so the common case copies nothing.
bool nfc_if_needed(std::string_view text, std::string& out);

}  // namespace vsr::text::detail
