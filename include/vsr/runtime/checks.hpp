#pragma once
/// @file
/// Tensor conformance checks: the comparison rules of `vsr golden` (and of the tests that use goldens). A float check
/// passes when max|got - want| <= atol + rtol * max|want| (the goldens' README rule: 1e-5 + 1e-5*max|want| in float32,
/// 1e-4 for the vision blocks); integer checks require exact equality. Each check prints one line.

#include <ATen/core/Tensor.h>

#include <cstdio>
#include <string>
#include <vector>

namespace vsr {

/// The outcome of one check.
struct CheckResult {
  std::string name;     ///< "video/layer0_out"
  bool passed = false;  ///< whether it held
  std::string detail;   ///< "max_abs_err=3.1e-07 tol=1.2e-05" or the reason it failed
};

/// An ordered list of checks with a pass/fail count; `print` writes one line per check and the summary line
/// "N passed, M failed".
class CheckList {
 public:
  /// Float comparison: shapes must match; passes when max|got-want| <= atol + rtol*max|want| (NaN fails).
  const CheckResult& close(const std::string& name, const at::Tensor& got, const at::Tensor& want, double atol = 1e-5,
                           double rtol = 1e-5);
  /// Exact comparison of integer (or any) tensors: same shape and every element equal.
  const CheckResult& equal(const std::string& name, const at::Tensor& got, const at::Tensor& want);
  /// A check decided by the caller (e.g. "generated text matches").
  const CheckResult& record(const std::string& name, bool passed, const std::string& detail);

  /// Number of checks that held / failed.
  int passed() const;
  int failed() const;
  /// All results in order.
  const std::vector<CheckResult>& results() const { return results_; }
  /// Prints "PASS name detail" / "FAIL name detail" lines (if `each`) and the closing "N passed, M failed" line.
  void print(std::FILE* out, bool each = true) const;

 private:
  std::vector<CheckResult> results_;
};

}  // namespace vsr
