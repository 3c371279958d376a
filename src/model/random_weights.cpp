#include "vsr/model/qwen2vl.hpp"

#include "vsr/model/sampler.hpp"

#include <ATen/ATen.h>

namespace vsr::model {

std::map<std::string, at::Tensor> random_weights(const Qwen2VLConfig& config, std::uint64_t seed, double std) {
  at::Generator gen = make_generator(seed, at::kCPU);
  std::map<std::string, at::Tensor> out;
  for (const auto& [name, shape] : expected_weight_shapes(config)) {
    const bool is_bias = name.ends_with(".bias");
    const bool is_norm = name.find("norm") != std::string::npos || name.find("ln_q") != std::string::npos;
    if (is_bias) {
      out[name] = at::zeros(shape);
    } else if (is_norm) {
      out[name] = at::ones(shape);
    } else {
      out[name] = at::normal(0.0, std, shape, gen);
    }
  }
  return out;
}

}  // namespace vsr::model
