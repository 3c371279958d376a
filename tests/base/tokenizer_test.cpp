// Tests of vsr::text::Tokenizer against transformers 4.45.1's slow Qwen2Tokenizer: the 36 goldens of
// tests/data/qwen2vl-tiny/tokenizer_cases.json, the 70 encode + 8 decode harder cases of tests/data/tokenizer
// (its README says how they were made), the added-token flags, the BPE merge order, both file formats, the load
// errors.
#include "test_support.hpp"
#include "vsr/core/error.hpp"
#include "vsr/core/run_dir.hpp"
#include "vsr/text/tokenizer.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <thread>

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using vsr::text::Tokenizer;
using Ids = std::vector<std::int32_t>;

fs::path golden_dir() { return vsr::test::data_dir() / "qwen2vl-tiny" / "tokenizer"; }

const Tokenizer& qwen() {
  static const Tokenizer tok = Tokenizer::from_dir(golden_dir());
  return tok;
}

json load_json(const fs::path& p) { return json::parse(vsr::read_file(p)); }

std::string from_hex(const std::string& hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) out += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
  return out;
}

void write(const fs::path& p, const std::string& text) {
  std::ofstream(p, std::ios::binary) << text;
}

/// GPT-2's byte-level character of byte b, as UTF-8 (independent of the library's table).
std::string byte_char(int b) {
  int n = 0, c = -1;
  for (int x = 0; x < 256; ++x) {
    const bool printable = (x >= '!' && x <= '~') || (x >= 0xA1 && x <= 0xAC) || (x >= 0xAE && x <= 0xFF);
    const int cp = printable ? x : 256 + n++;
    if (x == b) c = cp;
  }
  std::string s;
  if (c < 0x80) {
    s += static_cast<char>(c);
  } else {
    s += static_cast<char>(0xC0 | (c >> 6));
    s += static_cast<char>(0x80 | (c & 0x3F));
  }
  return s;
}

/// A tiny byte-level vocabulary: the 256 byte tokens (id = byte) plus `extra` tokens from id 256 on.
json tiny_vocab(const std::vector<std::string>& extra) {
  json v = json::object();
  for (int b = 0; b < 256; ++b) v[byte_char(b)] = b;
  for (std::size_t i = 0; i < extra.size(); ++i) v[extra[i]] = 256 + static_cast<int>(i);
  return v;
}

/// A folder with vocab.json, merges.txt and a tokenizer_config.json holding `added` (id -> AddedToken json).
fs::path slow_dir(const std::string& name, const json& vocab, const std::string& merges, const json& added) {
  const auto dir = vsr::test::temp_dir(name);
  write(dir / "vocab.json", vocab.dump());
  write(dir / "merges.txt", merges);
  write(dir / "tokenizer_config.json", json{{"added_tokens_decoder", added}}.dump());
  return dir;
}

json added_token(const std::string& content, bool lstrip, bool rstrip, bool single_word, bool special = true) {
  return {{"content", content}, {"lstrip", lstrip}, {"rstrip", rstrip}, {"single_word", single_word},
          {"normalized", false}, {"special", special}};
}

std::string error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const vsr::Error& e) {
    return e.what();
  }
  return "(no vsr::Error)";
}

Ids concat(std::initializer_list<Ids> parts) {
  Ids out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

}  // namespace

TEST(Tokenizer, AllGoldenCasesMatchTransformers) {
  const json cases = load_json(vsr::test::data_dir() / "qwen2vl-tiny" / "tokenizer_cases.json");
  ASSERT_EQ(cases.size(), 36u);
  for (const auto& c : cases) {
    const auto text = c["text"].get<std::string>();
    SCOPED_TRACE(text);
    const auto ids = qwen().encode(text);
    EXPECT_EQ(ids, c["ids"].get<Ids>());
    EXPECT_EQ(qwen().tokenize(text), c["tokens"].get<std::vector<std::string>>());
    const auto want_ids = c["ids"].get<Ids>();
    EXPECT_EQ(qwen().decode(want_ids), c["decoded"].get<std::string>());
    EXPECT_EQ(qwen().decode(want_ids, true), c["decoded_skip_special"].get<std::string>());
  }
}

TEST(Tokenizer, HardCasesMatchTheReference) {
  const json data = load_json(vsr::test::data_dir() / "tokenizer" / "qwen2vl_hard_cases.json");
  ASSERT_EQ(data["encode"].size(), 70u);
  for (const auto& c : data["encode"]) {
    const std::string text = c.contains("text") ? c["text"].get<std::string>() : from_hex(c["bytes_hex"]);
    SCOPED_TRACE(vsr::quote(text, 80));
    const auto want = c["ids"].get<Ids>();
    EXPECT_EQ(qwen().encode(text), want);
    EXPECT_EQ(qwen().decode(want), c["decoded"].get<std::string>());
    EXPECT_EQ(qwen().decode(want, true), c["decoded_skip_special"].get<std::string>());
  }
  ASSERT_EQ(data["decode"].size(), 8u);
  for (const auto& c : data["decode"]) {
    const auto ids = c["ids"].get<Ids>();
    EXPECT_EQ(qwen().decode(ids), c["decoded"].get<std::string>()) << c["ids"].dump();
    EXPECT_EQ(qwen().decode(ids, true), c["decoded_skip_special"].get<std::string>()) << c["ids"].dump();
  }
}

TEST(Tokenizer, VocabularyAndSpecialTokens) {
  const Tokenizer& t = qwen();
  EXPECT_EQ(t.vocab_size(), 151657);
  EXPECT_EQ(t.token_to_id("Ġworld"), 1879);
  EXPECT_EQ(t.token_to_id("<|im_start|>"), 151644);
  EXPECT_EQ(t.token_to_id("<think>"), std::nullopt);  // plain text in Qwen2-VL
  EXPECT_EQ(t.token_to_id("no such token"), std::nullopt);
  EXPECT_EQ(t.id_to_token(1879), "Ġworld");
  EXPECT_EQ(t.id_to_token(151656), "<|video_pad|>");
  EXPECT_EQ(t.id_to_token(151657), "");
  EXPECT_EQ(t.id_to_token(-1), "");
  EXPECT_EQ(t.added_tokens().size(), 14u);
  for (std::int32_t id = 151643; id <= 151656; ++id) EXPECT_TRUE(t.is_special(id)) << id;
  EXPECT_FALSE(t.is_special(1879));
  EXPECT_FALSE(t.is_special(151657));
  EXPECT_EQ(t.eos_token_id(), 151645);
  EXPECT_EQ(t.pad_token_id(), 151643);
}

TEST(Tokenizer, DecodeLeavesOutUnknownIds) {
  // The model's output layer has 151936 rows; ids past the tokenizer's 151657 have no text.
  EXPECT_EQ(qwen().decode(Ids{9707, 151657, 151935, -5, 1879}), "Hello world");
}

TEST(Tokenizer, InvalidUtf8IsReplacedLikePython) {
  // b"\xe4\xbd" at the end is one maximal subpart -> one U+FFFD; "\xed\xa0\x80" (a surrogate) is three.
  EXPECT_EQ(qwen().encode("abc\xe4\xbd"), qwen().encode("abc\xef\xbf\xbd"));
  EXPECT_EQ(qwen().encode("\xed\xa0\x80"), qwen().encode("\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"));
  EXPECT_EQ(qwen().decode(qwen().encode("x\xff" "y")), "x\xef\xbf\xbdy");
}

TEST(Tokenizer, RoundTripsValidText) {
  for (const std::string s : {"", " ", "Hello,  world!\n\n", "你好 🙂\t<|im_end|> end  ", "tab\there\r\n"})
    EXPECT_EQ(qwen().decode(qwen().encode(s)), s) << vsr::quote(s);
}

TEST(Tokenizer, ConcurrentEncodingAgreesWithSerial) {
  const Tokenizer tok = Tokenizer::from_dir(golden_dir());  // fresh, empty cache
  std::vector<std::string> texts;
  for (int i = 0; i < 200; ++i) texts.push_back("sample " + std::to_string(i * 7919) + " 空间推理 word" + std::to_string(i % 13));
  std::vector<std::vector<Ids>> got(4, std::vector<Ids>(texts.size()));
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (std::size_t i = 0; i < texts.size(); ++i) got[t][i] = tok.encode(texts[(i + t * 50) % texts.size()]);
    });
  for (auto& th : threads) th.join();
  for (int t = 0; t < 4; ++t)
    for (std::size_t i = 0; i < texts.size(); ++i) EXPECT_EQ(got[t][i], qwen().encode(texts[(i + t * 50) % texts.size()]));
}

TEST(Tokenizer, TokenizerJsonGivesTheSameIdsAsTheSlowFiles) {
  // Build tokenizer.json from the golden vocab.json + merges.txt, once with "a b" merges, once with pairs.
  const json vocab = load_json(golden_dir() / "vocab.json");
  const json config = load_json(golden_dir() / "tokenizer_config.json");
  json added = json::array();
  for (const auto& [id, t] : config["added_tokens_decoder"].items()) {
    json a = t;
    a["id"] = std::stoi(id);
    added.push_back(a);
  }
  std::vector<std::string> merge_lines;
  {
    std::istringstream in(vsr::read_file(golden_dir() / "merges.txt"));
    std::string line;
    std::getline(in, line);  // #version
    while (std::getline(in, line))
      if (!line.empty()) merge_lines.push_back(line);
  }
  const json pre = {{"type", "Sequence"},
                    {"pretokenizers",
                     {{{"type", "Split"},
                       {"pattern", {{"Regex", R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)"}}},
                       {"behavior", "Isolated"},
                       {"invert", false}},
                      {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"trim_offsets", false}, {"use_regex", false}}}}};
  const json cases = load_json(vsr::test::data_dir() / "qwen2vl-tiny" / "tokenizer_cases.json");
  for (const bool pairs : {false, true}) {
    json merges = json::array();
    for (const auto& l : merge_lines) {
      const auto sp = l.find(' ');
      merges.push_back(pairs ? json::array({l.substr(0, sp), l.substr(sp + 1)}) : json(l));
    }
    const json tj = {{"version", "1.0"},       {"added_tokens", added},
                     {"normalizer", {{"type", "NFC"}}}, {"pre_tokenizer", pre},
                     {"decoder", {{"type", "ByteLevel"}}},
                     {"model", {{"type", "BPE"}, {"dropout", nullptr}, {"vocab", vocab}, {"merges", merges},
                                {"byte_fallback", false}, {"ignore_merges", false}}}};
    const auto dir = vsr::test::temp_dir(pairs ? "tokjson_pairs" : "tokjson_strings");
    write(dir / "tokenizer.json", tj.dump());
    const Tokenizer fast = Tokenizer::from_dir(dir);
    EXPECT_EQ(fast.vocab_size(), 151657);
    for (const auto& c : cases) EXPECT_EQ(fast.encode(c["text"].get<std::string>()), c["ids"].get<Ids>()) << c["text"];
    // No tokenizer_config.json: specials come from "added_tokens" "special": true.
    EXPECT_TRUE(fast.is_special(151645));
    EXPECT_EQ(fast.eos_token_id(), std::nullopt);
  }
}

TEST(Tokenizer, BpeMergesEveryOccurrenceOfTheBestPairBeforeLookingAtNewPairs) {
  // Ranks: "aa a" (0) before "a a" (1). GPT-2's bpe() merges all non-overlapping "a a" left to right in one pass,
  // then looks again: "aaaa" -> [aa, aa] (no "aa aa" merge), whereas merging one pair at a time would give
  // [aaa, a]. "aaa" -> [aa, a] -> [aaa]. Words up to 16 bytes take the rank-scan path, longer ones the heap path;
  // both must follow this order.
  const auto dir = slow_dir("bpe_order", tiny_vocab({"aa", "aaa"}), "#version: 0.2\naa a\na a\n", json::object());
  const Tokenizer t = Tokenizer::from_dir(dir);
  const std::int32_t a = 'a', aa = 256, aaa = 257;
  EXPECT_EQ(t.encode("aaaa"), (Ids{aa, aa}));
  EXPECT_EQ(t.encode("aaa"), (Ids{aaa}));
  EXPECT_EQ(t.encode("aaaaa"), (Ids{aa, aaa}));  // [aa, aa, a] -> "aa a" at the end
  EXPECT_EQ(t.encode(std::string(16, 'a')), Ids(8, aa));
  Ids seventeen(7, aa);
  seventeen.push_back(aaa);
  EXPECT_EQ(t.encode(std::string(17, 'a')), seventeen);
  EXPECT_EQ(t.encode(std::string(130, 'a')), Ids(65, aa));
  Ids odd(64, aa);
  odd.push_back(aaa);
  EXPECT_EQ(t.encode(std::string(131, 'a')), odd);
  EXPECT_EQ(t.encode("a"), (Ids{a}));
}

TEST(Tokenizer, TwoTokenizersInOneThreadKeepTheirOwnCachedWords) {
  // Both share this thread's word cache; each must get its own BPE of "aaaa" every time.
  const auto dir = slow_dir("two_caches", tiny_vocab({"aa", "aaa"}), "#version: 0.2\naa a\na a\n", json::object());
  const Tokenizer tiny = Tokenizer::from_dir(dir);
  for (int round = 0; round < 3; ++round) {
    EXPECT_EQ(tiny.encode("aaaa"), (Ids{256, 256}));
    EXPECT_EQ(qwen().encode("aaaa"), (Ids{28458}));  // "aaaa" is one Qwen2 token
  }
}

TEST(Tokenizer, AddedTokenFlagsFollowTheSlowTokenizer) {
  // lstrip: the text to the left loses its trailing whitespace; rstrip: the text to the right loses its leading
  // whitespace; single_word: a token glued to a neighbour that does not end/start with a space becomes text.
  const json vocab = load_json(golden_dir() / "vocab.json");
  const std::string merges = vsr::read_file(golden_dir() / "merges.txt");
  const json added = {{"151643", added_token("<L>", true, false, false)},
                      {"151644", added_token("<R>", false, true, false)},
                      {"151645", added_token("<S>", false, false, true, false)}};
  const Tokenizer t = Tokenizer::from_dir(slow_dir("flags", vocab, merges, added));
  const Tokenizer& plain = qwen();  // same BPE, none of these added tokens
  EXPECT_EQ(t.encode("x  <L> y"), concat({plain.encode("x"), {151643}, plain.encode(" y")}));
  EXPECT_EQ(t.encode("x \u3000<L>"), concat({plain.encode("x"), {151643}}));  // str.rstrip() knows U+3000
  EXPECT_EQ(t.encode("x <R> \t y"), concat({plain.encode("x "), {151644}, plain.encode("y")}));
  EXPECT_EQ(t.encode("ab<S> cd"), concat({plain.encode("ab<S>"), plain.encode(" cd")}));
  EXPECT_EQ(t.encode("ab <S>cd"), concat({plain.encode("ab "), plain.encode("<S>cd")}));
  EXPECT_EQ(t.encode("ab <S> cd"), concat({plain.encode("ab "), {151645}, plain.encode(" cd")}));
  EXPECT_EQ(t.encode("<S>"), (Ids{151645}));
  // A non-special added token is not skipped by skip_special_tokens.
  EXPECT_EQ(t.decode(Ids{151645, 151643}, true), "<S>");
  EXPECT_EQ(t.decode(Ids{151645, 151643}, false), "<S><L>");
}

TEST(Tokenizer, AddedTokensMatchLeftmostThenLongest) {
  const json added = {{"300", added_token("<a>", false, false, false)},
                      {"301", added_token("<a><b>", false, false, false)},
                      {"302", added_token("b>x", false, false, false)}};
  const auto dir = slow_dir("longest", tiny_vocab({}), "#version: 0.2\n", added);
  const Tokenizer t = Tokenizer::from_dir(dir);
  EXPECT_EQ(t.encode("<a><b>x"), (Ids{301, 'x'}));   // longest at the leftmost position
  EXPECT_EQ(t.encode("<a><b"), (Ids{300, '<', 'b'}));  // the longer one does not match here
  EXPECT_EQ(t.encode("a<b>x<a>"), (Ids{'a', '<', 302, 300}));
}

TEST(Tokenizer, SplitSpecialTokensSendsThemThroughBpe) {
  const auto dir = vsr::test::temp_dir("split_special");
  fs::copy_file(golden_dir() / "vocab.json", dir / "vocab.json");
  fs::copy_file(golden_dir() / "merges.txt", dir / "merges.txt");
  json cfg = load_json(golden_dir() / "tokenizer_config.json");
  cfg["split_special_tokens"] = true;
  write(dir / "tokenizer_config.json", cfg.dump());
  const Tokenizer t = Tokenizer::from_dir(dir);
  EXPECT_EQ(t.encode("<|im_end|>"), (Ids{27, 91, 318, 6213, 91, 29}));  // "<", "|", "im", "_end", "|", ">"
}

TEST(Tokenizer, LoadErrorsNameFileAndField) {
  const auto dir = vsr::test::temp_dir("errors");
  EXPECT_NE(error_of([&] { Tokenizer::from_dir(dir / "missing"); }).find("no such folder"), std::string::npos);
  EXPECT_NE(error_of([&] { Tokenizer::from_dir(dir); }).find("vocab.json: no such file"), std::string::npos);

  const std::string ok_merges = "#version: 0.2\n";
  const auto e1 = error_of([&] {
    auto d = slow_dir("e1", tiny_vocab({}), ok_merges, json::object());
    write(d / "vocab.json", "{\"a\": 1,");
    Tokenizer::from_dir(d);
  });
  EXPECT_NE(e1.find("vocab.json: not valid JSON"), std::string::npos) << e1;

  const auto e2 = error_of([&] { Tokenizer::from_dir(slow_dir("e2", json::array({1, 2}), ok_merges, json::object())); });
  EXPECT_NE(e2.find("vocab.json: expected an object of token string -> id, found array"), std::string::npos) << e2;

  json bad_value = tiny_vocab({});
  bad_value["zz"] = "7";
  const auto e3 = error_of([&] { Tokenizer::from_dir(slow_dir("e3", bad_value, ok_merges, json::object())); });
  EXPECT_NE(e3.find("vocab.json: \"zz\": expected an integer id, found string"), std::string::npos) << e3;

  const auto e4 = error_of([&] { Tokenizer::from_dir(slow_dir("e4", tiny_vocab({"ab"}), "#version: 0.2\na b\na b c\n", json::object())); });
  EXPECT_NE(e4.find("merges.txt: line 3: expected two tokens separated by a space"), std::string::npos) << e4;

  const auto e5 = error_of([&] { Tokenizer::from_dir(slow_dir("e5", tiny_vocab({}), "#version: 0.2\na b\n", json::object())); });
  EXPECT_NE(e5.find("merges.txt: merge 1 (\"a\" \"b\"): result \"ab\" is not in the vocabulary"), std::string::npos) << e5;

  const auto e6 = error_of([&] { Tokenizer::from_dir(slow_dir("e6", tiny_vocab({"xyz"}), "#version: 0.2\nxy z\n", json::object())); });
  EXPECT_NE(e6.find("left part is not in the vocabulary"), std::string::npos) << e6;

  json no_space = tiny_vocab({});
  no_space.erase(byte_char(' '));
  const auto e7 = error_of([&] { Tokenizer::from_dir(slow_dir("e7", no_space, ok_merges, json::object())); });
  EXPECT_NE(e7.find("byte 0x20 is missing"), std::string::npos) << e7;

  const auto e8 = error_of([&] {
    Tokenizer::from_dir(slow_dir("e8", tiny_vocab({}), ok_merges, {{"12", {{"content", 5}}}}));
  });
  EXPECT_NE(e8.find("tokenizer_config.json: added_tokens_decoder.12.content: expected a string"), std::string::npos) << e8;

  const auto e9 = error_of([&] {
    auto d = vsr::test::temp_dir("e9");
    write(d / "tokenizer.json",
          json{{"model", {{"type", "BPE"}, {"vocab", tiny_vocab({})}, {"merges", json::array()}}},
               {"pre_tokenizer", {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"use_regex", true}}}}
              .dump());
    Tokenizer::from_dir(d);
  });
  EXPECT_NE(e9.find("tokenizer.json: pre_tokenizer.use_regex: GPT-2's built-in regex is not supported"), std::string::npos) << e9;

  const auto e10 = error_of([&] {
    auto d = vsr::test::temp_dir("e10");
    write(d / "tokenizer.json", json{{"model", {{"type", "WordPiece"}}}}.dump());
    Tokenizer::from_dir(d);
  });
  EXPECT_NE(e10.find("tokenizer.json: model.type: expected \"BPE\""), std::string::npos) << e10;
}

TEST(Tokenizer, FromPartsBuildsAWorkingTokenizer) {
  std::vector<std::pair<std::string, std::int32_t>> vocab;
  for (int b = 0; b < 256; ++b) vocab.emplace_back(byte_char(b), b);
  vocab.emplace_back("hi", 256);
  vocab.emplace_back("Ġhi", 257);
  vocab.emplace_back(byte_char(' ') + "h", 258);
  const Tokenizer t = Tokenizer::from_parts(vocab, {{"Ġ", "h"}, {"Ġh", "i"}, {"h", "i"}},
                                            {{.id = 300, .content = "<eos>", .special = true}});
  EXPECT_EQ(t.encode("hi hi<eos>"), (Ids{256, 257, 300}));
  EXPECT_EQ(t.decode(Ids{256, 257, 300}, true), "hi hi");
  EXPECT_EQ(t.vocab_size(), 260);
  EXPECT_THROW(Tokenizer::from_parts(vocab, {{"h", "q"}}, {}), vsr::Error);
}

// The quickstart's toy tokenizer (configs/toy_model/tokenizer, made by tools/make_toy_tokenizer.py): Qwen2's BPE cut
// to 2,000 merges, renumbered; its special ids are the ones the toy model's config names, and text round-trips.
TEST(Tokenizer, ToyVocabularyMatchesItsModelConfigAndRoundTrips) {
  const fs::path toy = vsr::test::data_dir() / ".." / ".." / "configs" / "toy_model";
  const Tokenizer t = Tokenizer::from_dir(toy / "tokenizer");
  const json config = json::parse(vsr::read_file(toy / "config.json"));
  EXPECT_EQ(t.vocab_size(), config["vocab_size"].get<std::int32_t>());
  EXPECT_EQ(t.token_to_id("<|endoftext|>"), config["bos_token_id"].get<std::int32_t>());
  EXPECT_EQ(t.token_to_id("<|im_end|>"), config["eos_token_id"].get<std::int32_t>());
  EXPECT_EQ(t.eos_token_id(), config["eos_token_id"].get<std::int32_t>());
  EXPECT_EQ(t.token_to_id("<|vision_start|>"), config["vision_start_token_id"].get<std::int32_t>());
  EXPECT_EQ(t.token_to_id("<|vision_end|>"), config["vision_end_token_id"].get<std::int32_t>());
  EXPECT_EQ(t.token_to_id("<|vision_pad|>"), config["vision_token_id"].get<std::int32_t>());
  EXPECT_EQ(t.token_to_id("<|image_pad|>"), config["image_token_id"].get<std::int32_t>());
  EXPECT_EQ(t.token_to_id("<|video_pad|>"), config["video_token_id"].get<std::int32_t>());
  const Tokenizer full = Tokenizer::from_dir(vsr::test::data_dir() / "qwen2vl-tiny" / "tokenizer");
  for (const std::string text : {"How many chair(s) are in this room? 3.5", "Options:\nA. sofa\nB. tv",
                                 "<|im_start|>user\nMeasuring from the closest point<|im_end|>", "naïve 日本 ok"}) {
    const Ids ids = t.encode(text);
    EXPECT_EQ(t.decode(ids, false), text);
    for (const auto id : ids) EXPECT_LT(id, t.vocab_size());
    // A cut merge list only splits words further: never fewer tokens than the full vocabulary.
    EXPECT_GE(ids.size(), full.encode(text).size()) << text;
  }
}
