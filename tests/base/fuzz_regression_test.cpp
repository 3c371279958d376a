// Inputs that the fuzz targets of fuzz/ found to break a parser (docs/hardening.md), fed with their exact bytes: each
// must now fail with a vsr::Error naming the input, not another exception or a crash. Plus the same defect at the
// other JSON entry points that shared it.
#include "test_support.hpp"
#include "vsr/core/error.hpp"
#include "vsr/data/ply.hpp"
#include "vsr/eval/vsibench.hpp"
#include "vsr/io/hf_config.hpp"
#include "vsr/text/chat_template.hpp"
#include "vsr/text/tokenizer.hpp"
#include "vsr/video/reader.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <string>

namespace {

/// Runs `f`, expecting a vsr::Error whose message holds every one of `parts`.
template <typename F>
void expect_vsr_error(F&& f, std::initializer_list<std::string> parts) {
  try {
    f();
    ADD_FAILURE() << "no error";
  } catch (const vsr::Error& e) {
    for (const auto& p : parts) EXPECT_NE(std::string(e.what()).find(p), std::string::npos) << e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "not a vsr::Error: " << e.what();
  }
}

void write(const std::filesystem::path& p, const std::string& bytes) { std::ofstream(p, std::ios::binary) << bytes; }

}  // namespace

// fuzz_hf_config crash-a02f43eec6d7436262fec198d931eee87dedecdf: nlohmann::json throws out_of_range (406) for a
// number beyond double's range, which escaped the strict JSON reader as a non-vsr exception.
TEST(FuzzRegression, HfConfigNumberOverflowIsVsrError) {
  const std::string bytes = R"({
  "architectures": [
    "Qdwen2VLForConditionalG%neration"
  ],
  "attention_dropout": 0.0,
  "bos_token_id": 151643,
  "eon_end_token_id": 151653,
  "vision_start_token_id": 151652,
  "vision_token_id": 151653,
  "vocab_size": 1e51936
}
)";
  ASSERT_EQ(bytes.size(), 241u);
  expect_vsr_error([&] { vsr::io::Qwen2VLConfig::from_json(bytes, "fuzz/config.json"); },
                   {"fuzz/config.json", "not valid JSON", "number overflow parsing '1e51936'"});
}

// fuzz_chat_messages crash-e46d31ddf1ad39601b041645c678e3eff32a3235: the same out_of_range (406) from
// parse_chat_messages.
TEST(FuzzRegression, ChatMessagesNumberOverflowIsVsrError) {
  const std::string bytes("[{\"roZe\":550000083e55555575555e\0" "555[", 36);
  expect_vsr_error([&] { vsr::text::parse_chat_messages(bytes, "fuzz/messages.json"); },
                   {"fuzz/messages.json", "not valid JSON", "number overflow"});
}

// The same defect in the other JSON readers that caught only parse_error: VSI-Bench records (JSON lines and JSON
// arrays) and tokenizer files.
TEST(FuzzRegression, NumberOverflowInRecordsAndTokenizerFilesIsVsrError) {
  const auto dir = vsr::test::temp_dir("fuzz_regression");
  write(dir / "lines.jsonl", "{\"id\": 1e999}\n");
  expect_vsr_error([&] { vsr::eval::load_vsi_records(dir / "lines.jsonl"); }, {"lines.jsonl", "line 1", "invalid JSON"});
  write(dir / "array.json", "[{\"id\": -1e400}]");
  expect_vsr_error([&] { vsr::eval::load_vsi_records(dir / "array.json"); }, {"array.json", "invalid JSON"});
  const auto tok = dir / "tokenizer";
  std::filesystem::create_directories(tok);
  write(tok / "tokenizer.json", "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 1e999}, \"merges\": []}}");
  expect_vsr_error([&] { vsr::text::Tokenizer::from_dir(tok); }, {"tokenizer.json", "not valid JSON"});
}

// A PLY vertex whose float colour does not fit an unsigned char (fuzz_ply, UBSan "300 is outside the range of
// representable values of type 'unsigned char'"): refused; likewise a double coordinate beyond float's range.
TEST(FuzzRegression, PlyColourOrCoordinateOutOfRangeIsVsrError) {
  const std::string header =
      "ply\nformat binary_little_endian 1.0\nelement vertex 1\nproperty double x\nproperty double y\n"
      "property double z\nproperty float red\nproperty float green\nproperty float blue\nend_header\n";
  const auto vertex = [&](double x, float red) {
    const double xyz[3] = {x, 0, 0};
    const float rgb[3] = {red, 0, 0};
    std::string bytes = header + std::string(36, '\0');
    std::memcpy(bytes.data() + header.size(), xyz, 24);
    std::memcpy(bytes.data() + header.size() + 24, rgb, 12);
    return bytes;
  };
  expect_vsr_error([&] { vsr::data::parse_ply(vertex(1.0, 300.0f), "fuzz.ply"); },
                   {"fuzz.ply", "vertex 0 red", "colour must be in [0, 255]"});
  expect_vsr_error([&] { vsr::data::parse_ply(vertex(1.0, std::nanf("")), "fuzz.ply"); }, {"colour must be in [0, 255]"});
  expect_vsr_error([&] { vsr::data::parse_ply(vertex(1e300, 0.0f), "fuzz.ply"); },
                   {"fuzz.ply", "vertex 0", "coordinates must be finite 32-bit floats"});
  const auto mesh = vsr::data::parse_ply(vertex(-2.5, 255.0f), "fuzz.ply");  // the edges of the ranges are fine
  ASSERT_EQ(mesh.vertices.size(), 1u);
  EXPECT_EQ(mesh.vertices[0][0], -2.5f);
  EXPECT_EQ(mesh.colors[0][0], 255);
}

// An element without properties but with a count of 10^18 holds no bytes: it is skipped, not iterated.
TEST(FuzzRegression, PlyEmptyElementWithHugeCountIsSkipped) {
  const std::string bytes =
      "ply\nformat binary_little_endian 1.0\nelement nothing 999999999999999999\nelement vertex 1\n"
      "property float x\nproperty float y\nproperty float z\nend_header\n" + std::string(12, '\0');
  const auto mesh = vsr::data::parse_ply(bytes, "fuzz.ply");
  EXPECT_EQ(mesh.vertices.size(), 1u);
}

// fuzz_video oom-ee7c4bdf9093abfa9573064d4dcae9774d2d1bb3 (kept as tests/bad_inputs/video/fuzz_oom_sample_table.mp4):
// a 2368-byte MP4 whose sample table made FFmpeg's mov demuxer realloc 1.1 GB inside avformat_open_input. FFmpeg's
// allocations are now capped (av_max_alloc, 512 MB), so opening it fails at once with a vsr::Error.
TEST(FuzzRegression, VideoSampleTableClaimingGigabytesIsVsrError) {
  const auto file = std::filesystem::path(VSR_SOURCE_DIR) / "tests/bad_inputs/video/fuzz_oom_sample_table.mp4";
  ASSERT_EQ(std::filesystem::file_size(file), 2368u);
  expect_vsr_error([&] { vsr::video::VideoReader reader(file); },
                   {"fuzz_oom_sample_table.mp4", "not a readable video or truncated", "Cannot allocate memory"});
}
