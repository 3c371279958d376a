// Encode / decode throughput of the Qwen2 tokenizer on ~4 MB of mixed text built deterministically here: English
// prose, C++/Python code, Chinese, numbers and dates, in ~2 KB documents (as a data loader would feed it).
// Run: build/bench/vsr_bench --benchmark_filter=Tokeniz
#include "vsr/text/tokenizer.hpp"

#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>
#include <vector>

namespace {

/// A fixed linear congruential generator, so the corpus is the same on every machine.
struct Lcg {
  std::uint64_t state = 0x2545F4914F6CDD1DULL;
  std::uint32_t next(std::uint32_t n) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<std::uint32_t>(state >> 33) % n;
  }
};

void append_utf8(std::string& out, char32_t c) {
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
}

std::vector<std::string> make_corpus(std::size_t total_bytes) {
  static const char* common[] = {"the", "of", "and", "to", "in", "is", "that", "chair", "table", "room", "video",
                                 "distance", "between", "how", "many", "meters", "left", "right", "camera", "object",
                                 "spatial", "reasoning", "model", "answer", "question", "which", "closest", "size"};
  static const char* syllables[] = {"ka", "lo", "mi", "tra", "ven", "sor", "pel", "qui", "dan", "ro", "ex", "ful",
                                    "ing", "tion", "ar", "be", "con", "de", "pre", "st", "ment", "ous", "ly", "er"};
  Lcg rng;
  std::vector<std::string> docs;
  std::size_t bytes = 0;
  while (bytes < total_bytes) {
    std::string doc;
    const auto kind = rng.next(4);
    while (doc.size() < 2048) {
      if (kind == 0) {  // English prose with a long tail of rare words
        for (int w = 0, n = 8 + static_cast<int>(rng.next(12)); w < n; ++w) {
          if (w) doc += ' ';
          if (rng.next(4)) {
            std::string word = common[rng.next(std::size(common))];
            if (w == 0) word[0] = static_cast<char>(word[0] - 32);
            doc += word;
          } else {
            for (int s = 0, k = 1 + static_cast<int>(rng.next(4)); s < k; ++s) doc += syllables[rng.next(std::size(syllables))];
          }
        }
        doc += rng.next(5) ? ". " : "? ";
        if (!rng.next(6)) doc += "\n\n";
      } else if (kind == 1) {  // code
        const auto v = "var" + std::to_string(rng.next(50));
        doc += "    for (int i = 0; i < " + std::to_string(rng.next(1000)) + "; ++i) {\n        " + v + "[i] += w_" +
               std::to_string(rng.next(9)) + " * x[i];  // update\n    }\n";
        doc += "def f_" + std::to_string(rng.next(100)) + "(x, y=None):\n\treturn {'k': x ** 2, \"v\": [y, " +
               std::to_string(rng.next(100)) + "]}\n";
      } else if (kind == 2) {  // Chinese: runs of common ideographs with full-width punctuation
        for (int r = 0, n = 5 + static_cast<int>(rng.next(25)); r < n; ++r) append_utf8(doc, 0x4E00 + rng.next(3500));
        append_utf8(doc, rng.next(3) ? 0xFF0C : 0x3002);
      } else {  // numbers, dates, measurements
        doc += std::to_string(2000 + rng.next(30)) + "-" + std::to_string(1 + rng.next(12)) + "-" +
               std::to_string(1 + rng.next(28)) + " distance " + std::to_string(rng.next(100)) + "." +
               std::to_string(rng.next(100)) + " m, count " + std::to_string(rng.next(100000)) + "; ";
      }
    }
    bytes += doc.size();
    docs.push_back(std::move(doc));
  }
  return docs;
}

const vsr::text::Tokenizer& tokenizer() {
  static const auto tok = vsr::text::Tokenizer::from_dir(std::string(VSR_TEST_DATA_DIR) + "/qwen2vl-tiny/tokenizer");
  return tok;
}

const std::vector<std::string>& corpus() {
  static const auto docs = make_corpus(4u << 20);
  return docs;
}

void BM_TokenizerEncode(benchmark::State& state) {
  const auto& tok = tokenizer();
  const auto& docs = corpus();
  std::size_t bytes = 0, tokens = 0;
  std::vector<std::int32_t> ids;
  for (auto _ : state) {
    for (const auto& d : docs) {
      ids.clear();
      tok.encode_into(d, ids);
      bytes += d.size();
      tokens += ids.size();
    }
    benchmark::DoNotOptimize(ids.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
  state.counters["tokens/s"] = benchmark::Counter(static_cast<double>(tokens), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_TokenizerEncode)->Unit(benchmark::kMillisecond)->MinTime(2.0);

void BM_TokenizerDecode(benchmark::State& state) {
  const auto& tok = tokenizer();
  std::vector<std::vector<std::int32_t>> encoded;
  std::size_t bytes = 0;
  for (const auto& d : corpus()) encoded.push_back(tok.encode(d));
  for (auto _ : state) {
    for (const auto& ids : encoded) {
      const auto text = tok.decode(ids);
      bytes += text.size();
      benchmark::DoNotOptimize(text.data());
    }
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}
BENCHMARK(BM_TokenizerDecode)->Unit(benchmark::kMillisecond);

void BM_TokenizerLoad(benchmark::State& state) {
  for (auto _ : state) {
    auto tok = vsr::text::Tokenizer::from_dir(std::string(VSR_TEST_DATA_DIR) + "/qwen2vl-tiny/tokenizer");
    benchmark::DoNotOptimize(&tok);
  }
}
BENCHMARK(BM_TokenizerLoad)->Unit(benchmark::kMillisecond);

}  // namespace
