// Qwen2-VL against the transformers 4.45.1 goldens (tests/data/qwen2vl-tiny/cases): vision tower, M-RoPE ids and
// tables, decoder layers, logits and KV-cached greedy generation, for all four cases, in float32.
#include "model_support.hpp"

#include "vsr/model/rope.hpp"

using vsr::test::close;
using vsr::test::exact;
using vsr::test::golden;
using vsr::test::tiny_model;

namespace {

// README: |got - want| <= 1e-5 + 1e-5 * max|want|. The README allows 1e-4 for the vision blocks when the patch
// Conv3d is a matmul; vsr runs it as a Conv3d (bit-exact patch embedding), so the vision tower holds 1e-5 too.
constexpr double kTol = 1e-5;
constexpr double kVisionTol = 1e-5;

class ModelGolden : public ::testing::TestWithParam<std::string> {};

std::vector<std::string> vision_parts(const vsr::test::GoldenCase& c) {
  std::vector<std::string> out;
  for (const char* p : {"image", "video"})
    if (c.has(std::string(p) + ".pixel_values")) out.push_back(p);
  return out;
}

TEST_P(ModelGolden, VisionRotaryAndCuSeqlens) {
  const auto& c = golden(GetParam());
  const auto& cfg = tiny_model().config();
  for (const auto& p : vision_parts(c)) {
    SCOPED_TRACE(p);
    const at::Tensor grid = c.at(p + ".grid_thw");
    const at::Tensor freqs = vsr::model::vision_rotary_freqs(grid, cfg.vision_config.embed_dim / cfg.vision_config.num_heads,
                                                              cfg.vision_config.spatial_merge_size);
    EXPECT_TRUE(close(freqs, c.at(p + ".vision_rotary_freqs"), kTol));
    const auto cs = vsr::model::vision_rotary_cos_sin(freqs);
    EXPECT_TRUE(close(cs.cos, c.at(p + ".vision_rotary_cos"), kTol));
    EXPECT_TRUE(close(cs.sin, c.at(p + ".vision_rotary_sin"), kTol));
    EXPECT_TRUE(exact(vsr::model::vision_cu_seqlens(grid), c.at(p + ".vision_cu_seqlens")));
  }
}

TEST_P(ModelGolden, VisionTower) {
  const auto& c = golden(GetParam());
  for (const auto& p : vision_parts(c)) {
    SCOPED_TRACE(p);
    vsr::model::VisionTrace trace;
    const at::Tensor merged = tiny_model().visual().forward(c.at(p + ".pixel_values"), c.at(p + ".grid_thw"), &trace);
    EXPECT_TRUE(close(trace.patch_embed, c.at(p + ".vision_patch_embed"), kTol));
    ASSERT_EQ(trace.blocks.size(), 2u);
    EXPECT_TRUE(close(trace.blocks[0], c.at(p + ".vision_block0_out"), kVisionTol));
    EXPECT_TRUE(close(trace.blocks[1], c.at(p + ".vision_block1_out"), kVisionTol));
    EXPECT_TRUE(close(merged, c.at(p + ".vision_merged"), kVisionTol));
    EXPECT_TRUE(trace.merged.is_same(merged));
  }
}

TEST_P(ModelGolden, RopeIndexExact) {
  const auto& c = golden(GetParam());
  const auto rope = tiny_model().rope_index(c.inputs());
  EXPECT_TRUE(exact(rope.position_ids.squeeze(1), c.at("position_ids")));
  EXPECT_TRUE(exact(rope.rope_deltas, c.at("rope_deltas")));
  EXPECT_EQ(rope.rope_deltas.item<std::int64_t>(), c.json["rope_deltas"].get<std::int64_t>());
}

TEST_P(ModelGolden, MropeCosSin) {
  const auto& c = golden(GetParam());
  const auto& cfg = tiny_model().config();
  const at::Tensor pos = c.at("position_ids").unsqueeze(1);  // [3, 1, L]
  const auto per_axis = vsr::model::mrope_cos_sin_per_axis(pos, cfg.head_dim(), cfg.rope_theta);
  EXPECT_TRUE(close(per_axis.cos.squeeze(1), c.at("mrope_cos_per_axis"), kTol));
  EXPECT_TRUE(close(per_axis.sin.squeeze(1), c.at("mrope_sin_per_axis"), kTol));
  const auto merged = vsr::model::merge_mrope_sections(per_axis, cfg.mrope_section);
  EXPECT_TRUE(close(merged.cos.squeeze(0), c.at("mrope_cos"), kTol));
  EXPECT_TRUE(close(merged.sin.squeeze(0), c.at("mrope_sin"), kTol));
}

TEST_P(ModelGolden, DecoderLayersAndHidden) {
  const auto& c = golden(GetParam());
  vsr::model::ForwardTrace trace;
  const at::Tensor hidden = tiny_model().forward(c.inputs(), &trace);
  EXPECT_TRUE(close(trace.inputs_embeds.squeeze(0), c.at("inputs_embeds"), kTol));
  ASSERT_EQ(trace.text.layer_outputs.size(), 2u);
  EXPECT_TRUE(close(trace.text.layer_outputs[0].squeeze(0), c.at("layer0_out"), kTol));
  EXPECT_TRUE(close(trace.text.layer_outputs[1].squeeze(0), c.at("layer1_out"), kTol));
  EXPECT_TRUE(close(hidden.squeeze(0), c.at("final_hidden"), kTol));
  EXPECT_TRUE(close(trace.text.cos.squeeze(0), c.at("mrope_cos"), kTol));
  if (c.has("image.pixel_values")) EXPECT_TRUE(close(trace.image.merged, c.at("image.vision_merged"), kVisionTol));
}

TEST_P(ModelGolden, Logits) {
  const auto& c = golden(GetParam());
  const auto& m = tiny_model();
  const at::Tensor hidden = m.forward(c.inputs());
  const std::int64_t L = hidden.size(1);
  const at::Tensor last = m.logits_at(hidden, at::full({1}, L - 1, at::kLong));
  EXPECT_TRUE(close(last.squeeze(0), c.at("logits_last"), kTol));
  const at::Tensor all = m.logits_at(hidden, at::arange(L, at::kLong).unsqueeze(0)).squeeze(0);  // [L, V]
  EXPECT_TRUE(close(all.index_select(1, c.at("logit_col_ids")), c.at("logits_cols"), kTol));
  EXPECT_TRUE(exact(all.argmax(-1), c.at("logits_argmax")));
  EXPECT_TRUE(close(std::get<0>(all.max(-1)), c.at("logits_max"), kTol));
  EXPECT_TRUE(close(all.logsumexp(-1), c.at("logits_logsumexp"), kTol));
}

TEST_P(ModelGolden, GreedyGenerationWithCache) {
  const auto& c = golden(GetParam());
  const auto out = tiny_model().greedy(c.inputs(), 8, /*keep_logits=*/true);
  EXPECT_TRUE(exact(out.tokens.squeeze(0), c.at("generated_ids")));
  const at::Tensor steps = out.step_logits.squeeze(0);  // [S, V]
  EXPECT_TRUE(close(steps.index_select(1, c.at("logit_col_ids")), c.at("gen_step_logits_cols"), kTol));
  EXPECT_TRUE(close(std::get<0>(steps.max(-1)), c.at("gen_step_logits_max"), kTol));
  EXPECT_TRUE(close(steps.logsumexp(-1), c.at("gen_step_logsumexp"), kTol));
}

TEST_P(ModelGolden, DecodeStepsFeedGoldenPositions) {
  const auto& c = golden(GetParam());
  const auto& m = tiny_model();
  const auto in = c.inputs();
  const std::int64_t L = in.input_ids.size(1);
  vsr::model::KvCache cache = m.new_cache(1, L + 2);  // too small on purpose: the cache grows
  m.prefill(in, cache);
  EXPECT_EQ(cache.length(), L);
  const at::Tensor gen = c.at("generated_ids"), want_pos = c.at("decode_position_ids");
  for (std::int64_t k = 0; k + 1 < gen.size(0); ++k) {
    const at::Tensor pos = cache.next_position_ids(1);  // [3, 1, 1]
    for (int a = 0; a < 3; ++a) EXPECT_EQ(pos[a][0][0].item<std::int64_t>(), want_pos[k].item<std::int64_t>());
    const at::Tensor h = m.decode_step(gen.narrow(0, k, 1), cache);
    EXPECT_TRUE(close(m.logits_at(h).index_select(1, c.at("logit_col_ids")).squeeze(0),
                      c.at("gen_step_logits_cols")[k + 1], kTol));
  }
  EXPECT_EQ(cache.length(), L + gen.size(0) - 1);
  EXPECT_GE(cache.capacity(), cache.length());
}

INSTANTIATE_TEST_SUITE_P(Cases, ModelGolden, ::testing::Values("text", "image", "video", "image_video"));

}  // namespace
