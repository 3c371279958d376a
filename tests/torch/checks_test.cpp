// Tests of the conformance check rules used by `vsr golden`.
#include "vsr/runtime/checks.hpp"

#include <ATen/ATen.h>
#include <gtest/gtest.h>

TEST(Checks, CloseUsesAbsolutePlusRelativeTolerance) {
  vsr::CheckList checks;
  const auto want = at::tensor({100.0f, -2.0f});
  // tol = 1e-5 + 1e-5 * 100 = 1.01e-3
  EXPECT_TRUE(checks.close("a", at::tensor({100.001f, -2.0f}), want).passed);
  EXPECT_FALSE(checks.close("b", at::tensor({100.0f, -2.002f}), want).passed);
  EXPECT_FALSE(checks.close("shape", at::tensor({1.0f}), want).passed);
  EXPECT_FALSE(checks.close("nan", at::tensor({NAN, -2.0f}), want).passed);
  EXPECT_EQ(checks.passed(), 1);
  EXPECT_EQ(checks.failed(), 3);
}

TEST(Checks, EqualIsExact) {
  vsr::CheckList checks;
  EXPECT_TRUE(checks.equal("ids", at::tensor({1, 2, 3}), at::tensor({1, 2, 3})).passed);
  const auto& r = checks.equal("ids2", at::tensor({1, 2, 4}), at::tensor({1, 2, 3}));
  EXPECT_FALSE(r.passed);
  EXPECT_EQ(r.detail, "1 of 3 elements differ");
}
