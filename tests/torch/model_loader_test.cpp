// Loading Qwen2-VL checkpoints: names, shapes, dtypes, and the errors for missing / unexpected / misshaped weights
// (each naming the tensor and the file).
#include "model_support.hpp"

#include "vsr/core/error.hpp"

#include <fmt/format.h>

#include <fstream>

using vsr::test::tiny_dir;
using vsr::test::tiny_model;

namespace {

// Writes `tensors` as float32 safetensors.
void write_safetensors(const std::filesystem::path& path, const std::map<std::string, at::Tensor>& tensors) {
  std::vector<std::pair<std::string, at::Tensor>> list;
  for (const auto& [name, t] : tensors) list.emplace_back(name, t.to(at::kFloat));
  vsr::save_safetensors(path, list);
}

std::map<std::string, at::Tensor> tiny_weights() {
  return vsr::load_safetensors(tiny_dir() / "model");
}

template <class F>
vsr::Error expect_error(F&& f) {
  try {
    f();
  } catch (const vsr::Error& e) {
    return e;
  }
  ADD_FAILURE() << "no vsr::Error thrown";
  return vsr::Error("", "", "");
}

TEST(ModelLoader, LoadsEveryTensorByItsHuggingFaceName) {
  auto m = tiny_model();
  const auto params = m.named_parameters();
  EXPECT_EQ(params.size(), 57u);  // the checkpoint's 57 tensors; lm_head is tied
  const auto stored = tiny_weights();
  for (const auto& [name, t] : params) {
    ASSERT_TRUE(stored.count(name)) << name;
    EXPECT_EQ(t->scalar_type(), at::kFloat) << name;
    EXPECT_TRUE(at::equal(*t, stored.at(name).to(at::kFloat))) << name;  // BF16 -> float32 is exact
  }
  EXPECT_TRUE(m.text().lm_head_weight().is_same(m.text().embed_weight));
  EXPECT_EQ(m.named_linears().size(), 2u * 4 + 2 + 2u * 7);
  EXPECT_EQ(m.config().mrope_section, (std::vector<std::int64_t>{1, 1, 2}));
  EXPECT_EQ(m.config().vision_config.patch_size, 14);  // omitted in config.json: the 4.45.1 default
}

TEST(ModelLoader, MissingUnexpectedAndMisshapedTensorsAreNamed) {
  const auto& cfg = tiny_model().config();
  auto weights = tiny_weights();
  weights.erase("model.layers.1.mlp.up_proj.weight");
  auto e = expect_error([&] { vsr::model::Qwen2VL::from_tensors(cfg, weights, at::kFloat, at::kCPU, "ckpt"); });
  EXPECT_EQ(e.file(), "ckpt");
  EXPECT_NE(e.field().find("model.layers.1.mlp.up_proj.weight"), std::string::npos) << e.what();
  EXPECT_NE(e.problem().find("missing"), std::string::npos);

  weights = tiny_weights();
  weights["model.layers.0.self_attn.rotary_emb.inv_freq"] = at::zeros({4});
  e = expect_error([&] { vsr::model::Qwen2VL::from_tensors(cfg, weights, at::kFloat, at::kCPU, "ckpt"); });
  EXPECT_NE(e.field().find("rotary_emb.inv_freq"), std::string::npos) << e.what();
  EXPECT_NE(e.problem().find("unexpected"), std::string::npos);

  weights = tiny_weights();
  weights["visual.blocks.0.attn.qkv.weight"] = at::zeros({96, 31});
  e = expect_error([&] { vsr::model::Qwen2VL::from_tensors(cfg, weights, at::kFloat, at::kCPU, "ckpt"); });
  EXPECT_NE(e.field().find("visual.blocks.0.attn.qkv.weight"), std::string::npos);
  EXPECT_NE(e.problem().find("expected shape [96, 32], found [96, 31]"), std::string::npos) << e.what();

  // A tied checkpoint that also stores lm_head.weight loads (Hugging Face re-ties it).
  weights = tiny_weights();
  weights["lm_head.weight"] = at::zeros({cfg.vocab_size, cfg.hidden_size});
  const auto m = vsr::model::Qwen2VL::from_tensors(cfg, weights);
  EXPECT_TRUE(m.text().lm_head_weight().is_same(m.text().embed_weight));
  // Untied: lm_head.weight is required.
  auto untied = cfg;
  untied.tie_word_embeddings = false;
  e = expect_error([&] { vsr::model::Qwen2VL::from_tensors(untied, tiny_weights()); });
  EXPECT_NE(e.field().find("lm_head.weight"), std::string::npos);
}

TEST(ModelLoader, ErrorsNameTheCheckpointFile) {
  const auto dir = vsr::test::temp_dir("model_loader");
  std::filesystem::copy_file(tiny_dir() / "model" / "config.json", dir / "config.json");
  // Two shards + index; the misshaped tensor sits in the second shard, which the error must name.
  auto weights = tiny_weights();
  std::map<std::string, at::Tensor> first, second;
  nlohmann::json index;
  index["metadata"] = nlohmann::json::object();
  for (const auto& [name, t] : weights) {
    const bool late = name.rfind("model.", 0) == 0;
    (late ? second : first)[name] = t;
    index["weight_map"][name] = late ? "model-00002-of-00002.safetensors" : "model-00001-of-00002.safetensors";
  }
  second["model.norm.weight"] = at::zeros({33});
  write_safetensors(dir / "model-00001-of-00002.safetensors", first);
  write_safetensors(dir / "model-00002-of-00002.safetensors", second);
  std::ofstream(dir / "model.safetensors.index.json") << index.dump();
  auto e = expect_error([&] { vsr::model::Qwen2VL::from_pretrained(dir); });
  EXPECT_EQ(e.file(), (dir / "model-00002-of-00002.safetensors").string()) << e.what();
  EXPECT_NE(e.field().find("model.norm.weight"), std::string::npos);

  // Float32 shards load and compute exactly like the BF16 original (same values).
  second["model.norm.weight"] = weights.at("model.norm.weight");
  write_safetensors(dir / "model-00002-of-00002.safetensors", second);
  const auto m = vsr::model::Qwen2VL::from_pretrained(dir);
  const auto& c = vsr::test::golden("text");
  EXPECT_TRUE(at::equal(m.forward(c.inputs()), tiny_model().forward(c.inputs())));

  // A corrupt shard is an error naming it, not a crash.
  {
    std::ofstream out(dir / "model-00001-of-00002.safetensors", std::ios::binary);
    out << "\xff\xff\xff\xff\xff\xff\xff\x7f{}";
  }
  e = expect_error([&] { vsr::model::Qwen2VL::from_pretrained(dir); });
  EXPECT_NE(std::string(e.what()).find("model-00001-of-00002.safetensors"), std::string::npos) << e.what();
}

TEST(ModelInputs, MismatchedPadsAndGridsAreErrors) {
  const auto& m = tiny_model();
  auto in = vsr::test::golden("image").inputs();
  in.pixel_values = at::Tensor();  // pads but no pixels
  EXPECT_THROW(m.forward(in), vsr::Error);
  in = vsr::test::golden("image").inputs();
  in.image_grid_thw = at::tensor({1, 4, 6}, at::kLong).view({1, 3});  // grid too small for the pad run
  EXPECT_THROW(m.forward(in), vsr::Error);
  in = vsr::test::golden("image").inputs();
  in.image_grid_thw = at::tensor({1, 4, 8, 1, 4, 8}, at::kLong).view({2, 3});  // one grid too many
  EXPECT_THROW(m.rope_index(in), vsr::Error);
  vsr::model::KvCache cache = m.new_cache(2, 8);
  EXPECT_THROW(m.prefill(vsr::test::golden("text").inputs(), cache), vsr::Error);  // batch mismatch
}

}  // namespace
