// Linear layer with an optional LoRA delta.
#include "vsr/model/linear.hpp"

#include "skinny_linear.hpp"
#include "vsr/core/error.hpp"

#include <ATen/ATen.h>

namespace vsr::model {

Linear::Linear(at::Tensor weight, at::Tensor bias) : weight_(std::move(weight)), bias_(std::move(bias)) {}

at::Tensor Linear::forward(const at::Tensor& x) const {
  if (!weight_.defined()) fail("", "Linear", "forward() on a layer without weights");
  at::Tensor y = detail::skinny_linear(x, weight_, bias_);
  if (!y.defined()) y = at::linear(x, weight_, bias_);
  if (!lora_a_.defined() || !lora_enabled_) return y;
  at::Tensor h = x.scalar_type() == lora_a_.scalar_type() ? x : x.to(lora_a_.scalar_type());
  if (lora_training_ && lora_dropout_ > 0.0) h = at::dropout(h, lora_dropout_, /*train=*/true);
  const at::Tensor delta = at::linear(at::linear(h, lora_a_), lora_b_) * lora_scale_;
  return y + (delta.scalar_type() == y.scalar_type() ? delta : delta.to(y.scalar_type()));
}

std::int64_t Linear::in_features() const { return weight_.defined() ? weight_.size(1) : 0; }
std::int64_t Linear::out_features() const { return weight_.defined() ? weight_.size(0) : 0; }

void Linear::attach_lora(at::Tensor a, at::Tensor b, double scale, double dropout) {
  if (!a.defined() || !b.defined() || a.dim() != 2 || b.dim() != 2 || a.size(1) != in_features() ||
      b.size(0) != out_features() || a.size(0) != b.size(1))
    fail("", "lora", "expected A [r, " + std::to_string(in_features()) + "] and B [" +
                         std::to_string(out_features()) + ", r]");
  if (!(dropout >= 0.0 && dropout < 1.0)) fail("", "lora", "expected a dropout probability in [0, 1)");
  lora_a_ = std::move(a);
  lora_b_ = std::move(b);
  lora_scale_ = scale;
  lora_dropout_ = dropout;
  lora_enabled_ = true;
  lora_training_ = false;
}

void Linear::detach_lora() {
  lora_a_ = at::Tensor();
  lora_b_ = at::Tensor();
  lora_scale_ = 0.0;
  lora_dropout_ = 0.0;
  lora_enabled_ = true;
  lora_training_ = false;
}

}  // namespace vsr::model
