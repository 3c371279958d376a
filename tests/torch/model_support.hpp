#pragma once
// Shared by the model tests: the tiny Qwen2-VL goldens (tests/data/qwen2vl-tiny, transformers 4.45.1) and a
// tolerance check.
#include "test_support.hpp"
#include "vsr/model/qwen2vl.hpp"
#include "vsr/runtime/tensor_io.hpp"

#include <ATen/ATen.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <string>

namespace vsr::test {

/// tests/data/qwen2vl-tiny.
inline std::filesystem::path tiny_dir() { return data_dir() / "qwen2vl-tiny"; }

/// One golden case: its tensors (by name) and its JSON description.
struct GoldenCase {
  std::string name;
  std::map<std::string, at::Tensor> t;
  nlohmann::json json;

  /// Tensor `key`, failing the test if absent.
  const at::Tensor& at(const std::string& key) const {
    auto it = t.find(key);
    if (it == t.end()) throw std::runtime_error("golden " + name + " has no tensor " + key);
    return it->second;
  }
  bool has(const std::string& key) const { return t.count(key) != 0; }

  /// The model inputs of the case (batch of one).
  model::MultimodalInputs inputs() const {
    model::MultimodalInputs in;
    in.input_ids = at("input_ids").unsqueeze(0);
    in.attention_mask = at("attention_mask").unsqueeze(0);
    if (has("image.pixel_values")) {
      in.pixel_values = at("image.pixel_values");
      in.image_grid_thw = at("image.grid_thw");
    }
    if (has("video.pixel_values")) {
      in.pixel_values_videos = at("video.pixel_values");
      in.video_grid_thw = at("video.grid_thw");
    }
    return in;
  }
};

/// Loads cases/<name>.safetensors and .json (cached).
inline const GoldenCase& golden(const std::string& name) {
  static std::map<std::string, GoldenCase> cache;
  auto it = cache.find(name);
  if (it != cache.end()) return it->second;
  GoldenCase c;
  c.name = name;
  c.t = load_safetensors(tiny_dir() / "cases" / (name + ".safetensors"));
  std::ifstream in(tiny_dir() / "cases" / (name + ".json"));
  c.json = nlohmann::json::parse(in);
  return cache.emplace(name, std::move(c)).first->second;
}

/// The tiny model in float32 (loaded once).
inline const model::Qwen2VL& tiny_model() {
  static const model::Qwen2VL m = model::Qwen2VL::from_pretrained(tiny_dir() / "model");
  return m;
}

/// Largest |got - want| (as double, float64 compare).
inline double max_abs_diff(const at::Tensor& got, const at::Tensor& want) {
  return (got.to(at::kDouble) - want.to(at::kDouble)).abs().max().item<double>();
}

/// Checks |got - want| <= tol + tol * max|want| element-wise and the shapes; returns the max error.
inline ::testing::AssertionResult close(const at::Tensor& got, const at::Tensor& want, double tol = 1e-5) {
  if (!got.defined()) return ::testing::AssertionFailure() << "tensor undefined";
  if (got.sizes() != want.sizes())
    return ::testing::AssertionFailure() << "shape " << got.sizes() << " vs " << want.sizes();
  const double scale = want.to(at::kDouble).abs().max().item<double>();
  const double err = max_abs_diff(got, want);
  const double bound = tol + tol * scale;
  if (std::getenv("VSR_TEST_VERBOSE"))
    std::fprintf(stderr, "  close: max err %.3g (bound %.3g, max|want| %.3g)\n", err, bound, scale);
  if (err <= bound) return ::testing::AssertionSuccess() << "max err " << err;
  return ::testing::AssertionFailure() << "max err " << err << " > " << bound << " (max|want| " << scale << ")";
}

/// Exact equality of integer tensors (after converting to int64).
inline ::testing::AssertionResult exact(const at::Tensor& got, const at::Tensor& want) {
  if (got.sizes() != want.sizes())
    return ::testing::AssertionFailure() << "shape " << got.sizes() << " vs " << want.sizes();
  if (at::equal(got.to(at::kLong), want.to(at::kLong))) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "got " << got << "\nwant " << want;
}

}  // namespace vsr::test
