// manifest.json of training checkpoints (io/checkpoint_manifest.hpp): hashes against known SHA-256 values, a
// round trip, each kind of damage named, malformed manifests rejected naming the field, and the resume-relevant
// configuration with its differences.
#include "vsr/core/error.hpp"
#include "vsr/core/run_dir.hpp"
#include "vsr/io/checkpoint_manifest.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "test_support.hpp"

namespace vsr {
namespace {

namespace fs = std::filesystem;

void write(const fs::path& p, const std::string& text) { std::ofstream(p, std::ios::binary) << text; }

std::string error_of(const std::string& text) {
  try {
    io::CheckpointManifest::from_json(text, "m.json");
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

TEST(CheckpointManifest, HashesFilesAsSha256) {
  const auto dir = test::temp_dir("manifest_hash");
  write(dir / "abc", "abc");
  write(dir / "empty", "");
  // FIPS 180-4 examples.
  EXPECT_EQ(io::sha256_file(dir / "abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(io::sha256_file(dir / "empty"), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_THROW(io::sha256_file(dir / "missing"), Error);
}

TEST(CheckpointManifest, RoundTripsAndNamesEachKindOfDamage) {
  const auto dir = test::temp_dir("manifest_damage");
  fs::create_directories(dir / "sub");
  write(dir / "abc", "abc");
  write(dir / "sub" / "state.json", "{\"step\": 3}");
  const std::string config(64, 'a');
  const auto m = io::describe_folder(dir, 3, config);
  ASSERT_EQ(m.files.size(), 2u);
  EXPECT_EQ(m.files[0].path, "abc");
  EXPECT_EQ(m.files[0].bytes, 3u);
  EXPECT_EQ(m.files[1].path, "sub/state.json");
  io::write_manifest(dir, m);
  const auto back = io::read_manifest(dir);
  EXPECT_EQ(back.to_json(), m.to_json());
  EXPECT_EQ(back.step, 3);
  EXPECT_EQ(io::verify_folder(dir), std::nullopt);
  // Extra files (a later tool's output) are not damage; changed, truncated or missing listed files are.
  write(dir / "extra", "x");
  EXPECT_EQ(io::verify_folder(dir), std::nullopt);
  write(dir / "abc", "abd");
  EXPECT_EQ(io::verify_folder(dir), "abc: SHA-256 differs from the manifest");
  write(dir / "abc", "ab");
  EXPECT_EQ(io::verify_folder(dir), "abc: 2 bytes, the manifest says 3");
  fs::remove(dir / "abc");
  EXPECT_EQ(io::verify_folder(dir), "abc: missing");
  write(dir / "manifest.json", "{\"format\": \"vsr-checkpoint-manifest\"");
  EXPECT_NE(io::verify_folder(dir)->find("manifest.json"), std::string::npos);
  fs::remove(dir / "manifest.json");
  EXPECT_EQ(io::verify_folder(dir), "manifest.json: no such file");
}

TEST(CheckpointManifest, MalformedManifestsNameTheField) {
  const std::string hash(64, '0');
  const auto with = [&](const std::string& files, const std::string& step = "1") {
    return "{\"format\": \"vsr-checkpoint-manifest\", \"version\": 1, \"step\": " + step + ", \"config_sha256\": \"" +
           hash + "\", \"files\": " + files + "}";
  };
  const std::string good = "{\"path\": \"a\", \"bytes\": 1, \"sha256\": \"" + hash + "\"}";
  EXPECT_EQ(error_of(with("[" + good + "]")), "no error");
  EXPECT_NE(error_of("[]").find("expected a JSON object"), std::string::npos);
  EXPECT_NE(error_of("{\"format\": \"other\"}").find("format"), std::string::npos);
  EXPECT_NE(error_of(with("[]", "-1")).find("step"), std::string::npos);
  EXPECT_NE(error_of(with("{}")).find("files"), std::string::npos);
  EXPECT_NE(error_of(with("[" + good + ", " + good + "]")).find("names \"a\" twice"), std::string::npos);
  EXPECT_NE(error_of(with("[{\"path\": \"../x\", \"bytes\": 1, \"sha256\": \"" + hash + "\"}]")).find("files[0].path"),
            std::string::npos);
  EXPECT_NE(error_of(with("[{\"path\": \"/etc/x\", \"bytes\": 1, \"sha256\": \"" + hash + "\"}]")).find("files[0].path"),
            std::string::npos);
  EXPECT_NE(error_of(with("[{\"path\": \"a\", \"bytes\": -1, \"sha256\": \"" + hash + "\"}]")).find("files[0].bytes"),
            std::string::npos);
  EXPECT_NE(error_of(with("[{\"path\": \"a\", \"bytes\": 1, \"sha256\": \"ABC\"}]")).find("files[0].sha256"),
            std::string::npos);
}

TEST(CheckpointManifest, ResumeConfigDropsWhatAResumeMayChange) {
  const std::string ini =
      "# resolved configuration\nmodel = /m\nout = /runs/a\nresume = true\ntrain = q.jsonl\n\n[eval]\nlimit = 3\n\n"
      "[runtime]\nseed = 1\nthreads = 2\n\n[train]\ncheckpoint_every = 50\nlr = 0.001\nschedule = constant\n"
      "steps = 100\n";
  // Paths (model, records, output) go: the trainer fingerprints their contents instead.
  EXPECT_EQ(io::resume_config(ini), "\n[runtime]\nseed = 1\n\n[train]\nlr = 0.001\nschedule = constant\n");
  EXPECT_EQ(io::resume_config("top = 1\n[a]\nx = 2\n"), "top = 1\n\n[a]\nx = 2\n");
  // Under a decaying schedule the step count shapes the learning rate: it stays.
  std::string cosine = ini;
  cosine.replace(cosine.find("constant"), 8, "cosine");
  EXPECT_NE(io::resume_config(cosine).find("steps = 100"), std::string::npos);
  EXPECT_EQ(io::config_differences(io::resume_config(ini), io::resume_config(cosine)),
            (std::vector<std::string>{"train.schedule: constant -> cosine", "train.steps: (absent) -> 100"}));
  EXPECT_TRUE(io::config_differences(ini, ini).empty());
  // fuzz_checkpoint_manifest's findings: a top-level "grpo. m" was written as " m" under [grpo] and read back as
  // "grpo.m"; a section name with control characters and a dot moved too. Only Config's names count as keys now.
  std::string odd = "grpo. m=/ \nsec .k = 1\n.x = 2\ngrpo. = /m\n[]\nlimit = /\n[a?.\r\ttrain]\nlr = 1\n[a.]\nb = 3\n";
  odd[odd.find('?')] = '\0';
  EXPECT_EQ(io::resume_config(io::resume_config(odd)), io::resume_config(odd));
}

}  // namespace
}  // namespace vsr
