// The bad-input catalogue (tests/bad_inputs/manifest.json, docs/hardening.md): every malformed file is given to the
// `vsr` program with the command line of its manifest entry, which must fail with the expected exit code (2 for a
// vsr::Error), exactly one stderr line naming the file and the problem, no crash (exit < 128), no output file left
// behind, and, for files that claim huge sizes, without allocating them (run under `ulimit -v`).
#include "test_support.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

namespace {

namespace fs = std::filesystem;

fs::path catalogue_dir() { return fs::path(VSR_SOURCE_DIR) / "tests" / "bad_inputs"; }

nlohmann::json manifest() {
  std::ifstream in(catalogue_dir() / "manifest.json");
  std::stringstream ss;
  ss << in.rdbuf();
  return nlohmann::json::parse(ss.str());
}

/// Replaces every `{name}` in `text` by `value`.
std::string substitute(std::string text, const std::string& name, const std::string& value) {
  const std::string key = "{" + name + "}";
  for (auto pos = text.find(key); pos != std::string::npos; pos = text.find(key, pos + value.size()))
    text.replace(pos, key.size(), value);
  return text;
}

std::string quoted(const fs::path& p) { return "'" + p.string() + "'"; }

}  // namespace

TEST(BadInputs, ManifestCoversTheCatalogue) {
  const auto m = manifest();
  ASSERT_GE(m["cases"].size(), 30u);
  std::set<std::string> listed, formats;
  for (const auto& c : m["cases"]) {
    const std::string file = c["file"];
    EXPECT_TRUE(listed.insert(file).second) << "listed twice: " << file;
    EXPECT_TRUE(fs::exists(catalogue_dir() / file)) << file;
    formats.insert(c["format"].get<std::string>());
  }
  for (const char* f : {"safetensors", "config.json", "tokenizer", "ply", "segs", "aggregation", "scene txt",
                        "vsibench records", "ini", "video"})
    EXPECT_TRUE(formats.count(f)) << "no case of format " << f;
}

TEST(BadInputs, EveryFileFailsCleanlyWithOneLine) {
  const auto m = manifest();
  const long default_limit_kb = m["address_space_kb"].get<long>();
  for (const auto& c : m["cases"]) {
    const std::string file = c["file"];
    SCOPED_TRACE(file);
    const fs::path path = catalogue_dir() / file;
    const fs::path out = vsr::test::temp_dir("bad_inputs_out");
    std::string args = substitute(c["command"].get<std::string>(), "file", quoted(path));
    args = substitute(args, "out", quoted(out));
    args = substitute(args, "dir", quoted(catalogue_dir()));
    const long limit = c.value("resource_limit", false) ? default_limit_kb : 0;
    const auto r = vsr::test::run_cli(args, c.value("stdin", std::string()), limit);
    EXPECT_EQ(r.exit_code, c["exit_code"].get<int>()) << "vsr " << args << "\nstderr: " << r.err;
    EXPECT_LT(r.exit_code, 128) << "killed by a signal";
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << "stderr: " << r.err;
    EXPECT_TRUE(!r.err.empty() && r.err.back() == '\n') << "stderr: " << r.err;
    // The line names the file at fault (the catalogue entry itself, or the file inside a catalogue folder).
    const std::string names = c.value("names", fs::path(file).filename().string());
    EXPECT_NE(r.err.find(names), std::string::npos) << "stderr does not name " << names << ": " << r.err;
    for (const auto& want : c["stderr"])
      EXPECT_NE(r.err.find(want.get<std::string>()), std::string::npos) << "missing " << want << " in: " << r.err;
    if (c.contains("output")) {
      const fs::path written = out / c["output"].get<std::string>();
      EXPECT_FALSE(fs::exists(written)) << "output left behind: " << written;
    }
    fs::remove_all(out);
  }
}

TEST(BadInputs, AddressSpaceLimitLetsAGoodRunThrough) {
  // The limit used for the resource cases is loose enough for the program itself: a valid file passes under it, so a
  // failure under the limit comes from the bad file, not from the cap.
  const auto m = manifest();
  const auto good = vsr::test::data_dir() / "qwen2vl-tiny/model";
  const auto r = vsr::test::run_cli("inspect --no-tensors " + quoted(good), {}, m["address_space_kb"].get<long>());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("57 tensors"), std::string::npos) << r.out;
}
