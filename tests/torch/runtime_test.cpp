// Tests of the [runtime] options: thread count applied, bad device/dtype rejected with the key named.
#include "vsr/core/error.hpp"
#include "vsr/runtime/runtime.hpp"

#include <gtest/gtest.h>

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
