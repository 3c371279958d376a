// Tests of the Qwen2-VL processor against transformers 4.45.1 goldens (tests/data/qwen2vl-tiny/cases): resized
// frames byte-exact, normalised frames and pixel_values within 1e-5 + 1e-5*max|want|, grids exact, pad expansion
// equal to the processor's input_ids; plus an independent (torch reshape/permute) check of the patch order.
#include "test_support.hpp"
#include "vsr/core/config.hpp"
#include "vsr/core/error.hpp"
#include "vsr/core/run_dir.hpp"
#include "vsr/vision/processor.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <cstdint>
#include <cstring>
#include <map>
#include <string>
#include <vector>

namespace {

namespace vv = vsr::vision;

// TODO(lead): replace with vsr::io once merged. A minimal safetensors reader for the goldens: 8-byte LE header
// length, JSON header {name: {dtype, shape, data_offsets}}, then the data.
class Goldens {
 public:
  explicit Goldens(const std::filesystem::path& path) : bytes_(vsr::read_file(path)) {
    std::uint64_t n = 0;
    if (bytes_.size() < 8) throw std::runtime_error("short safetensors file");
    std::memcpy(&n, bytes_.data(), 8);  // little-endian host
    header_ = nlohmann::json::parse(bytes_.substr(8, n));
    base_ = 8 + n;
  }
  bool has(const std::string& name) const { return header_.contains(name); }
  torch::Tensor tensor(const std::string& name) const {
    const auto& h = header_.at(name);
    static const std::map<std::string, torch::ScalarType> kTypes = {
        {"U8", torch::kUInt8}, {"F32", torch::kFloat32}, {"I64", torch::kInt64}};
    const auto shape = h.at("shape").get<std::vector<std::int64_t>>();
    const auto off = h.at("data_offsets").get<std::vector<std::size_t>>();
    if (base_ + off.at(1) > bytes_.size()) throw std::runtime_error("tensor past end of file: " + name);
    auto t = torch::empty(shape, torch::TensorOptions().dtype(kTypes.at(h.at("dtype").get<std::string>())));
    if (static_cast<std::size_t>(t.nbytes()) != off[1] - off[0]) throw std::runtime_error("bad size: " + name);
    std::memcpy(t.data_ptr(), bytes_.data() + base_ + off[0], off[1] - off[0]);
    return t;
  }

 private:
  std::string bytes_;
  nlohmann::json header_;
  std::size_t base_ = 0;
};

std::filesystem::path tiny() { return vsr::test::data_dir() / "qwen2vl-tiny"; }

vv::ProcessorOptions golden_options() { return vv::ProcessorOptions::from_file(tiny() / "model/preprocessor_config.json"); }

std::vector<std::array<std::int64_t, 3>> grids(const nlohmann::json& j) {
  std::vector<std::array<std::int64_t, 3>> out;
  if (!j.is_null())
    for (const auto& g : j) out.push_back({g[0].get<std::int64_t>(), g[1].get<std::int64_t>(), g[2].get<std::int64_t>()});
  return out;
}

void expect_close(const torch::Tensor& got, const torch::Tensor& want, const std::string& what) {
  ASSERT_EQ(got.sizes(), want.sizes()) << what;
  const double tol = 1e-5 + 1e-5 * want.abs().max().item<double>();
  const double err = (got - want).abs().max().item<double>();
  EXPECT_LE(err, tol) << what;
}

struct VisionCase {
  std::string file, prefix, grid_key;
};

const std::vector<VisionCase> kVisionCases = {{"image", "image", "image_grid_thw"},
                                              {"video", "video", "video_grid_thw"},
                                              {"image_video", "image", "image_grid_thw"},
                                              {"image_video", "video", "video_grid_thw"}};

}  // namespace

TEST(Processor, OptionsFromPreprocessorConfig) {
  const auto o = golden_options();
  EXPECT_EQ(o.min_pixels, 3136);
  EXPECT_EQ(o.max_pixels, 12845056);
  EXPECT_EQ(o.patch_size, 14);
  EXPECT_EQ(o.merge_size, 2);
  EXPECT_EQ(o.temporal_patch_size, 2);
  EXPECT_DOUBLE_EQ(o.image_std[2], 0.27577711);
  EXPECT_DOUBLE_EQ(o.rescale_factor, 1.0 / 255.0);

  const auto dir = vsr::test::temp_dir("processor_options");
  vsr::write_file_atomic(dir / "bad.json", R"({"min_pixels": "many", "patch_size": 14})");
  try {
    vv::ProcessorOptions::from_file(dir / "bad.json");
    FAIL() << "expected an error";
  } catch (const vsr::Error& e) {
    EXPECT_EQ(e.field(), "min_pixels");
  }
  vsr::write_file_atomic(dir / "bilinear.json", R"({"resample": 2})");
  EXPECT_THROW(vv::ProcessorOptions::from_file(dir / "bilinear.json"), vsr::Error);
  EXPECT_THROW(vv::ProcessorOptions::from_file(dir / "missing.json"), vsr::Error);
}

TEST(Processor, OptionsFromCommandLine) {
  vsr::Config cfg("test");
  auto& o = cfg.add<vv::ProcessorOptions>();
  const char* argv[] = {"test", "--processor.max_pixels=200704", "--processor.min_pixels=1000"};
  ASSERT_TRUE(cfg.parse(3, argv));
  EXPECT_EQ(o.max_pixels, 200704);
  EXPECT_EQ(o.min_pixels, 1000);
}

TEST(Processor, MatchesGoldenVisionInputs) {
  const auto options = golden_options();
  for (const auto& vc : kVisionCases) {
    SCOPED_TRACE(vc.file + "/" + vc.prefix);
    const Goldens g(tiny() / "cases" / (vc.file + ".safetensors"));
    const auto meta = nlohmann::json::parse(vsr::read_file(tiny() / "cases" / (vc.file + ".json")));
    const auto raw = g.tensor(vc.prefix + ".raw_frames");
    const auto d = vv::process_debug(raw, options);
    const auto want_resized = g.tensor(vc.prefix + ".resized_frames");
    ASSERT_EQ(d.resized_frames.sizes(), want_resized.sizes());
    EXPECT_TRUE(torch::equal(d.resized_frames, want_resized));
    expect_close(d.normalized_frames, g.tensor(vc.prefix + ".normalized_frames"), "normalized_frames");
    expect_close(d.visual.pixel_values, g.tensor(vc.prefix + ".pixel_values"), "pixel_values");
    // Same float32 operations as numpy, so in fact bit-identical.
    EXPECT_TRUE(torch::equal(d.visual.pixel_values, g.tensor(vc.prefix + ".pixel_values")));
    EXPECT_EQ(d.visual.grid_thw, grids(meta[vc.grid_key]).at(0));

    // The public entry points give the same rows.
    const auto v = vc.prefix == "image" ? vv::process_image(raw[0], options) : vv::process_video(raw, options);
    EXPECT_TRUE(torch::equal(v.pixel_values, d.visual.pixel_values));
    EXPECT_EQ(v.grid_thw, d.visual.grid_thw);
  }
}

TEST(Processor, ExpandsPadsLikeTheReference) {
  for (const char* name : {"text", "image", "video", "image_video"}) {
    SCOPED_TRACE(name);
    const Goldens g(tiny() / "cases" / (std::string(name) + ".safetensors"));
    const auto meta = nlohmann::json::parse(vsr::read_file(tiny() / "cases" / (std::string(name) + ".json")));
    const auto raw = meta["raw_input_ids"].get<std::vector<std::int64_t>>();
    const auto want = g.tensor("input_ids");
    const auto got = vv::expand_vision_pads(raw, 151655, 151656, grids(meta["image_grid_thw"]),
                                            grids(meta["video_grid_thw"]));
    ASSERT_EQ(static_cast<std::int64_t>(got.size()), want.numel());
    EXPECT_TRUE(std::equal(got.begin(), got.end(), want.data_ptr<std::int64_t>()));
  }
}

TEST(Processor, PadExpansionRejectsMismatchedGrids) {
  const std::vector<std::int64_t> ids = {1, 151655, 2};
  const std::vector<std::array<std::int64_t, 3>> none, one = {{1, 4, 8}}, two = {{1, 4, 8}, {1, 2, 2}};
  EXPECT_EQ(vv::expand_vision_pads(ids, 151655, 151656, one, none).size(), 2u + 8u);
  EXPECT_THROW(vv::expand_vision_pads(ids, 151655, 151656, none, none), vsr::Error);
  EXPECT_THROW(vv::expand_vision_pads(ids, 151655, 151656, two, none), vsr::Error);
  EXPECT_EQ(vv::num_vision_tokens({2, 4, 6}, 2), 12);
  EXPECT_EQ(vv::num_vision_tokens({1, 34, 46}, 2), 391);
}

TEST(Processor, PatchOrderMatchesReshapePermute) {
  // Independent formulation (as transformers writes it): normalised [T,C,H,W] -> reshape
  // (gt, tp, C, gh/m, m, p, gw/m, m, p) -> permute (0,3,6,4,7,2,1,5,8) -> [gt*gh*gw, C*tp*p*p].
  vv::ProcessorOptions o;
  const auto frames = torch::randint(0, 256, {4, 56, 84, 3}, torch::TensorOptions().dtype(torch::kUInt8));
  const auto d = vv::process_debug(frames, o);
  ASSERT_TRUE(torch::equal(d.resized_frames, frames));  // 56x84 is already a multiple of 28
  const auto ref = d.normalized_frames.reshape({2, 2, 3, 2, 2, 14, 3, 2, 14})
                       .permute({0, 3, 6, 4, 7, 2, 1, 5, 8})
                       .reshape({2 * 4 * 6, 3 * 2 * 14 * 14});
  EXPECT_TRUE(torch::equal(d.visual.pixel_values, ref));
  EXPECT_EQ(d.visual.grid_thw, (std::array<std::int64_t, 3>{2, 4, 6}));
  // Channel 0 of value 255 normalises to (1 - mean) / std in float32.
  const auto white = torch::full({1, 56, 56, 3}, 255, torch::TensorOptions().dtype(torch::kUInt8));
  const auto n = vv::normalize_frames(white, o);
  EXPECT_EQ(n[0][0][0][0].item<float>(), (1.0f - 0.48145466f) / 0.26862954f);
}

TEST(Processor, SingleFrameIsTiledAndOddFrameCountsRejected) {
  vv::ProcessorOptions o;
  const auto img = torch::randint(0, 256, {30, 40, 3}, torch::TensorOptions().dtype(torch::kUInt8));
  const auto v = vv::process_image(img, o);
  EXPECT_EQ(v.grid_thw, (std::array<std::int64_t, 3>{1, 4, 6}));
  // Columns are C x temporal x 14 x 14: both temporal halves of each channel are equal.
  const auto cols = v.pixel_values.reshape({24, 3, 2, 196});
  EXPECT_TRUE(torch::equal(cols.select(2, 0), cols.select(2, 1)));
  const auto three = torch::zeros({3, 56, 56, 3}, torch::TensorOptions().dtype(torch::kUInt8));
  EXPECT_THROW(vv::process_video(three, o), vsr::Error);
  EXPECT_THROW(vv::process_image(torch::zeros({20, 40, 3}, torch::kUInt8), o), vsr::Error);  // below factor 28
  EXPECT_THROW(vv::process_image(torch::zeros({56, 56, 3}, torch::kFloat), o), vsr::Error);
  EXPECT_THROW(vv::process_image(torch::zeros({56, 56, 4}, torch::kUInt8), o), vsr::Error);
}
