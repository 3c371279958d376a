// Training-math speed (float32, CPU): the GRPO loss with k3 KL, forward + backward, on a batch of GRPO's shape
// (8 prompts x 8 completions, 1024 tokens); and the cost of LoRA adapters (r 16, all seven decoder projections) on a
// teacher-forced forward of the tiny model (8 rows of 39 tokens): base, adapted, adapted with backward.
#include <ATen/ATen.h>
#include <benchmark/benchmark.h>

#include <filesystem>
#include <optional>

#include "vsr/algo/grpo.hpp"
#include "vsr/kl/k3.hpp"
#include "vsr/model/qwen2vl.hpp"
#include "vsr/runtime/tensor_io.hpp"
#include "vsr/train/lora.hpp"

namespace {

const std::filesystem::path kTiny = std::filesystem::path(VSR_TEST_DATA_DIR) / "qwen2vl-tiny";

void BM_GrpoLossForwardBackward(benchmark::State& state) {
  const std::int64_t B = 64, T = 1024;
  at::manual_seed(0);
  const at::Tensor logp0 = -at::rand({B, T}) * 3, old = logp0 + at::randn({B, T}) * 0.05;
  const at::Tensor ref = logp0 + at::randn({B, T}) * 0.1, mask = (at::rand({B, T}) < 0.7).to(at::kFloat);
  vsr::algo::Grpo grpo;
  const auto adv = grpo.advantages(at::rand({B}));
  vsr::kl::K3 k3;
  for (auto _ : state) {
    at::Tensor logp = logp0.clone().requires_grad_(true);
    auto out = grpo.loss({logp, old, ref, adv.advantages, mask}, k3);
    out.loss.backward();
    benchmark::DoNotOptimize(logp.grad().data_ptr());
  }
  state.SetItemsProcessed(state.iterations() * B * T);
}
BENCHMARK(BM_GrpoLossForwardBackward)->Unit(benchmark::kMillisecond);

void BM_TinyForwardLogProbs(benchmark::State& state) {
  auto model = vsr::model::Qwen2VL::from_pretrained(kTiny / "model");
  std::optional<vsr::train::LoraAdapters> lora;
  if (state.range(0)) lora.emplace(vsr::train::LoraAdapters::create(model, vsr::train::LoraOptions{}));
  const auto t = vsr::load_safetensors(kTiny / "cases/text.safetensors");
  vsr::model::MultimodalInputs in;
  in.input_ids = t.at("input_ids").unsqueeze(0).repeat({8, 1});
  at::Tensor mask = at::zeros_like(in.input_ids);
  mask.narrow(1, 20, in.input_ids.size(1) - 20).fill_(1);
  const bool backward = state.range(0) == 2;
  for (auto _ : state) {
    std::optional<at::NoGradGuard> no_grad;
    if (!backward) no_grad.emplace();
    at::Tensor lp = model.token_log_probs(model.forward(in), in.input_ids, mask);
    if (backward) lp.sum().backward();
    benchmark::DoNotOptimize(lp.data_ptr());
  }
  state.SetLabel(state.range(0) == 0 ? "base, no grad"
                 : backward          ? "lora r16, forward + backward"
                                     : "lora r16, no grad");
}
BENCHMARK(BM_TinyForwardLogProbs)->Arg(0)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond);

}  // namespace
