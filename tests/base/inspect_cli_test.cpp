// Tests of `vsr inspect`: the golden checkpoint folder is listed with its config; a corrupt file is one error line.
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <fstream>

TEST(InspectCli, ListsGoldenCheckpointAndConfig) {
  const auto dir = vsr::test::data_dir() / "qwen2vl-tiny/model";
  const auto r = vsr::test::run_cli("inspect '" + dir.string() + "'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("57 tensors, 4968384 parameters"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("(BF16 x57)"), std::string::npos);
  EXPECT_NE(r.out.find("metadata model.safetensors: format = pt"), std::string::npos);
  EXPECT_NE(r.out.find("visual.blocks.0.attn.qkv.weight"), std::string::npos);
  EXPECT_NE(r.out.find("BF16  [96, 32]"), std::string::npos);
  EXPECT_NE(r.out.find("mrope_section [1, 1, 2]"), std::string::npos);
  EXPECT_NE(r.out.find("depth 2, embed_dim 32, 4 heads"), std::string::npos);

  const auto filtered = vsr::test::run_cli("inspect --filter=merger '" + dir.string() + "'");
  ASSERT_EQ(filtered.exit_code, 0) << filtered.err;
  EXPECT_NE(filtered.out.find("visual.merger.mlp.0.weight"), std::string::npos);
  EXPECT_EQ(filtered.out.find("visual.blocks.0.attn.qkv.weight"), std::string::npos);
}

TEST(InspectCli, CorruptFileIsOneErrorLine) {
  const auto dir = vsr::test::temp_dir("inspect_cli");
  std::ofstream(dir / "bad.safetensors", std::ios::binary) << "abc";
  const auto r = vsr::test::run_cli("inspect '" + (dir / "bad.safetensors").string() + "'");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("bad.safetensors: file is 3 bytes, shorter than the 8-byte header length"), std::string::npos) << r.err;
  EXPECT_EQ(vsr::test::run_cli("inspect").exit_code, 2);
}
