// PCRE2 wrapper for Qwen2's pre-tokenizer regex, with \s and \S spelt out so that PCRE2 sees the same whitespace
// as Python's `regex` module (checked code point by code point; see docs/tokenizer.md).
#include "pretokenizer.hpp"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <stdexcept>
#include <string>

namespace vsr::text::detail {

namespace {

/// kQwen2Pattern with Python's `\s` spelt out: the `regex` module's \s is Unicode White_Space (25 code points,
/// U+0085 included), while PCRE2's UCP \s leaves out U+0085 and takes in U+180E.
#define VSR_WS R"(\t\n\x{0B}\f\r\x{20}\x{85}\x{A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000})"
constexpr const char* kPcrePattern =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^)" VSR_WS R"(\p{L}\p{N}]+[\r\n]*)"  //
    R"(|[)" VSR_WS R"(]*[\r\n]+|[)" VSR_WS R"(]+(?![^)" VSR_WS R"(])|[)" VSR_WS R"(]+)";
#undef VSR_WS

std::string pcre_error(int code) {
  PCRE2_UCHAR buffer[256];
  pcre2_get_error_message(code, buffer, sizeof buffer);
  return reinterpret_cast<const char*>(buffer);
}

}  // namespace

struct PreTokenizer::Impl {
  pcre2_code* code = nullptr;
  bool jit = false;
};

PreTokenizer::PreTokenizer() : impl_(std::make_unique<Impl>()) {
  int error = 0;
  PCRE2_SIZE offset = 0;
  impl_->code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(kPcrePattern), PCRE2_ZERO_TERMINATED,
                              PCRE2_UTF | PCRE2_UCP | PCRE2_NO_UTF_CHECK, &error, &offset, nullptr);
  if (!impl_->code) throw std::logic_error("pre-tokenizer regex does not compile: " + pcre_error(error));
  impl_->jit = pcre2_jit_compile(impl_->code, PCRE2_JIT_COMPLETE) == 0;
}

PreTokenizer::~PreTokenizer() {
  if (impl_ && impl_->code) pcre2_code_free(impl_->code);
}

namespace {
/// This thread's match data (one ovector pair: the pattern has no capturing group), made once per thread.
pcre2_match_data* thread_match_data() {
  struct Holder {
    pcre2_match_data* md = pcre2_match_data_create(1, nullptr);
    ~Holder() { pcre2_match_data_free(md); }
  };
  thread_local Holder holder;
  if (!holder.md) throw std::bad_alloc();
  return holder.md;
}
}  // namespace

PreTokenizer::Matcher::Matcher(const PreTokenizer& pre, std::string_view text)
    : pre_(pre), text_(text), match_data_(thread_match_data()) {}

PreTokenizer::Matcher::~Matcher() = default;

bool PreTokenizer::Matcher::next(std::string_view& piece) {
  if (pos_ >= text_.size()) return false;
  auto* md = static_cast<pcre2_match_data*>(match_data_);
  const auto* subject = reinterpret_cast<PCRE2_SPTR>(text_.data());
  int rc;
  if (pre_.impl_->jit) {
    rc = pcre2_jit_match(pre_.impl_->code, subject, text_.size(), pos_, 0, md, nullptr);
    if (rc == PCRE2_ERROR_JIT_STACKLIMIT)  // fall back to the interpreter, whose memory is on the heap
      rc = pcre2_match(pre_.impl_->code, subject, text_.size(), pos_, PCRE2_NO_UTF_CHECK | PCRE2_NO_JIT, md, nullptr);
  } else {
    rc = pcre2_match(pre_.impl_->code, subject, text_.size(), pos_, PCRE2_NO_UTF_CHECK, md, nullptr);
  }
  if (rc == PCRE2_ERROR_NOMATCH) {
    pos_ = text_.size();
    return false;
  }
  if (rc < 0) throw std::runtime_error("pre-tokenizer regex failed: " + pcre_error(rc));
  const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(md);
  // Every code point is matched by some alternative and no alternative matches the empty string, so matches tile
  // the text; ov[1] > ov[0] always.
  piece = text_.substr(ov[0], ov[1] - ov[0]);
  pos_ = ov[1] > ov[0] ? ov[1] : ov[0] + 1;
  return true;
}

}  // namespace vsr::text::detail
