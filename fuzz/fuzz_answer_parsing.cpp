// libFuzzer target: parsing of model answers and ground truths: python_float (against an independent recogniser of
// CPython 3.11's float() grammar, and strtod of the recognised ASCII text), python_float_repr round trips,
// fuzzy_match, first_number, tag_content, tagged_format_ok, exact_match, the accuracy rewards and
// mean_relative_accuracy.
#include "fuzz_support.hpp"
#include "vsr/eval/answer_format.hpp"
#include "vsr/eval/python_str.hpp"
#include "vsr/eval/vsibench.hpp"

#include <fuzzer/FuzzedDataProvider.h>
#include <utf8proc.h>

#include <clocale>
#include <cmath>
#include <cstring>
#include <optional>
#include <stdexcept>

namespace {

using namespace vsr;

bool ascii_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'; }
bool digit(char c) { return c >= '0' && c <= '9'; }
bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if ((a[i] | 0x20) != b[i]) return false;
  return true;
}

/// The ASCII text CPython 3.11's float(str) hands to its strtod, or nullopt where float() raises ValueError:
/// _PyUnicode_TransformDecimalAndSpaceToASCII (code points < 127 kept, other white space -> ' ', other decimal
/// digits -> '0'..'9', anything else rejected), ASCII white space stripped, underscores only between digits, then
/// [sign] (inf | infinity | nan | (digits [. digits*] | . digits) [(e|E) [sign] digits]) and nothing else.
std::optional<std::string> cpython_float_text(std::string_view s) {
  std::string ascii;
  for (std::size_t i = 0; i < s.size();) {
    utf8proc_int32_t cp;
    const auto n = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(s.data() + i),
                                    static_cast<utf8proc_ssize_t>(s.size() - i), &cp);
    if (n <= 0) return std::nullopt;
    i += static_cast<std::size_t>(n);
    if (cp < 127) ascii += static_cast<char>(cp);
    else if (eval::python_isspace(static_cast<char32_t>(cp))) ascii += ' ';
    else if (const int d = eval::python_decimal_value(static_cast<char32_t>(cp)); d >= 0) ascii += static_cast<char>('0' + d);
    else return std::nullopt;
  }
  std::string_view t = ascii;
  while (!t.empty() && ascii_space(t.front())) t.remove_prefix(1);
  while (!t.empty() && ascii_space(t.back())) t.remove_suffix(1);
  std::string text;
  char prev = '\0';
  for (char c : t) {
    if (c == '_') {
      if (!digit(prev)) return std::nullopt;
    } else {
      if (prev == '_' && !digit(c)) return std::nullopt;
      text += c;
    }
    prev = c;
  }
  if (prev == '_') return std::nullopt;
  std::size_t p = 0;
  if (p < text.size() && (text[p] == '+' || text[p] == '-')) ++p;
  const std::string_view body = std::string_view(text).substr(p);
  if (iequals(body, "inf") || iequals(body, "infinity") || iequals(body, "nan")) return text;
  std::size_t int_digits = 0, frac_digits = 0;
  while (p < text.size() && digit(text[p])) ++p, ++int_digits;
  if (p < text.size() && text[p] == '.') {
    ++p;
    while (p < text.size() && digit(text[p])) ++p, ++frac_digits;
  }
  if (int_digits + frac_digits == 0) return std::nullopt;
  if (p < text.size() && (text[p] == 'e' || text[p] == 'E')) {
    ++p;
    if (p < text.size() && (text[p] == '+' || text[p] == '-')) ++p;
    std::size_t exp_digits = 0;
    while (p < text.size() && digit(text[p])) ++p, ++exp_digits;
    if (exp_digits == 0) return std::nullopt;
  }
  if (p != text.size()) return std::nullopt;
  return text;
}

bool same_double(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b) && std::signbit(a) == std::signbit(b);
  return std::memcmp(&a, &b, sizeof a) == 0;
}

void check_python_float(std::string_view s) {
  const auto got = eval::python_float(s);
  const auto want_text = cpython_float_text(s);
  fuzz::check(got.has_value() == want_text.has_value(),
              got ? "python_float accepts what CPython's float() grammar rejects:"
                  : "python_float rejects what CPython's float() grammar accepts:",
              s);
  if (!got) return;
  const double want = std::strtod(want_text->c_str(), nullptr);
  fuzz::check(same_double(*got, want), "python_float value differs from strtod of the CPython text:", s);
  if (std::isfinite(*got)) {
    const auto back = eval::python_float(eval::python_float_repr(*got));
    fuzz::check(back && same_double(*back, *got), "python_float(python_float_repr(x)) != x", eval::python_float_repr(*got));
  }
}

void check_tags(std::string_view output, std::string_view tag) {
  if (const auto inner = eval::tag_content(output, tag)) {
    const std::string open = "<" + std::string(tag) + ">", close = "</" + std::string(tag) + ">";
    fuzz::check(output.find(open + std::string(*inner) + close) != std::string_view::npos,
                "tag_content is not the text between the tags");
    fuzz::check(inner->find(close) == std::string_view::npos, "tag_content is not the shortest match");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const bool c_locale = std::setlocale(LC_ALL, "C") != nullptr;
  (void)c_locale;
  const auto whole = fuzz::as_text(data, size);
  fuzz::expect_vsr_errors([&] {
    check_python_float(whole);
    const std::string fm = eval::fuzzy_match(whole);
    fuzz::check(fm.find(' ') == std::string::npos, "fuzzy_match result holds a space");
    fuzz::check(whole.find(fm) != std::string_view::npos, "fuzzy_match result is not part of the input");
    check_python_float(fm);
    if (const auto n = eval::first_number(whole)) {
      bool has_digit = false;
      for (char c : whole) has_digit = has_digit || digit(c);
      fuzz::check(has_digit, "first_number found a number in text without digits");
    }
    for (const char* tag : {"think", "observe", "answer"}) check_tags(whole, tag);
    for (const char* tag : {"think", "observe"}) {
      if (!eval::tagged_format_ok(whole, tag)) continue;
      const std::string open = "<" + std::string(tag) + ">";
      fuzz::check(whole.starts_with(open) && whole.ends_with("</answer>"), "tagged_format_ok on a badly framed text");
      fuzz::check(eval::tag_content(whole, tag) && eval::tag_content(whole, "answer"), "tagged_format_ok without tags");
    }
    (void)eval::case_fold(whole);
    (void)eval::python_lower(whole);
    (void)eval::python_strip(whole);

    FuzzedDataProvider fdp(data, size);
    const std::string tag = fdp.ConsumeRandomLengthString(8);
    const std::string answer = fdp.ConsumeRandomLengthString(64);
    const std::string truth = fdp.ConsumeRemainingBytesAsString();
    check_tags(answer + truth, tag);
    const double na = eval::numeric_accuracy(answer, truth);
    fuzz::check(na >= 0 && na <= 1, "numeric_accuracy outside [0, 1]");
    const double ca = eval::choice_accuracy(answer, truth);
    fuzz::check(ca == 0 || ca == 1, "choice_accuracy not 0 or 1");
    const double em = eval::exact_match(answer, truth);
    fuzz::check(em == 0 || em == 1, "exact_match not 0 or 1");
    const auto p = eval::python_float(answer), g = eval::python_float(truth);
    if (p && g && *g != 0) {
      const double mra = eval::mean_relative_accuracy(*p, *g);
      fuzz::check(mra >= 0 && mra <= 1, "mean_relative_accuracy outside [0, 1]");
    }
  });
  return 0;
}
