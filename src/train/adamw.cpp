// AdamW with PyTorch's update rule and a bit-exact saved state; gradient norm and clipping.
#include "vsr/train/adamw.hpp"

#include "vsr/core/error.hpp"
#include "vsr/io/safetensors.hpp"
#include "vsr/runtime/tensor_io.hpp"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <string>

namespace vsr::train {

AdamW::AdamW(std::vector<at::Tensor> parameters, AdamWSettings settings)
    : parameters_(std::move(parameters)), settings_(settings) {
  for (const auto& p : parameters_) {
    exp_avg_.push_back(at::zeros_like(p, at::MemoryFormat::Contiguous));
    exp_avg_sq_.push_back(at::zeros_like(p, at::MemoryFormat::Contiguous));
  }
}

void AdamW::step(double lr) {
  at::NoGradGuard no_grad;
  // A step without any gradient (a group filter left nothing to train) changes nothing, the step count included:
  // PyTorch counts steps per parameter, only for parameters that had a gradient.
  if (std::none_of(parameters_.begin(), parameters_.end(), [](const at::Tensor& p) { return p.grad().defined(); }))
    return;
  ++steps_;
  const double bias1 = 1.0 - std::pow(settings_.beta1, static_cast<double>(steps_));
  const double bias2 = 1.0 - std::pow(settings_.beta2, static_cast<double>(steps_));
  const double step_size = lr / bias1;
  const double bias2_sqrt = std::sqrt(bias2);
  for (std::size_t i = 0; i < parameters_.size(); ++i) {
    auto& p = parameters_[i];
    const at::Tensor g = p.grad();
    if (!g.defined()) continue;
    if (settings_.weight_decay != 0.0) p.mul_(1.0 - lr * settings_.weight_decay);
    exp_avg_[i].lerp_(g, 1.0 - settings_.beta1);
    exp_avg_sq_[i].mul_(settings_.beta2).addcmul_(g, g, 1.0 - settings_.beta2);
    const at::Tensor denom = (exp_avg_sq_[i].sqrt() / bias2_sqrt).add_(settings_.eps);
    p.addcdiv_(exp_avg_[i], denom, -step_size);
  }
}

void AdamW::zero_grad() {
  for (auto& p : parameters_) {
    if (p.grad().defined()) p.mutable_grad() = at::Tensor();
  }
}

void AdamW::save(const std::filesystem::path& file) const {
  std::vector<std::pair<std::string, at::Tensor>> tensors;
  for (std::size_t i = 0; i < parameters_.size(); ++i) {
    tensors.emplace_back("exp_avg." + std::to_string(i), exp_avg_[i]);
    tensors.emplace_back("exp_avg_sq." + std::to_string(i), exp_avg_sq_[i]);
  }
  save_safetensors(file, tensors, {{"step", std::to_string(steps_)}, {"optimizer", "adamw"}});
}

void AdamW::load(const std::filesystem::path& file) {
  const auto tensors = load_safetensors(file);
  const auto header = io::SafetensorsFile::open(file);
  const auto& meta = header.metadata();
  const auto step = meta.find("step");
  if (step == meta.end()) fail(file.string(), "__metadata__.step", "expected the optimizer step count");
  for (std::size_t i = 0; i < parameters_.size(); ++i) {
    for (const auto& [name, target] : {std::pair<std::string, at::Tensor*>{"exp_avg.", &exp_avg_[i]},
                                       std::pair<std::string, at::Tensor*>{"exp_avg_sq.", &exp_avg_sq_[i]}}) {
      const std::string key = name + std::to_string(i);
      const auto it = tensors.find(key);
      if (it == tensors.end()) fail(file.string(), key, "missing: the optimizer state does not fit the adapters");
      if (!it->second.sizes().equals(target->sizes()))
        fail(file.string(), key, "has the wrong shape for its parameter");
      target->copy_(it->second);
    }
  }
  if (tensors.size() != 2 * parameters_.size())
    fail(file.string(), "", "holds " + std::to_string(tensors.size()) + " tensors, expected " +
                                std::to_string(2 * parameters_.size()));
  steps_ = std::stoll(step->second);
}

double gradient_norm(const std::vector<at::Tensor>& parameters) {
  double sum = 0.0;
  for (const auto& p : parameters) {
    const at::Tensor g = p.grad();
    if (!g.defined()) continue;
    const double n = g.detach().to(at::kDouble).norm().item<double>();
    sum += n * n;
  }
  return std::sqrt(sum);
}

double clip_gradient_norm(const std::vector<at::Tensor>& parameters, double max_norm) {
  const double norm = gradient_norm(parameters);
  if (!std::isfinite(norm) || max_norm <= 0.0 || norm <= max_norm) return norm;
  const double scale = max_norm / (norm + 1e-6);
  at::NoGradGuard no_grad;
  for (const auto& p : parameters) {
    if (p.grad().defined()) p.grad().mul_(scale);
  }
  return norm;
}

}  // namespace vsr::train
