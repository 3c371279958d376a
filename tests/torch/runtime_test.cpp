// Tests of the [runtime] options: thread count applied, bad device/dtype rejected with the key named, deterministic
// kernels switched on.
#include "vsr/core/error.hpp"
#include "vsr/runtime/runtime.hpp"

#include <ATen/Context.h>
#include <gtest/gtest.h>

#include <cstdlib>

TEST(Runtime, AppliesThreadCount) {
  vsr::RuntimeOptions o;
  o.threads = 1;
  vsr::apply_runtime(o);
  EXPECT_EQ(vsr::current_threads(), 1);
  o.threads = 2;
  vsr::apply_runtime(o);
  EXPECT_EQ(vsr::current_threads(), 2);
}

TEST(Runtime, RejectsUnknownDeviceAndDtype) {
  vsr::RuntimeOptions o;
  o.device = "tpu";
  try {
    vsr::apply_runtime(o);
    FAIL();
  } catch (const vsr::Error& e) {
    EXPECT_EQ(e.field(), "runtime.device");
  }
  o.device = "cpu";
  o.dtype = "float8";
  EXPECT_THROW(vsr::apply_runtime(o), vsr::Error);
}

TEST(Runtime, DeterministicTurnsOnDeterministicKernelsAndCublasWorkspace) {
  ::unsetenv("CUBLAS_WORKSPACE_CONFIG");
  vsr::RuntimeOptions o;
  o.threads = 1;
  vsr::apply_runtime(o);
  EXPECT_FALSE(at::globalContext().deterministicAlgorithms());
  EXPECT_EQ(std::getenv("CUBLAS_WORKSPACE_CONFIG"), nullptr);
  o.deterministic = true;
  vsr::apply_runtime(o);
  EXPECT_TRUE(at::globalContext().deterministicAlgorithms());
  ASSERT_NE(std::getenv("CUBLAS_WORKSPACE_CONFIG"), nullptr);
  EXPECT_STREQ(std::getenv("CUBLAS_WORKSPACE_CONFIG"), ":4096:8");
  ::setenv("CUBLAS_WORKSPACE_CONFIG", ":16:8", 1);  // a value the user set is kept
  vsr::apply_runtime(o);
  EXPECT_STREQ(std::getenv("CUBLAS_WORKSPACE_CONFIG"), ":16:8");
  at::globalContext().setDeterministicAlgorithms(false, false);
  ::unsetenv("CUBLAS_WORKSPACE_CONFIG");
}
