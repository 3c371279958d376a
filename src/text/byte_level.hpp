#pragma once
// GPT-2's byte-level alphabet (`bytes_to_unicode` in GPT-2's encoder.py and transformers' tokenization_qwen2.py):
// every byte is shown as one printable code point, so BPE tokens are strings over 256 characters.

#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace vsr::text::detail {

/// The code point that stands for byte `b` in byte-level tokens ('Ġ' = U+0120 for the space byte 0x20).
char32_t byte_to_char(unsigned char b) noexcept;

/// The byte that code point `c` stands for, or nothing when `c` is not one of the 256 byte-level characters.
std::optional<unsigned char> char_to_byte(char32_t c) noexcept;

/// The bytes a byte-level token string stands for ("Ġworld" -> " world"), or nothing when it contains a
/// character outside the alphabet or is not valid UTF-8.
std::optional<std::string> token_to_bytes(std::string_view token);

/// The byte-level token string of raw bytes (" world" -> "Ġworld").
std::string bytes_to_token(std::string_view bytes);

}  // namespace vsr::text::detail
