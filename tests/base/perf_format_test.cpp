// vsr perf's line format and statistics (the reference kit's perf_common.py conventions) and SHA-256.
#include "vsr/core/perf.hpp"
#include "vsr/core/sha256.hpp"

#include <gtest/gtest.h>

#include <string>

namespace {

TEST(PerfFormat, NumbersAsPythonSixSignificantDigits) {
  // f"{v:.6g}" in Python 3.11 for the same values
  EXPECT_EQ(vsr::perf::format_number(2374930.5), "2.37493e+06");
  EXPECT_EQ(vsr::perf::format_number(229.27712), "229.277");
  EXPECT_EQ(vsr::perf::format_number(0.012), "0.012");
  EXPECT_EQ(vsr::perf::format_number(0.0), "0");
  EXPECT_EQ(vsr::perf::format_number(-23900.4123), "-23900.4");
  EXPECT_EQ(vsr::perf::format_number(574035.0), "574035");
}

TEST(PerfFormat, MedianAsStatisticsMedian) {
  EXPECT_DOUBLE_EQ(vsr::perf::median({3.0, 1.0, 2.0}), 2.0);
  EXPECT_DOUBLE_EQ(vsr::perf::median({4.0, 1.0, 3.0, 2.0}), 2.5);
  EXPECT_DOUBLE_EQ(vsr::perf::median({}), 0.0);
}

TEST(PerfFormat, TimeAndRateLinesInTheKitsFieldOrder) {
  vsr::perf::Measurement m;
  m.times = {0.5, 0.25, 1.0};
  m.median = 0.5;
  m.min = 0.25;
  m.max = 1.0;
  m.other_cpu = 0.01249;
  m.steal = 0.0;
  m.warmup = 1;
  m.attempts = 2;
  EXPECT_EQ(vsr::perf::time_line("vsr_x_ms", m, {{"model", "tiny"}}),
            "metric=vsr_x_ms value=500 unit=ms n=3 median_of=3 warmup=1 min=250 max=1000 other_cpu=0.012 steal=0 "
            "attempts=2 model=tiny");
  // rates: min is the slowest call's rate, max the fastest's
  EXPECT_EQ(vsr::perf::rate_line("vsr_r", m, 100.0, "tok/s"),
            "metric=vsr_r value=200 unit=tok/s n=3 median_of=3 warmup=1 min=100 max=400 other_cpu=0.012 steal=0 "
            "attempts=2");
  EXPECT_EQ(vsr::perf::metric_line("vsr_check", 1.5, "sum", 1, 1, {{"shape", "2x3"}}),
            "metric=vsr_check value=1.5 unit=sum n=1 median_of=1 shape=2x3");
}

TEST(PerfFormat, OtherCpuIsBusyTimeOfOthersPerWallSecond) {
  const vsr::perf::CpuSample a{100.0, 10.0, 1.0}, b{103.0, 11.0, 1.5};
  EXPECT_DOUBLE_EQ(vsr::perf::other_cpu(a, b, 2.0), 1.0);  // 3 s busy, 1 s ours, over 2 s
  EXPECT_DOUBLE_EQ(vsr::perf::steal(a, b, 2.0), 0.25);
  EXPECT_DOUBLE_EQ(vsr::perf::other_cpu(b, a, 2.0), 0.0);  // never negative
  EXPECT_DOUBLE_EQ(vsr::perf::other_cpu(a, b, 0.0), 0.0);
}

TEST(PerfFormat, MeasureCallsSetupAndCountsRepeats) {
  vsr::perf::MeasureOptions o;
  o.repeats = 3;
  o.warmup = 2;
  int calls = 0, setups = 0;
  const auto m = vsr::perf::measure([&] { ++calls; }, o, [&](int i) { EXPECT_EQ(i, setups++); });
  EXPECT_EQ(calls, 5);
  EXPECT_EQ(setups, 5);
  EXPECT_EQ(m.times.size(), 3u);
  EXPECT_EQ(m.warmup, 2);
  EXPECT_EQ(m.attempts, 1);
  EXPECT_LE(m.min, m.median);
  EXPECT_LE(m.median, m.max);
}

TEST(Sha256, KnownDigests) {
  // FIPS 180-4 examples
  vsr::Sha256 empty;
  EXPECT_EQ(empty.hex_digest(), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  vsr::Sha256 abc;
  abc.update("abc", 3);
  EXPECT_EQ(abc.hex_digest(), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  // two-block message, fed in pieces
  const std::string msg = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
  vsr::Sha256 two;
  two.update(msg.data(), 10);
  two.update(msg.data() + 10, msg.size() - 10);
  EXPECT_EQ(two.hex_digest(), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

}  // namespace
