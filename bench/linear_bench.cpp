// The few-row linear kernels of a decode step (vsr/model/cpu_kernels.hpp) on the mid model's shapes: 14 input rows
// (a GRPO group) times a bfloat16-exact weight, through Linear::forward with autograd off, as decoding runs it.
// Arg 0: kernel (0 at::linear, 1 AVX-512, 2 AMX), args 1-2: weight [N, K]. Reports weight bytes per second
// (the bfloat16 copy's bytes for the fast kernels; the float32 weight's for at::linear).
// Run: build/bench/vsr_bench --benchmark_filter=FewRowLinear
#include "vsr/model/cpu_kernels.hpp"
#include "vsr/model/linear.hpp"

#include <ATen/ATen.h>
#include <benchmark/benchmark.h>

namespace {

void BM_FewRowLinear(benchmark::State& state) {
  const auto kernel = static_cast<vsr::model::FewRowKernel>(state.range(0));
  const std::int64_t N = state.range(1), K = state.range(2);
  at::NoGradGuard no_grad;
  vsr::model::allow_amx_kernel(kernel == vsr::model::FewRowKernel::kAmxBf16);
  if (kernel == vsr::model::FewRowKernel::kAmxBf16 && vsr::model::few_row_kernel() != kernel) {
    vsr::model::allow_amx_kernel(true);
    state.SkipWithError("no AMX on this CPU");
    return;
  }
  auto gen = at::detail::createCPUGenerator(5);
  const at::Tensor w = (at::randn({N, K}, gen) * 0.02).to(at::kBFloat16).to(at::kFloat);
  const at::Tensor x = at::randn({14, K}, gen);
  const vsr::model::Linear layer(w);
  benchmark::DoNotOptimize(layer.forward(x).data_ptr());  // builds the cached bfloat16 copy
  for (auto _ : state) {
    at::Tensor y = kernel == vsr::model::FewRowKernel::kAten ? at::linear(x, w) : layer.forward(x);
    benchmark::DoNotOptimize(y.data_ptr());
  }
  const double bytes = double(N) * double(K) * (kernel == vsr::model::FewRowKernel::kAten ? 4.0 : 2.0);
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes * double(state.iterations())));
  state.SetLabel(vsr::model::to_string(kernel));
  vsr::model::allow_amx_kernel(true);
}
BENCHMARK(BM_FewRowLinear)
    ->ArgsProduct({{0, 1, 2}, {151936}, {512}})
    ->ArgsProduct({{1, 2}, {512, 128, 1408}, {512}})
    ->ArgsProduct({{1, 2}, {512}, {1408}})
    ->Unit(benchmark::kMicrosecond);

}  // namespace
