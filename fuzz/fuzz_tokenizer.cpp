// libFuzzer target: Qwen2 byte-level BPE on arbitrary bytes with the tiny golden tokenizer
// (tests/data/qwen2vl-tiny/tokenizer, loaded once). Invariants: every id is known to the tokenizer; for valid UTF-8
// x, decode(encode(x)) == NFC(x) (utf8proc); decode never yields invalid UTF-8; tokenize() has one string per id.
#include "fuzz_support.hpp"
#include "vsr/text/tokenizer.hpp"

#include <utf8proc.h>

#include <cstdlib>
#include <cstring>
#include <optional>

namespace {

/// NFC of `s` by utf8proc, or nullopt when `s` is not valid UTF-8.
std::optional<std::string> nfc(std::string_view s) {
  utf8proc_uint8_t* out = nullptr;
  const auto n = utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(s.data()), static_cast<utf8proc_ssize_t>(s.size()),
                              &out, static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE));
  if (n < 0) return std::nullopt;
  std::string r(reinterpret_cast<const char*>(out), static_cast<std::size_t>(n));
  std::free(out);
  return r;
}

bool valid_utf8(std::string_view s) {
  utf8proc_int32_t cp;
  for (std::size_t i = 0; i < s.size();) {
    const auto n = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(s.data() + i),
                                    static_cast<utf8proc_ssize_t>(s.size() - i), &cp);
    if (n <= 0) return false;
    i += static_cast<std::size_t>(n);
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto tokenizer =
      vsr::text::Tokenizer::from_dir(std::filesystem::path(VSR_TEST_DATA_DIR) / "qwen2vl-tiny" / "tokenizer");
  const auto text = vsr::fuzz::as_text(data, size);
  vsr::fuzz::expect_vsr_errors([&] {
    const auto ids = tokenizer.encode(text);
    for (auto id : ids) vsr::fuzz::check(!tokenizer.id_to_token(id).empty(), "encode() gave an unknown id");
    vsr::fuzz::check(tokenizer.tokenize(text).size() == ids.size(), "tokenize() and encode() differ in length");
    const auto back = tokenizer.decode(ids);
    vsr::fuzz::check(valid_utf8(back), "decode() gave invalid UTF-8");
    if (const auto want = nfc(text)) vsr::fuzz::check(back == *want, "decode(encode(x)) != NFC(x)", back);
    (void)tokenizer.decode(ids, true);
    // Arbitrary ids (the input read as little-endian int32s) decode without failing.
    std::vector<std::int32_t> raw(size / 4);
    if (!raw.empty()) std::memcpy(raw.data(), data, raw.size() * 4);
    vsr::fuzz::check(valid_utf8(tokenizer.decode(raw)), "decode(arbitrary ids) gave invalid UTF-8");
  });
  return 0;
}
