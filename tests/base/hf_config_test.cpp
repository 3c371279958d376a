// Tests of the Qwen2-VL config.json reader: the golden tiny config (and transformers' own resolved view of it), the
// transformers 4.45.1 defaults for omitted keys, a hub-style 2B config, to_json round trips, and errors that name
// the file and the key.
#include "test_support.hpp"
#include "vsr/core/error.hpp"
#include "vsr/core/run_dir.hpp"
#include "vsr/io/hf_config.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <functional>

using vsr::io::Qwen2VLConfig;

namespace {

std::filesystem::path tiny_config() { return vsr::test::data_dir() / "qwen2vl-tiny/model/config.json"; }

nlohmann::json tiny_json() { return nlohmann::json::parse(vsr::read_file(tiny_config())); }

/// from_json on the tiny config edited by `edit` must fail naming "cfg.json", `field`, and containing `needle`.
void expect_error(const std::function<void(nlohmann::json&)>& edit, const std::string& field, const std::string& needle) {
  auto j = tiny_json();
  edit(j);
  try {
    Qwen2VLConfig::from_json(j.dump(), "cfg.json");
    ADD_FAILURE() << "accepted; expected an error on " << field;
  } catch (const vsr::Error& e) {
    EXPECT_EQ(e.file(), "cfg.json");
    EXPECT_EQ(e.field(), field) << e.what();
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
}

}  // namespace

TEST(HfConfig, ReadsGoldenTinyConfig) {
  const auto c = Qwen2VLConfig::from_file(tiny_config());
  EXPECT_EQ(c.vocab_size, 151936);
  EXPECT_EQ(c.hidden_size, 32);
  EXPECT_EQ(c.num_hidden_layers, 2);
  EXPECT_EQ(c.num_attention_heads, 4);
  EXPECT_EQ(c.num_key_value_heads, 2);
  EXPECT_EQ(c.intermediate_size, 128);
  EXPECT_EQ(c.head_dim(), 8);
  EXPECT_EQ(c.kv_groups(), 2);
  EXPECT_DOUBLE_EQ(c.rms_norm_eps, 1e-6);
  EXPECT_DOUBLE_EQ(c.rope_theta, 100.0);
  EXPECT_EQ(c.mrope_section, (std::vector<std::int64_t>{1, 1, 2}));
  EXPECT_EQ(c.rope_type, "default");
  EXPECT_TRUE(c.tie_word_embeddings);
  EXPECT_EQ(c.bos_token_id, 151643);
  EXPECT_EQ(c.eos_token_ids, (std::vector<std::int64_t>{151645}));
  EXPECT_EQ(c.image_token_id, 151655);
  EXPECT_EQ(c.video_token_id, 151656);
  EXPECT_EQ(c.vision_start_token_id, 151652);
  EXPECT_EQ(c.vision_end_token_id, 151653);
  EXPECT_EQ(c.vision_token_id, 151654);
  EXPECT_EQ(c.hidden_act, "silu");
  EXPECT_EQ(c.torch_dtype, "float32");
  const auto& v = c.vision_config;
  EXPECT_EQ(v.depth, 2);
  EXPECT_EQ(v.embed_dim, 32);
  EXPECT_EQ(v.num_heads, 4);
  EXPECT_DOUBLE_EQ(v.mlp_ratio, 2.0);
  EXPECT_EQ(v.mlp_hidden_dim(), 64);
  EXPECT_EQ(v.patch_size, 14);
  EXPECT_EQ(v.in_channels, 3);
  EXPECT_EQ(v.hidden_size, 32);
  EXPECT_EQ(v.head_dim(), 8);
  // Omitted in the file, so transformers' defaults:
  EXPECT_EQ(v.hidden_act, "quick_gelu");
  EXPECT_EQ(v.spatial_merge_size, 2);
  EXPECT_EQ(v.temporal_patch_size, 2);
}

TEST(HfConfig, AgreesWithTransformersResolvedConfig) {
  // manifest.json holds transformers 4.45.1's to_dict() of the loaded config, defaults filled in by Python.
  const auto manifest = nlohmann::json::parse(vsr::read_file(vsr::test::data_dir() / "qwen2vl-tiny/manifest.json"));
  const auto& r = manifest["resolved_config"];
  const auto c = Qwen2VLConfig::from_file(tiny_config());
  EXPECT_EQ(c.vocab_size, r["vocab_size"]);
  EXPECT_EQ(c.max_position_embeddings, r["max_position_embeddings"]);
  EXPECT_EQ(c.max_window_layers, r["max_window_layers"]);
  EXPECT_EQ(*c.sliding_window, r["sliding_window"]);
  EXPECT_EQ(c.use_sliding_window, r["use_sliding_window"]);
  EXPECT_EQ(c.initializer_range, r["initializer_range"]);
  EXPECT_EQ(c.attention_dropout, r["attention_dropout"]);
  EXPECT_EQ(c.hidden_act, r["hidden_act"]);
  EXPECT_EQ(c.rope_type, r["rope_scaling"]["rope_type"]);
  const auto& rv = r["vision_config"];
  for (const char* key : {"depth", "embed_dim", "hidden_size", "num_heads", "in_channels", "patch_size",
                          "spatial_merge_size", "temporal_patch_size"}) {
    const auto ours = nlohmann::json::parse(c.to_json())["vision_config"][key];
    EXPECT_EQ(ours, rv[key]) << key;
  }
  EXPECT_EQ(c.vision_config.hidden_act, rv["hidden_act"]);
  EXPECT_EQ(c.vision_config.mlp_ratio, rv["mlp_ratio"]);
}

TEST(HfConfig, OmittedKeysTakeTransformers4451Defaults) {
  const auto c = Qwen2VLConfig::from_json(R"({"model_type": "qwen2_vl", "hidden_size": 3584, "num_attention_heads": 28,
      "num_key_value_heads": 4, "rope_scaling": {"type": "mrope", "mrope_section": [16, 24, 24]}})",
                                          "min.json");
  EXPECT_EQ(c.vocab_size, 152064);
  EXPECT_EQ(c.intermediate_size, 29568);
  EXPECT_EQ(c.num_hidden_layers, 80);
  EXPECT_EQ(c.max_position_embeddings, 32768);
  EXPECT_DOUBLE_EQ(c.rms_norm_eps, 1e-5);
  EXPECT_DOUBLE_EQ(c.rope_theta, 1e6);
  EXPECT_FALSE(c.tie_word_embeddings);
  EXPECT_EQ(c.hidden_act, "silu");
  EXPECT_EQ(c.sliding_window, 4096);
  EXPECT_EQ(c.max_window_layers, 80);
  EXPECT_EQ(c.rope_type, "default");  // "mrope" is read as default RoPE applied per section
  EXPECT_FALSE(c.bos_token_id.has_value());
  EXPECT_TRUE(c.eos_token_ids.empty());
  EXPECT_EQ(c.image_token_id, 151655);
  const auto& v = c.vision_config;
  EXPECT_EQ(v.depth, 32);
  EXPECT_EQ(v.embed_dim, 1280);
  EXPECT_EQ(v.hidden_size, 3584);
  EXPECT_EQ(v.num_heads, 16);
  EXPECT_DOUBLE_EQ(v.mlp_ratio, 4);
  EXPECT_EQ(v.mlp_hidden_dim(), 5120);
  EXPECT_EQ(v.in_channels, 3);
  EXPECT_EQ(v.patch_size, 14);
  EXPECT_EQ(v.spatial_merge_size, 2);
  EXPECT_EQ(v.temporal_patch_size, 2);
  EXPECT_EQ(v.hidden_act, "quick_gelu");
  // null num_key_value_heads means "as many as the query heads" (transformers' backward compatibility).
  const auto mha = Qwen2VLConfig::from_json(R"({"model_type": "qwen2_vl", "hidden_size": 3584, "num_attention_heads": 28,
      "num_key_value_heads": null, "rope_scaling": {"rope_type": "default", "mrope_section": [16, 24, 24]}})",
                                            "mha.json");
  EXPECT_EQ(mha.num_key_value_heads, 28);
}

TEST(HfConfig, ReadsHubStyle2BConfig) {
  // Qwen2-VL-2B-Instruct's layout: "type": "mrope", in_chans/spatial_patch_size, eos as an int.
  const auto c = Qwen2VLConfig::from_json(R"({
    "architectures": ["Qwen2VLForConditionalGeneration"], "attention_dropout": 0.0, "bos_token_id": 151643,
    "eos_token_id": 151645, "vision_start_token_id": 151652, "vision_end_token_id": 151653, "vision_token_id": 151654,
    "image_token_id": 151655, "video_token_id": 151656, "hidden_act": "silu", "hidden_size": 1536,
    "initializer_range": 0.02, "intermediate_size": 8960, "max_position_embeddings": 32768, "max_window_layers": 28,
    "model_type": "qwen2_vl", "num_attention_heads": 12, "num_hidden_layers": 28, "num_key_value_heads": 2,
    "rms_norm_eps": 1e-06, "rope_theta": 1000000.0, "sliding_window": 32768, "tie_word_embeddings": true,
    "torch_dtype": "bfloat16", "transformers_version": "4.41.2", "use_cache": true, "use_sliding_window": false,
    "vision_config": {"depth": 32, "embed_dim": 1280, "mlp_ratio": 4, "num_heads": 16, "in_chans": 3,
      "hidden_size": 1536, "patch_size": 14, "spatial_merge_size": 2, "spatial_patch_size": 14, "temporal_patch_size": 2},
    "rope_scaling": {"type": "mrope", "mrope_section": [16, 24, 24]}, "vocab_size": 151936})",
                                          "Qwen2-VL-2B-Instruct/config.json");
  EXPECT_EQ(c.head_dim(), 128);
  EXPECT_EQ(c.kv_groups(), 6);
  EXPECT_EQ(c.vision_config.head_dim(), 80);
  EXPECT_EQ(c.torch_dtype, "bfloat16");
  EXPECT_EQ(c.eos_token_ids, (std::vector<std::int64_t>{151645}));
}

TEST(HfConfig, ToJsonRoundTrips) {
  auto c = Qwen2VLConfig::from_file(tiny_config());
  c.eos_token_ids = {151645, 151643};
  c.vision_config.mlp_ratio = 2.5;
  c.sliding_window.reset();
  const std::string text = c.to_json();
  const auto back = Qwen2VLConfig::from_json(text, "written.json");
  EXPECT_EQ(back.to_json(), text);
  EXPECT_EQ(back.eos_token_ids, c.eos_token_ids);
  EXPECT_DOUBLE_EQ(back.vision_config.mlp_ratio, 2.5);
  EXPECT_FALSE(back.sliding_window.has_value());
  EXPECT_DOUBLE_EQ(back.rms_norm_eps, 1e-6);
  const auto j = nlohmann::json::parse(text);
  EXPECT_EQ(j["vision_config"]["in_chans"], 3);
  EXPECT_EQ(j["vision_config"]["in_channels"], 3);
  EXPECT_EQ(j["vision_config"]["spatial_patch_size"], 14);
  EXPECT_EQ(j["rope_scaling"]["type"], "default");
  EXPECT_EQ(j["rope_scaling"]["mrope_section"], nlohmann::json({1, 1, 2}));
  EXPECT_EQ(j["eos_token_id"], nlohmann::json({151645, 151643}));
  EXPECT_EQ(j["model_type"], "qwen2_vl");
  // The golden config itself survives read -> write -> read with every value intact.
  const auto tiny = Qwen2VLConfig::from_file(tiny_config());
  EXPECT_EQ(Qwen2VLConfig::from_json(tiny.to_json(), "x").to_json(), tiny.to_json());
}

TEST(HfConfig, NestedTextConfigIsRead) {
  auto j = tiny_json();
  nlohmann::json text;
  for (const char* key : {"hidden_size", "num_attention_heads", "num_key_value_heads", "rope_scaling", "vocab_size"}) {
    text[key] = j[key];
    j.erase(key);
  }
  j["text_config"] = text;
  const auto c = Qwen2VLConfig::from_json(j.dump(), "nested.json");
  EXPECT_EQ(c.hidden_size, 32);
  EXPECT_EQ(c.mrope_section, (std::vector<std::int64_t>{1, 1, 2}));
}

TEST(HfConfig, ErrorsNameFileAndKey) {
  using J = nlohmann::json;
  expect_error([](J& j) { j["model_type"] = "qwen2"; }, "model_type", "expected \"qwen2_vl\"");
  expect_error([](J& j) { j.erase("model_type"); }, "model_type", "missing");
  expect_error([](J& j) { j["vision_config"]["depth"] = -1; }, "vision_config.depth", "positive integer, got -1");
  expect_error([](J& j) { j["vision_config"]["depth"] = "2"; }, "vision_config.depth", "expected an integer, got a string");
  expect_error([](J& j) { j["vision_config"]["mlp_ratio"] = "2"; }, "vision_config.mlp_ratio", "expected a number");
  expect_error([](J& j) { j["vision_config"]["num_heads"] = 3; }, "vision_config.num_heads", "do not divide embed_dim 32");
  expect_error([](J& j) { j["vision_config"]["num_heads"] = 16; }, "vision_config.num_heads", "multiple of 4");
  expect_error([](J& j) { j["vision_config"]["in_channels"] = 4; }, "vision_config.in_chans", "disagrees");
  expect_error([](J& j) { j["vision_config"]["hidden_size"] = 64; }, "vision_config.hidden_size", "must equal the text hidden_size 32");
  expect_error([](J& j) { j["vision_config"] = 5; }, "vision_config", "expected an object");
  expect_error([](J& j) { j["hidden_size"] = 0; }, "hidden_size", "positive integer, got 0");
  expect_error([](J& j) { j["hidden_size"] = 32.0; }, "hidden_size", "expected an integer, got a number");
  expect_error([](J& j) { j["num_attention_heads"] = 5; }, "num_attention_heads", "do not divide hidden_size 32");
  expect_error([](J& j) { j["num_key_value_heads"] = 3; }, "num_key_value_heads", "do not divide num_attention_heads 4");
  expect_error([](J& j) { j["intermediate_size"] = -128; }, "intermediate_size", "positive");
  expect_error([](J& j) { j["rope_scaling"]["mrope_section"] = {1, 1, 1}; }, "rope_scaling.mrope_section",
               "sums to 3 but must sum to head_dim/2 = 4");
  expect_error([](J& j) { j["rope_scaling"]["mrope_section"] = {2, 2}; }, "rope_scaling.mrope_section", "expected 3 sizes");
  expect_error([](J& j) { j["rope_scaling"].erase("mrope_section"); }, "rope_scaling.mrope_section", "missing");
  expect_error([](J& j) { j.erase("rope_scaling"); }, "rope_scaling", "missing");
  expect_error([](J& j) { j["rope_scaling"]["type"] = "linear"; }, "rope_scaling.type", "not supported");
  expect_error([](J& j) { j["tie_word_embeddings"] = "yes"; }, "tie_word_embeddings", "expected true or false");
  expect_error([](J& j) { j["rms_norm_eps"] = -1e-6; }, "rms_norm_eps", "positive number");
  expect_error([](J& j) { j["rope_theta"] = "100"; }, "rope_theta", "expected a number");
  expect_error([](J& j) { j["eos_token_id"] = "</s>"; }, "eos_token_id", "expected an integer");
  expect_error([](J& j) { j["eos_token_id"] = {151645, 200000}; }, "eos_token_id", "outside the vocabulary");
  expect_error([](J& j) { j["image_token_id"] = 151936; }, "image_token_id", "outside the vocabulary [0, 151936)");
  expect_error([](J& j) { j["vocab_size"] = 1000; }, "image_token_id", "outside the vocabulary");
}

TEST(HfConfig, SyntaxErrorsAndMissingFile) {
  try {
    Qwen2VLConfig::from_json(R"({"model_type": "qwen2_vl", "hidden_size": 32, "hidden_size": 64})", "dup.json");
    FAIL();
  } catch (const vsr::Error& e) {
    EXPECT_NE(std::string(e.what()).find("dup.json: duplicate key \"hidden_size\""), std::string::npos) << e.what();
  }
  try {
    Qwen2VLConfig::from_json("{\"model_type\": ", "bad.json");
    FAIL();
  } catch (const vsr::Error& e) {
    EXPECT_NE(std::string(e.what()).find("bad.json: not valid JSON"), std::string::npos) << e.what();
  }
  EXPECT_THROW(Qwen2VLConfig::from_json("[1]", "arr.json"), vsr::Error);
  try {
    Qwen2VLConfig::from_file("/nonexistent/config.json");
    FAIL();
  } catch (const vsr::Error& e) {
    EXPECT_EQ(e.file(), "/nonexistent/config.json");
  }
}
