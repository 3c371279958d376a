// The trainer's torch-free parts: the seeded data order (resume, sharding) and the metrics log (CSV, HDF5, resume).
#include "vsr/core/data_order.hpp"
#include "vsr/core/error.hpp"
#include "vsr/core/metrics_log.hpp"
#include "vsr/core/run_dir.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "test_support.hpp"

namespace vsr {
namespace {

TEST(DataOrder, EachEpochIsAPermutationAndEpochsDiffer) {
  DataOrder order(10, 7);
  const auto e0 = order.permutation(0), e1 = order.permutation(1);
  EXPECT_EQ(std::set<std::int64_t>(e0.begin(), e0.end()).size(), 10u);
  EXPECT_EQ(std::set<std::int64_t>(e1.begin(), e1.end()).size(), 10u);
  EXPECT_NE(e0, e1);
  EXPECT_EQ(DataOrder(10, 7).permutation(0), e0);  // seeded
  EXPECT_NE(DataOrder(10, 8).permutation(0), e0);
  // Batches walk epoch 0 then epoch 1 (a batch may straddle the boundary).
  std::vector<std::int64_t> seen;
  for (int i = 0; i < 4; ++i)
    for (auto k : order.next_batch(3)) seen.push_back(k);
  std::vector<std::int64_t> expected(e0.begin(), e0.end());
  expected.insert(expected.end(), e1.begin(), e1.begin() + 2);
  EXPECT_EQ(seen, expected);
  EXPECT_EQ(order.position().epoch, 1);
  EXPECT_EQ(order.position().offset, 2);
}

TEST(DataOrder, SeekContinuesExactly) {
  DataOrder a(7, 3);
  a.next_batch(4);
  const auto saved = a.position();
  const auto next = a.next_batch(5);
  DataOrder b(7, 3);
  b.seek(saved);
  EXPECT_EQ(b.next_batch(5), next);
  EXPECT_THROW(b.seek({0, 8}), Error);
}

TEST(DataOrder, RanksSplitTheSingleProcessBatch) {
  DataOrder single(11, 5), r0(11, 5, 0, 2), r1(11, 5, 1, 2);
  for (int step = 0; step < 6; ++step) {
    const auto all = single.next_batch(4);
    auto a = r0.next_batch(2), b = r1.next_batch(2);
    a.insert(a.end(), b.begin(), b.end());
    EXPECT_EQ(a, all) << "step " << step;
  }
  EXPECT_THROW(DataOrder(5, 1, 2, 2), Error);
  EXPECT_THROW(DataOrder(0, 1), Error);
}

TEST(MetricsLog, CsvRowsColumnsAndEmptyCells) {
  const auto dir = test::temp_dir("metrics_csv");
  {
    MetricsLog log(dir);
    log.append({1, {{"loss", 0.5}, {"lr", 1e-5}}});
    log.append({2, {{"loss", 0.25}, {"reward/accuracy/object_counting_mean", 0.75}}});
    log.append({3, {{"loss", std::nan("")}, {"lr", 2e-5}}});
  }
  EXPECT_EQ(read_file(dir / "metrics.csv"),
            "step,loss,lr,reward/accuracy/object_counting_mean\n"
            "1,0.5,1e-05,\n"
            "2,0.25,,0.75\n"
            "3,,2e-05,\n");
  const auto rows = MetricsLog::read_csv(dir / "metrics.csv");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(MetricsLog::value(rows[1], "reward/accuracy/object_counting_mean"), 0.75);
  EXPECT_TRUE(std::isnan(MetricsLog::value(rows[0], "reward/accuracy/object_counting_mean")));
  EXPECT_THROW(MetricsLog(dir).append({1, {{"bad,name", 1.0}}}), Error);
}

TEST(MetricsLog, ResumeDropsLaterRowsAndATornLine) {
  const auto dir = test::temp_dir("metrics_resume");
  {
    MetricsLog log(dir);
    for (int s = 1; s <= 5; ++s) log.append({s, {{"loss", 1.0 / s}}});
  }
  write_file_atomic(dir / "metrics.csv", read_file(dir / "metrics.csv") + "6,0.16");  // a crash mid-line
  MetricsLog resumed(dir, 3);
  ASSERT_EQ(resumed.rows().size(), 3u);
  resumed.append({4, {{"loss", 0.25}}});
  EXPECT_EQ(read_file(dir / "metrics.csv"), "step,loss\n1,1\n2,0.5\n3,0.3333333333333333\n4,0.25\n");
  write_file_atomic(dir / "bad.csv", "step,loss\n1,abc\n");
  EXPECT_THROW(MetricsLog::read_csv(dir / "bad.csv"), Error);
  write_file_atomic(dir / "bad2.csv", "step,loss\n1,2,3\n");
  EXPECT_THROW(MetricsLog::read_csv(dir / "bad2.csv"), Error);
}

TEST(MetricsLog, Hdf5FileIsWrittenAtomically) {
  const auto dir = test::temp_dir("metrics_h5");
  MetricsLog log(dir);
  log.append({1, {{"reward/total_mean", 0.5}}});
  log.write_hdf5();
  const std::string bytes = read_file(dir / "metrics.h5");
  ASSERT_GT(bytes.size(), 8u);
  EXPECT_EQ(bytes.substr(0, 8), std::string("\x89HDF\r\n\x1a\n", 8));
  EXPECT_FALSE(std::filesystem::exists(dir / ".metrics.h5.tmp"));
}

}  // namespace
}  // namespace vsr
