#include "test_support.hpp"

#include <gtest/gtest.h>

namespace vsr::test {

const WarmedBase& warmed_counting_base() {
  static const WarmedBase base = [] {
    namespace fs = std::filesystem;
    const auto dir = temp_dir("warmed_base");
    WarmedBase b{dir / "base", dir / "count.jsonl", dir / "sft"};
    auto r = run_cli("data synth --scenes 4 --seed 5 --out " + (dir / "scenes").string() +
                     " --synth.width 112 --synth.height 84 --synth.seconds_per_turn 2");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    r = run_cli("data build --scannet " + (dir / "scenes").string() + " --out " + b.questions.string() +
                " --data.dataset synthetic --data.tasks object_counting --data.video_root " +
                (dir / "scenes" / "videos").string());
    EXPECT_EQ(r.exit_code, 0) << r.err;
    r = run_cli("init-model --like " + (data_dir() / "qwen2vl-tiny" / "model").string() + " --out " +
                (dir / "random").string() + " --seed 3 --output-scale 100");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    r = run_program(experiment("table2_sft"),
                    "--model " + (dir / "random").string() + " --out " + b.sft_run.string() + " --config " +
                        (fs::path(VSR_SOURCE_DIR) / "configs" / "tiny_train.ini").string() + " --tokenizer " +
                        (data_dir() / "qwen2vl-tiny" / "tokenizer").string() + " --train " + b.questions.string() +
                        " --train.checkpoint_every 0 --train.steps 50 --train.batch_size 4 --train.lr 2e-3");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    r = run_cli("export --model " + (dir / "random").string() + " --adapter " + (b.sft_run / "adapter").string() +
                " --merge --dtype f32 --out " + b.model.string());
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return b;
  }();
  return base;
}

}  // namespace vsr::test
