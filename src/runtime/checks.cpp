#include "vsr/runtime/checks.hpp"

#include <ATen/ATen.h>
#include <fmt/format.h>

namespace vsr {

namespace {
std::string shape_of(const at::Tensor& t) { return fmt::format("[{}]", fmt::join(t.sizes(), ",")); }
}  // namespace

const CheckResult& CheckList::close(const std::string& name, const at::Tensor& got, const at::Tensor& want, double atol,
                                    double rtol) {
  if (!got.defined()) return record(name, false, "not computed");
  if (got.sizes() != want.sizes())
    return record(name, false, fmt::format("shape {} != expected {}", shape_of(got), shape_of(want)));
  if (want.numel() == 0) return record(name, true, "empty");
  const auto g = got.detach().to(at::kCPU).to(at::kDouble);
  const auto w = want.detach().to(at::kCPU).to(at::kDouble);
  const double err = (g - w).abs().max().item<double>();
  const double tol = atol + rtol * w.abs().max().item<double>();
  const bool ok = std::isfinite(err) && err <= tol;
  return record(name, ok, fmt::format("max_abs_err={:.3g} tol={:.3g}", err, tol));
}

const CheckResult& CheckList::equal(const std::string& name, const at::Tensor& got, const at::Tensor& want) {
  if (!got.defined()) return record(name, false, "not computed");
  if (got.sizes() != want.sizes())
    return record(name, false, fmt::format("shape {} != expected {}", shape_of(got), shape_of(want)));
  const auto g = got.detach().to(at::kCPU).to(want.scalar_type());
  const auto mismatches = g.ne(want.to(at::kCPU)).sum().item<std::int64_t>();
  return record(name, mismatches == 0,
                mismatches == 0 ? std::string("exact") : fmt::format("{} of {} elements differ", mismatches, want.numel()));
}

const CheckResult& CheckList::record(const std::string& name, bool passed, const std::string& detail) {
  results_.push_back({name, passed, detail});
  return results_.back();
}

int CheckList::passed() const {
  int n = 0;
  for (const auto& r : results_) n += r.passed;
  return n;
}

int CheckList::failed() const { return static_cast<int>(results_.size()) - passed(); }

void CheckList::print(std::FILE* out, bool each) const {
  if (each)
    for (const auto& r : results_)
      std::fprintf(out, "%s %s %s\n", r.passed ? "PASS" : "FAIL", r.name.c_str(), r.detail.c_str());
  std::fprintf(out, "%d passed, %d failed\n", passed(), failed());
}

}  // namespace vsr
