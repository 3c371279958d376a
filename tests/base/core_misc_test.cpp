// Tests of vsr::Error formatting, the progress bar's rendering and atomic file writing.
#include "test_support.hpp"
#include "vsr/core/error.hpp"
#include "vsr/core/progress.hpp"
#include "vsr/core/run_dir.hpp"

#include <gtest/gtest.h>

TEST(Error, MessageNamesFileFieldProblemOnOneLine) {
  vsr::Error e("a/config.json", "vision_config.depth", "expected a positive integer,\ngot -1");
  EXPECT_STREQ(e.what(), "a/config.json: vision_config.depth: expected a positive integer, got -1");
  vsr::Error bare("", "", "oops");
  EXPECT_STREQ(bare.what(), "oops");
}

TEST(Error, QuotedEscapesAndCuts) {
  EXPECT_EQ(vsr::quote("a\"b\n\x01"), "\"a\\\"b\\x0a\\x01\"");
  EXPECT_EQ(vsr::quote("abcdef", 3), "\"abc...\"");
}

TEST(Progress, RenderShowsCountRateAndEta) {
  vsr::ProgressBar bar("train", 10, "step", /*enabled=*/0);
  bar.tick(5, "reward 0.40");
  EXPECT_EQ(bar.render(2.5), "train [############............] 5/10 step 2.0 step/s ETA 0:03 reward 0.40");
  EXPECT_EQ(vsr::format_duration(3725), "1:02:05");
  EXPECT_EQ(vsr::format_duration(-1), "?");
}

TEST(RunDir, AtomicWriteReplacesWholeFileAndLeavesNoTemporary) {
  auto dir = vsr::test::temp_dir("rundir");
  vsr::RunDir run(dir / "run1");
  run.save_config("[grpo]\nbeta = 0\n");
  EXPECT_EQ(vsr::read_file(run.file("config.ini")), "[grpo]\nbeta = 0\n");
  vsr::write_file_atomic(run.file("config.ini"), "x");
  EXPECT_EQ(vsr::read_file(run.file("config.ini")), "x");
  int files = 0;
  for (auto& e : std::filesystem::directory_iterator(run.path())) files += e.is_regular_file();
  EXPECT_EQ(files, 1);
  EXPECT_THROW(vsr::write_file_atomic(dir / "missing" / "f", "x"), vsr::Error);
  EXPECT_THROW(vsr::read_file(dir / "nothing"), vsr::Error);
}
