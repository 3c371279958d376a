// Linear layer with an optional LoRA delta.
#include "vsr/model/linear.hpp"

#include "vsr/core/error.hpp"

#include <ATen/ATen.h>

namespace vsr::model {

Linear::Linear(at::Tensor weight, at::Tensor bias) : weight_(std::move(weight)), bias_(std::move(bias)) {}

at::Tensor Linear::forward(const at::Tensor& x) const {
  if (!weight_.defined()) fail("", "Linear", "forward() on a layer without weights");
  at::Tensor y = at::linear(x, weight_, bias_);
  if (lora_a_.defined()) y = y + at::linear(at::linear(x, lora_a_), lora_b_) * lora_scale_;
  return y;
}

std::int64_t Linear::in_features() const { return weight_.defined() ? weight_.size(1) : 0; }
std::int64_t Linear::out_features() const { return weight_.defined() ? weight_.size(0) : 0; }

void Linear::attach_lora(at::Tensor a, at::Tensor b, double scale) {
  if (!a.defined() || !b.defined() || a.dim() != 2 || b.dim() != 2 || a.size(1) != in_features() ||
      b.size(0) != out_features() || a.size(0) != b.size(1))
    fail("", "lora", "expected A [r, " + std::to_string(in_features()) + "] and B [" +
                         std::to_string(out_features()) + ", r]");
  lora_a_ = std::move(a);
  lora_b_ = std::move(b);
  lora_scale_ = scale;
}

void Linear::detach_lora() {
  lora_a_ = at::Tensor();
  lora_b_ = at::Tensor();
  lora_scale_ = 0.0;
}

}  // namespace vsr::model
