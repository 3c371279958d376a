#include "test_support.hpp"

#include <gtest/gtest.h>

namespace vsr::test {

const SyntheticQuestions& synthetic_questions() {
  static const SyntheticQuestions set = [] {
    const auto dir = temp_dir("synthetic_questions");
    SyntheticQuestions q{dir / "train.jsonl", dir / "eval.jsonl", dir / "scenes"};
    auto r = run_cli("data synth --scenes 2 --seed 11 --out " + q.scenes.string() +
                     " --synth.width 112 --synth.height 84 --synth.seconds_per_turn 2");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    const std::string videos = " --data.dataset synthetic --data.video_root " + (q.scenes / "videos").string();
    r = run_cli("data build --scannet " + q.scenes.string() + " --out " + q.train.string() + videos);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    r = run_cli("data build --scannet " + q.scenes.string() + " --out " + q.eval.string() +
                " --with-options --data.max_per_task_per_scene 1" + videos);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return q;
  }();
  return set;
}

std::string tiny_run_args(const std::filesystem::path& out, const std::filesystem::path& train) {
  return "--config " + (std::filesystem::path(VSR_SOURCE_DIR) / "configs" / "tiny_train.ini").string() +
         " --model " + (data_dir() / "qwen2vl-tiny" / "model").string() + " --tokenizer " +
         (data_dir() / "qwen2vl-tiny" / "tokenizer").string() + " --train " + train.string() + " --out " +
         out.string() + " --runtime.threads 1";
}

}  // namespace vsr::test
