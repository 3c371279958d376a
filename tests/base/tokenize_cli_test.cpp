// Tests of `vsr tokenize`: encodes and decodes JSON lines with the golden tokenizer, reports bad lines.
#include "test_support.hpp"

#include <gtest/gtest.h>

namespace {
std::string tokenizer_arg() { return "--tokenizer '" + (vsr::test::data_dir() / "qwen2vl-tiny" / "tokenizer").string() + "'"; }
}  // namespace

TEST(TokenizeCli, EncodesAndDecodesJsonLines) {
  const auto enc = vsr::test::run_cli("tokenize " + tokenizer_arg(),
                                      "{\"text\": \"Hello world\"}\n\n{\"text\": \"<|im_start|>你好\"}\n");
  EXPECT_EQ(enc.exit_code, 0) << enc.err;
  EXPECT_EQ(enc.out, "{\"ids\":[9707,1879]}\n{\"ids\":[151644,108386]}\n");
  const auto dec = vsr::test::run_cli("tokenize --decode " + tokenizer_arg(), "{\"ids\": [151644, 108386]}\n");
  EXPECT_EQ(dec.exit_code, 0) << dec.err;
  EXPECT_EQ(dec.out, "{\"text\":\"<|im_start|>你好\"}\n");
  const auto skip = vsr::test::run_cli("tokenize --decode --skip-special " + tokenizer_arg(), "{\"ids\": [151644, 108386]}\n");
  EXPECT_EQ(skip.out, "{\"text\":\"你好\"}\n");
}

TEST(TokenizeCli, BadLineNamesStdinAndLine) {
  const auto r = vsr::test::run_cli("tokenize " + tokenizer_arg(), "{\"text\": \"ok\"}\n{\"txt\": 1}\n");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("<stdin>: line 2: expected {\"text\": string}"), std::string::npos) << r.err;
  const auto d = vsr::test::run_cli("tokenize --decode " + tokenizer_arg(), "{\"ids\": [1, \"x\"]}\n");
  EXPECT_EQ(d.exit_code, 2);
  EXPECT_NE(d.err.find("<stdin>: line 1.ids: expected 32-bit integers"), std::string::npos) << d.err;
  const auto m = vsr::test::run_cli("tokenize", "");
  EXPECT_EQ(m.exit_code, 2);
  EXPECT_NE(m.err.find("--tokenizer"), std::string::npos) << m.err;
}
