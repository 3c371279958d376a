// Tests of the LibTorch safetensors adapter: the golden BF16 checkpoint upcast to float32 equals a manual bit-level
// upcast, every dtype survives save -> load, and refusals name the tensor.
#include "test_support.hpp"
#include "vsr/core/error.hpp"
#include "vsr/io/safetensors.hpp"
#include "vsr/runtime/tensor_io.hpp"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cstring>

namespace {

/// bfloat16 bits -> float32: the bf16 bits are the high half of the float's bits.
float bf16_to_float(std::uint16_t bits) {
  const std::uint32_t wide = static_cast<std::uint32_t>(bits) << 16;
  float f;
  std::memcpy(&f, &wide, 4);
  return f;
}

}  // namespace

TEST(TensorIo, GoldenBf16UpcastEqualsManualUpcast) {
  const auto file = vsr::io::SafetensorsFile::open(vsr::test::data_dir() / "qwen2vl-tiny/model/model.safetensors");
  for (const char* name : {"visual.blocks.0.attn.qkv.weight", "model.layers.1.mlp.down_proj.weight", "model.norm.weight"}) {
    const auto& view = file.tensor(name);
    const at::Tensor t = vsr::to_tensor(view, at::kFloat);
    ASSERT_EQ(t.scalar_type(), at::kFloat);
    ASSERT_EQ(t.sizes().vec(), view.shape);
    const float* got = t.data_ptr<float>();
    for (std::int64_t i = 0; i < view.numel(); ++i) {
      std::uint16_t bits;
      std::memcpy(&bits, view.data + 2 * i, 2);
      ASSERT_EQ(got[i], bf16_to_float(bits)) << name << " element " << i;
    }
    // Without `as`, the stored dtype is kept and converts to the same floats.
    const at::Tensor native = vsr::to_tensor(view);
    EXPECT_EQ(native.scalar_type(), at::kBFloat16);
    EXPECT_TRUE(torch::equal(native.to(at::kFloat), t));
  }
  EXPECT_FLOAT_EQ(bf16_to_float(0x3ec8), 0.390625f);  // first qkv weight, checked by hand
}

TEST(TensorIo, DtypeMappingIsABijection) {
  for (auto d : {vsr::io::DType::BOOL, vsr::io::DType::U8, vsr::io::DType::I8, vsr::io::DType::I16, vsr::io::DType::I32,
                 vsr::io::DType::I64, vsr::io::DType::F16, vsr::io::DType::BF16, vsr::io::DType::F32, vsr::io::DType::F64}) {
    EXPECT_EQ(vsr::to_dtype(vsr::to_scalar_type(d)), d);
    EXPECT_EQ(c10::elementSize(vsr::to_scalar_type(d)), vsr::io::dtype_size(d));
  }
  EXPECT_THROW(vsr::to_dtype(at::kComplexFloat), vsr::Error);
}

TEST(TensorIo, SaveLoadRoundTrip) {
  const auto dir = vsr::test::temp_dir("tensor_io");
  torch::manual_seed(7);
  std::vector<std::pair<std::string, at::Tensor>> tensors{
      {"f32", torch::randn({3, 4})},
      {"f32.transposed", torch::randn({4, 3}).t()},  // non-contiguous: saved in logical order
      {"bf16", torch::randn({5}).to(at::kBFloat16)},
      {"f16", torch::randn({2, 2}).to(at::kHalf)},
      {"f64", torch::randn({2}, at::kDouble)},
      {"i64", torch::arange(6, at::kLong).reshape({2, 3})},
      {"i32", torch::tensor({-1, 2, 3}, at::kInt)},
      {"u8", torch::tensor({0, 255}, at::kByte)},
      {"bool", torch::tensor({true, false, true})},
      {"scalar", torch::tensor(2.5)},
      {"empty", torch::zeros({0, 7})},
  };
  vsr::save_safetensors(dir / "t.safetensors", tensors, {{"format", "pt"}});
  const auto loaded = vsr::load_safetensors(dir / "t.safetensors");
  ASSERT_EQ(loaded.size(), tensors.size());
  for (const auto& [name, t] : tensors) {
    const auto& got = loaded.at(name);
    EXPECT_EQ(got.scalar_type(), t.scalar_type()) << name;
    EXPECT_EQ(got.sizes(), t.sizes()) << name;
    EXPECT_TRUE(torch::equal(got, t)) << name;
  }
  EXPECT_EQ(vsr::io::SafetensorsFile::open(dir / "t.safetensors").metadata().at("format"), "pt");
  // Folders load too (sharded checkpoints from write_sharded).
  vsr::io::SafetensorsWriter w;
  w.add("x", vsr::io::DType::F32, {2}, std::as_bytes(std::span(loaded.at("f32").data_ptr<float>(), 2)));
  w.add("y", vsr::io::DType::I64, {6}, std::as_bytes(std::span(loaded.at("i64").data_ptr<std::int64_t>(), 6)));
  vsr::io::write_sharded(dir / "ck", w, 8);
  const auto ck = vsr::load_safetensors(dir / "ck");
  EXPECT_TRUE(torch::equal(ck.at("y"), torch::arange(6, at::kLong)));
  EXPECT_TRUE(torch::equal(ck.at("x"), tensors[0].second.flatten().slice(0, 0, 2)));
}

TEST(TensorIo, RefusesDuplicatesAndBadBools) {
  const auto dir = vsr::test::temp_dir("tensor_io_bad");
  EXPECT_THROW(vsr::save_safetensors(dir / "d.safetensors", {{"a", torch::ones({1})}, {"a", torch::ones({1})}}), vsr::Error);
  EXPECT_THROW(vsr::save_safetensors(dir / "c.safetensors", {{"c", torch::ones({1}, at::kComplexFloat)}}), vsr::Error);
  vsr::io::SafetensorsWriter w;
  const std::byte two{2};
  w.add("flags", vsr::io::DType::BOOL, {1}, {&two, 1});
  w.write(dir / "b.safetensors");
  const auto f = vsr::io::SafetensorsFile::open(dir / "b.safetensors");
  try {
    vsr::to_tensor(f.tensor("flags"));
    FAIL();
  } catch (const vsr::Error& e) {
    EXPECT_NE(std::string(e.what()).find("flags"), std::string::npos);
  }
}
