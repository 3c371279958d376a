// Tests of the torch-free vision pieces: Qwen2-VL smart_resize against transformers 4.45.1's own table, and the
// Pillow-exact bicubic resize against hand-computed taps and Pillow 9.4 outputs (tests/data/processor).
#include "test_support.hpp"
#include "vsr/core/error.hpp"
#include "vsr/core/run_dir.hpp"
#include "vsr/eval/python_str.hpp"
#include "vsr/vision/pillow_resize.hpp"
#include "vsr/vision/smart_resize.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

using vsr::vision::ImageSize;

TEST(SmartResize, MatchesTransformersTable) {
  const auto rows = nlohmann::json::parse(vsr::read_file(vsr::test::data_dir() / "qwen2vl-tiny/smart_resize.json"));
  ASSERT_EQ(rows.size(), 24u);
  int errors = 0;
  for (const auto& r : rows) {
    const auto h = r["height"].get<std::int64_t>(), w = r["width"].get<std::int64_t>();
    SCOPED_TRACE(std::to_string(h) + "x" + std::to_string(w));
    auto call = [&] {
      return vsr::vision::smart_resize(h, w, r["factor"].get<std::int64_t>(), r["min_pixels"].get<std::int64_t>(),
                                       r["max_pixels"].get<std::int64_t>());
    };
    if (r.contains("error")) {
      ++errors;
      try {
        call();
        ADD_FAILURE() << "expected an error";
      } catch (const vsr::Error& e) {
        EXPECT_EQ(e.problem(), r["error"].get<std::string>());
      }
    } else {
      const ImageSize got = call();
      EXPECT_EQ(got.height, r["resized_height"].get<std::int64_t>());
      EXPECT_EQ(got.width, r["resized_width"].get<std::int64_t>());
    }
  }
  EXPECT_EQ(errors, 2);
}

TEST(SmartResize, DefaultsAreQwen2VlBudget) {
  // 70/28 = 2.5 rounds half to even (2), 100/28 = 3.57 -> 4: 56x112 (the image golden).
  EXPECT_EQ(vsr::vision::smart_resize(70, 100), (ImageSize{56, 112}));
  // 3024x4032 with the default 28*28*1280 budget: beta = sqrt(12192768/1003520) -> floor -> 840x1148.
  EXPECT_EQ(vsr::vision::smart_resize(3024, 4032), (ImageSize{840, 1148}));
  EXPECT_THROW(vsr::vision::smart_resize(100, 100, 0), vsr::Error);
  EXPECT_THROW(vsr::vision::smart_resize(100, 100, 28, 0, 0), vsr::Error);
}

TEST(SmartResize, PythonRoundAndRepr) {
  using vsr::vision::python_round;
  EXPECT_EQ(python_round(2.5), 2.0);
  EXPECT_EQ(python_round(3.5), 4.0);
  EXPECT_EQ(python_round(0.49999999999999994), 0.0);
  EXPECT_EQ(python_round(2.5000000000000004), 3.0);
  EXPECT_EQ(python_round(-1.5), -2.0);
  using vsr::eval::python_float_repr;
  EXPECT_EQ(python_float_repr(201.03571428571428), "201.03571428571428");
  EXPECT_EQ(python_float_repr(250.0), "250.0");
  EXPECT_EQ(python_float_repr(2e7), "20000000.0");
  EXPECT_EQ(python_float_repr(1e16), "1e+16");
  EXPECT_EQ(python_float_repr(1e-5), "1e-05");
  EXPECT_EQ(python_float_repr(0.0001), "0.0001");
  EXPECT_EQ(python_float_repr(1.0 / 3.0), "0.3333333333333333");
}

TEST(PillowResize, BicubicKernelValues) {
  using vsr::vision::pillow_bicubic_filter;
  EXPECT_DOUBLE_EQ(pillow_bicubic_filter(0.0), 1.0);
  EXPECT_DOUBLE_EQ(pillow_bicubic_filter(1.0), 0.0);
  EXPECT_DOUBLE_EQ(pillow_bicubic_filter(0.25), 111.0 / 128.0);
  EXPECT_DOUBLE_EQ(pillow_bicubic_filter(-1.25), -9.0 / 128.0);
  EXPECT_DOUBLE_EQ(pillow_bicubic_filter(2.0), 0.0);
}

TEST(PillowResize, HandComputedTaps) {
  // 2 -> 4 (upscale): output 0 has center 0.25, taps at source 0 and 1 with kernel(0.25) = 111/128 and
  // kernel(1.25) = -9/128; normalised 37/34 and -3/34; times 2^22 rounded away from zero: 4564390, -370086.
  const auto up = vsr::vision::pillow_bicubic_taps(2, 4);
  EXPECT_EQ(up.ksize, 5);
  EXPECT_EQ(up.first[0], 0);
  ASSERT_EQ(up.count[0], 2);
  EXPECT_EQ(up.weights[0], 4564390);
  EXPECT_EQ(up.weights[1], -370086);
  // Identity taps are a single 1.0 (2^22) at the same index.
  const auto same = vsr::vision::pillow_bicubic_taps(5, 5);
  for (int i = 0; i < 5; ++i) {
    std::int64_t at_i = 0, others = 0;
    for (int k = 0; k < same.count[i]; ++k)
      (same.first[i] + k == i ? at_i : others) += std::abs(same.weights[i * same.ksize + k]);
    EXPECT_EQ(at_i, 1 << 22);
    EXPECT_EQ(others, 0);
  }
  // 4x downscale: support widens to 8 source pixels on each side -> ksize 17.
  EXPECT_EQ(vsr::vision::pillow_bicubic_taps(64, 16).ksize, 17);
}

TEST(PillowResize, ConstantImageStaysConstant) {
  for (int value : {0, 1, 127, 254, 255}) {
    const std::vector<std::uint8_t> src(23 * 41 * 3, static_cast<std::uint8_t>(value));
    for (auto [oh, ow] : {std::pair{56, 84}, std::pair{7, 5}, std::pair{23, 90}, std::pair{100, 41}}) {
      const auto out = vsr::vision::pillow_resize_bicubic(src, 23, 41, 3, oh, ow);
      ASSERT_EQ(out.size(), static_cast<std::size_t>(oh * ow * 3));
      for (auto v : out) ASSERT_EQ(v, value) << oh << "x" << ow;
    }
  }
}

TEST(PillowResize, MatchesPillowOutputs) {
  const auto dir = vsr::test::data_dir() / "processor";
  const auto index = nlohmann::json::parse(vsr::read_file(dir / "pillow_bicubic_cases.json"));
  const std::string blob = vsr::read_file(dir / "pillow_bicubic_cases.bin");
  ASSERT_GE(index["cases"].size(), 10u);
  for (const auto& c : index["cases"]) {
    SCOPED_TRACE(c["name"].get<std::string>());
    const auto at = [&](const char* off, const char* len) {
      const auto* p = reinterpret_cast<const std::uint8_t*>(blob.data()) + c[off].get<std::size_t>();
      return std::vector<std::uint8_t>(p, p + c[len].get<std::size_t>());
    };
    const auto src = at("src_offset", "src_bytes"), want = at("dst_offset", "dst_bytes");
    const auto got = vsr::vision::pillow_resize_bicubic(src, c["in_h"], c["in_w"], c["channels"], c["out_h"],
                                                        c["out_w"]);
    ASSERT_EQ(got.size(), want.size());
    std::size_t diffs = 0;
    for (std::size_t i = 0; i < got.size(); ++i) diffs += got[i] != want[i];
    EXPECT_EQ(diffs, 0u);
  }
}

TEST(PillowResize, RejectsBadSizes) {
  EXPECT_THROW(vsr::vision::PillowBicubicResizer(0, 4, 4, 4), vsr::Error);
  EXPECT_THROW(vsr::vision::PillowBicubicResizer(4, 4, 4, -1), vsr::Error);
  EXPECT_THROW(vsr::vision::PillowBicubicResizer(4, 4, 4, 4, 5), vsr::Error);
  const vsr::vision::PillowBicubicResizer r(4, 4, 8, 8, 3);
  std::vector<std::uint8_t> src(4 * 4 * 3 - 1), dst(8 * 8 * 3);
  EXPECT_THROW(r.run(std::span<const std::uint8_t>(src), std::span<std::uint8_t>(dst)), vsr::Error);
}
