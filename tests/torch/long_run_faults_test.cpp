// Faults of long runs (docs/hardening.md) on the tiny model: a damaged newest checkpoint is skipped for the previous
// intact one and the resumed run ends like an uninterrupted one; a resume with another configuration is refused
// unless forced; a checkpoint that cannot be written (file-size limit) leaves the previous one intact and stops the
// run with one line; two runs with the same seed write identical metrics; the pre-flight check lists every problem
// of a broken record file in one report before anything runs.
#include "vsr/core/metrics_log.hpp"
#include "vsr/core/run_dir.hpp"
#include "vsr/data/sample.hpp"
#include "vsr/io/checkpoint_manifest.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>

#include "test_support.hpp"

namespace vsr {
namespace {

namespace fs = std::filesystem;

std::string sft_args(const fs::path& out, const std::string& extra) {
  return test::tiny_run_args(out, test::synthetic_questions().train) + " --train.checkpoint_every 2" + extra;
}

test::CliResult sft(const fs::path& out, const std::string& extra) {
  return test::run_program(test::experiment("table2_sft"), sft_args(out, extra));
}

fs::path checkpoint(const fs::path& run, int step) {
  return run / "checkpoints" / ("step-0000000" + std::to_string(step));
}

void flip_last_byte(const fs::path& file) {
  std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
  f.seekg(-1, std::ios::end);
  const char c = static_cast<char>(f.get());
  f.seekp(-1, std::ios::end);
  f.put(static_cast<char>(c ^ 0x5a));
}

/// The training questions as JSON objects.
std::vector<nlohmann::json> training_records() {
  std::vector<nlohmann::json> records;
  std::istringstream lines(read_file(test::synthetic_questions().train));
  for (std::string line; std::getline(lines, line);)
    if (!line.empty()) records.push_back(nlohmann::json::parse(line));
  return records;
}

void write_records(const fs::path& file, const std::vector<nlohmann::json>& records) {
  std::ofstream out(file);
  for (const auto& r : records) out << r.dump() << "\n";
}

TEST(LongRunFaults, CorruptedLatestCheckpointResumesFromThePreviousOne) {
  const auto whole = test::temp_dir("faults_whole"), broken = test::temp_dir("faults_broken");
  auto r = sft(whole, " --train.steps 6 --train.keep_checkpoints 3");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = sft(broken, " --train.steps 4 --train.keep_checkpoints 3");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (int step : {2, 4}) EXPECT_EQ(io::verify_folder(checkpoint(broken, step)), std::nullopt) << step;
  flip_last_byte(checkpoint(broken, 4) / "optimizer.safetensors");  // one bit pattern of the optimizer state
  EXPECT_NE(io::verify_folder(checkpoint(broken, 4)), std::nullopt);

  r = sft(broken, " --train.steps 6 --train.keep_checkpoints 3 --resume");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("warning: checkpoint step-00000004 is damaged (optimizer.safetensors: SHA-256 differs from "
                       "the manifest); set aside as damaged-step-00000004"),
            std::string::npos)
      << r.err;
  // Set aside, the damaged folder no longer counts: keep_checkpoints = 3 holds steps 2, 4 (rewritten) and 6.
  EXPECT_TRUE(fs::exists(broken / "checkpoints" / "damaged-step-00000004"));
  for (int step : {2, 4, 6}) EXPECT_EQ(io::verify_folder(checkpoint(broken, step)), std::nullopt) << step;
  EXPECT_NE(read_file(broken / "log.txt").find("resumed from " + checkpoint(broken, 2).string()), std::string::npos);
  EXPECT_EQ(test::deterministic_metrics(broken), test::deterministic_metrics(whole));
  EXPECT_EQ(read_file(broken / "adapter" / "adapter_model.safetensors"),
            read_file(whole / "adapter" / "adapter_model.safetensors"));

  // No intact checkpoint at all: one line naming each damaged one, nothing trained.
  const auto none = test::temp_dir("faults_none");
  r = sft(none, " --train.steps 2");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  fs::remove(checkpoint(none, 2) / "rng.safetensors");
  r = sft(none, " --train.steps 4 --resume");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("no intact checkpoint to resume from (step-00000002: rng.safetensors: missing)"),
            std::string::npos)
      << r.err;
}

TEST(LongRunFaults, ResumeWithAnotherConfigurationIsRefusedUnlessForced) {
  const auto out = test::temp_dir("faults_config");
  auto r = sft(out, " --train.steps 2");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // A longer run under the constant schedule, and checkpoint settings, are not changes of the training.
  r = sft(out, " --train.steps 4 --train.lr 2e-3 --resume");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("the checkpoint was written with another configuration (train.lr: 0.001 -> 0.002): resume "
                       "with the same settings, or pass --resume-force"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(MetricsLog::read_csv(out / "metrics.csv").size(), 2u);  // nothing trained
  r = sft(out, " --train.steps 4 --train.lr 2e-3 --resume --resume-force");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("with a changed configuration (--resume-force): train.lr: 0.001 -> 0.002"), std::string::npos)
      << r.err;
  EXPECT_EQ(MetricsLog::read_csv(out / "metrics.csv").size(), 4u);
  r = sft(out, " --train.steps 6 --train.lr 2e-3 --train.keep_checkpoints 5 --resume");  // the forced settings hold
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // Paths do not matter, contents do: the same records at another path resume; one record fewer is refused.
  const auto moved = out.parent_path() / "moved.jsonl";
  fs::copy_file(test::synthetic_questions().train, moved, fs::copy_options::overwrite_existing);
  const std::string same = test::tiny_run_args(out, moved) + " --train.checkpoint_every 2 --train.lr 2e-3";
  r = test::run_program(test::experiment("table2_sft"), same + " --train.steps 8 --resume");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto fewer = training_records();
  fewer.pop_back();
  write_records(moved, fewer);
  r = test::run_program(test::experiment("table2_sft"), same + " --train.steps 10 --resume");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("fingerprint.records: "), std::string::npos) << r.err;
}

TEST(LongRunFaults, CheckpointThatCannotBeWrittenKeepsThePreviousOne) {
  const auto out = test::temp_dir("faults_disk_full");
  auto r = sft(out, " --train.steps 2");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string before = read_file(checkpoint(out, 2) / "manifest.json");
  // A 100 KiB file-size limit: the adapter (318 kB) of the next checkpoint cannot be written.
  r = test::run_shell("ulimit -f 100; exec '" + test::experiment("table2_sft").string() + "' " +
                      sft_args(out, " --train.steps 4 --resume"));
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("step-00000004: checkpoint not written ("), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("write failed (disk full?)); the previous checkpoint step-00000002 is intact"),
            std::string::npos)
      << r.err;
  std::size_t lines = 0;
  for (char c : r.err) lines += c == '\n';
  EXPECT_EQ(lines, 1u) << r.err;
  EXPECT_EQ(io::verify_folder(checkpoint(out, 2)), std::nullopt);
  EXPECT_EQ(read_file(checkpoint(out, 2) / "manifest.json"), before);
  std::vector<std::string> left;
  for (const auto& e : fs::directory_iterator(out / "checkpoints")) left.push_back(e.path().filename().string());
  EXPECT_EQ(left, std::vector<std::string>{"step-00000002"});  // no partial folder
  // With room again, the run resumes from the intact checkpoint.
  r = sft(out, " --train.steps 4 --resume");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(io::verify_folder(checkpoint(out, 4)), std::nullopt);
}

TEST(LongRunFaults, TwoRunsWithTheSameSeedWriteIdenticalMetrics) {
  const auto a = test::temp_dir("faults_seed_a"), b = test::temp_dir("faults_seed_b");
  const std::string settings =
      " --train.steps 4 --grpo.num_generations 3 --grpo.log_rollouts_every 1 --runtime.seed 77";
  for (const auto& out : {a, b}) {
    const auto r = test::run_program(test::experiment("table2_vsgrpo_t"),
                                     test::tiny_run_args(out, test::synthetic_questions().train) + settings);
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  EXPECT_EQ(test::deterministic_metrics(a), test::deterministic_metrics(b));
  EXPECT_EQ(read_file(a / "rollouts.jsonl"), read_file(b / "rollouts.jsonl"));
  EXPECT_EQ(read_file(a / "adapter" / "adapter_model.safetensors"), read_file(b / "adapter" / "adapter_model.safetensors"));
  // Deterministic kernels only (--runtime.deterministic, for CUDA) change nothing on CPU.
  const auto d = test::temp_dir("faults_seed_d");
  auto det = test::run_program(test::experiment("table2_vsgrpo_t"), test::tiny_run_args(d, test::synthetic_questions().train) +
                                                                     settings + " --runtime.deterministic=true");
  ASSERT_EQ(det.exit_code, 0) << det.err;
  EXPECT_EQ(test::deterministic_metrics(d), test::deterministic_metrics(a));
  // A different seed samples different rollouts (so the comparison above is not vacuous).
  const auto c = test::temp_dir("faults_seed_c");
  const auto r = test::run_program(test::experiment("table2_vsgrpo_t"),
                                   test::tiny_run_args(c, test::synthetic_questions().train) +
                                       " --train.steps 4 --grpo.num_generations 3 --grpo.log_rollouts_every 1");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(read_file(a / "rollouts.jsonl"), read_file(c / "rollouts.jsonl"));
}

TEST(LongRunFaults, PreflightListsEveryProblemOfABrokenRecordFileInOneReport) {
  const auto dir = test::temp_dir("faults_preflight");
  auto records = training_records();
  ASSERT_GE(records.size(), 10u);
  std::vector<std::size_t> numeric, choice;
  for (std::size_t i = 0; i < records.size(); ++i) {
    const bool is_numeric = data::answer_kind(records[i]["question_type"].get<std::string>()) == data::AnswerKind::Numeric;
    if (records[i]["question_type"] == "object_counting" || !is_numeric) (is_numeric ? numeric : choice).push_back(i);
  }
  ASSERT_GE(numeric.size(), 2u);
  ASSERT_GE(choice.size(), 5u);
  const auto id = [&](std::size_t i) { return "record \"" + records[i]["id"].get<std::string>() + "\": "; };
  std::ofstream(dir / "garbage.mp4") << "not a video";
  records[choice[0]]["video"] = (dir / "missing.mp4").string();
  records[choice[1]]["video"] = (dir / "garbage.mp4").string();
  records[numeric[0]]["ground_truth"] = "many";
  records[choice[2]]["options"] = {"A. left", "C. right"};
  records[choice[2]]["ground_truth"] = "A";
  records[choice[3]]["options"] = {"A. left", "B. right"};
  records[choice[3]]["ground_truth"] = "D";
  // A video too small for the processor (16 pixels high; Qwen2-VL's resize needs 28).
  auto r0 = test::run_cli("data synth --scenes 1 --seed 3 --out " + (dir / "tiny").string() +
                          " --synth.width 32 --synth.height 16 --synth.seconds_per_turn 1");
  ASSERT_EQ(r0.exit_code, 0) << r0.err;
  const auto small = dir / "tiny" / "videos" / "synthetic" / "synth000000_00.mp4";
  records[choice[4]]["video"] = small.string();
  const auto file = dir / "broken.jsonl";
  write_records(file, records);

  const auto out = dir / "run";
  auto r = test::run_program(test::experiment("table2_sft"), test::tiny_run_args(out, file) + " --train.steps 2");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  const std::string f = file.string() + ": ";
  for (const std::string& line :
       {f + id(choice[0]) + "video: " + (dir / "missing.mp4").string(), f + id(choice[1]) + "video: " + (dir / "garbage.mp4").string(),
        f + id(numeric[0]) + "ground_truth: expected a number for object_counting, found \"many\"",
        f + id(choice[2]) + "options: option 2 is \"C. right\": expected \"B. text\"",
        f + id(choice[3]) + "ground_truth: expected one of the option letters A-B, found \"D\"",
        f + id(choice[4]) + "video: " + small.string() + ": 32x16 frames do not fit the processor ("})
    EXPECT_NE(r.err.find(line), std::string::npos) << line << "\n" << r.err;
  EXPECT_NE(r.err.find("the pre-flight check rejects records (" + file.string() + ": 6 of " +
                       std::to_string(records.size()) + " records, listed above): fix them, or pass --skip-invalid"),
            std::string::npos)
      << r.err;
  EXPECT_FALSE(fs::exists(out / "metrics.csv"));  // stopped before the first step
  EXPECT_FALSE(fs::exists(out / "checkpoints"));

  r = test::run_program(test::experiment("table2_sft"), test::tiny_run_args(out, file) + " --train.steps 2 --skip-invalid");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string dropped = "--skip-invalid dropped " + file.string() + ": 6 of " + std::to_string(records.size());
  EXPECT_NE(r.err.find(dropped), std::string::npos) << r.err;
  EXPECT_NE(read_file(out / "log.txt").find(dropped), std::string::npos);
  EXPECT_EQ(MetricsLog::read_csv(out / "metrics.csv").size(), 2u);
}

TEST(LongRunFaults, EvaluationWithEveryVideoMissingFailsBeforeWritingAnything) {
  const auto dir = test::temp_dir("faults_eval_missing");
  auto records = training_records();
  records.resize(3);
  for (auto& r : records) r["video"] = (dir / "gone" / "video.mp4").string();
  write_records(dir / "q.jsonl", records);
  const auto tiny = test::data_dir() / "qwen2vl-tiny";
  const auto r = test::run_cli("eval --model " + (tiny / "model").string() + " --tokenizer " +
                               (tiny / "tokenizer").string() + " --records " + (dir / "q.jsonl").string() +
                               " --out " + (dir / "out").string() + " --runtime.threads 1");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("the pre-flight check rejects records (" + (dir / "q.jsonl").string() +
                       ": 3 of 3 records, listed above)"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("video: " + (dir / "gone" / "video.mp4").string()), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir / "out"));
  // A context the prompt cannot fit into is a pre-flight problem too.
  write_records(dir / "ok.jsonl", training_records());
  const auto big = test::run_cli("eval --model " + (tiny / "model").string() + " --tokenizer " +
                                 (tiny / "tokenizer").string() + " --records " + (dir / "ok.jsonl").string() +
                                 " --out " + (dir / "out2").string() + " --eval.max_new_tokens 40000");
  EXPECT_EQ(big.exit_code, 2) << big.err;
  EXPECT_NE(big.err.find("completion tokens exceed the model's context of 32768 (max_position_embeddings)"),
            std::string::npos)
      << big.err;
}

}  // namespace
}  // namespace vsr
