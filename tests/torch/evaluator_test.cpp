// The compiled evaluator on the tiny Qwen2-VL and a synthetic evaluation set made with `vsr data synth|build`:
// batched predictions equal independent batch-1 greedy runs, resumption asks the model only for missing ids, scores
// are the official scorer's, the multiple-choice benchmark, and `vsr eval` end to end.
#include "model_support.hpp"
#include "vsr/core/run_dir.hpp"
#include "vsr/data/records.hpp"
#include "vsr/eval/evaluator.hpp"
#include "vsr/eval/table.hpp"
#include "vsr/eval/vsi_eval.hpp"
#include "vsr/eval/vsibench.hpp"
#include "vsr/model/sample_encoder.hpp"
#include "vsr/text/tokenizer.hpp"

#include <fstream>
#include <map>

namespace {

namespace fs = std::filesystem;
using namespace vsr;

/// A synthetic evaluation set (one scene, one question per type, options) built once through the CLI.
const fs::path& eval_set() {
  static const fs::path file = [] {
    const auto dir = test::temp_dir("evaluator_set");
    auto r = test::run_cli("data synth --scenes 1 --seed 4 --out " + (dir / "scenes").string() +
                           " --synth.width 56 --synth.height 42 --synth.fps 1 --synth.mesh_spacing 0.1");
    if (r.exit_code != 0) throw std::runtime_error(r.err);
    r = test::run_cli("data build --scannet " + (dir / "scenes").string() + " --out " + (dir / "q.jsonl").string() +
                      " --with-options --seed 2 --data.max_per_task_per_scene 1 --data.dataset synthetic" +
                      " --data.video_root " + (dir / "scenes" / "videos").string());
    if (r.exit_code != 0) throw std::runtime_error(r.err);
    return dir / "q.jsonl";
  }();
  return file;
}

struct Tiny {
  model::Qwen2VL model = model::Qwen2VL::from_pretrained(test::tiny_dir() / "model");
  text::Tokenizer tokenizer = text::Tokenizer::from_dir(test::tiny_dir() / "tokenizer");
  model::SampleEncoder encoder{tokenizer, vision::ProcessorOptions{}, model.config(), model::VideoOptions{2}};
};

Tiny& tiny() {
  static Tiny t;
  return t;
}

eval::EvalOptions options() {
  eval::EvalOptions o;
  o.batch_size = 3;
  o.max_new_tokens = 6;
  return o;
}

std::vector<std::string> lines_of(const fs::path& p) {
  std::vector<std::string> out;
  std::ifstream in(p);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

TEST(Evaluator, BatchedPredictionsEqualBatchOneGreedyAndScoresAreOfficial) {
  const auto samples = data::read_samples(eval_set());
  ASSERT_GE(samples.size(), 8u);
  auto& t = tiny();
  const auto out = test::temp_dir("evaluator_batched");
  const auto run = eval::evaluate_with<prompt::Think>(t.model, t.encoder, samples, options(), out);
  ASSERT_EQ(run.predictions.size(), samples.size());
  EXPECT_EQ(run.generated, static_cast<std::int64_t>(samples.size()));
  EXPECT_EQ(run.reused, 0);
  const prompt::Think think;
  for (std::size_t i = 0; i < samples.size(); ++i) {
    // Independent reference: one prompt, batch of one, greedy, decode.
    const std::string text = eval::vsi_prompt_text(samples[i], think.kEval);
    const auto in = t.encoder.prompt(samples[i], text);
    const at::Tensor tokens = t.model.greedy(in, 6).tokens[0].contiguous();
    const std::string expected =
        t.encoder.decode(std::span<const std::int64_t>(tokens.data_ptr<std::int64_t>(), tokens.numel()));
    const auto& p = run.predictions[i];
    EXPECT_EQ(p.output, expected) << samples[i].id;
    EXPECT_EQ(p.id, samples[i].id);
    EXPECT_EQ(p.prediction, think.extract_answer(expected).value_or(eval::trim(expected)));
    EXPECT_EQ(p.format_ok, think.format_ok(expected));
  }
  // scores.jsonl = the official scorer applied by hand to each record with its prediction.
  const auto score_lines = lines_of(out / "scores.jsonl");
  ASSERT_EQ(score_lines.size(), samples.size());
  std::vector<eval::RecordScore> by_hand;
  for (std::size_t i = 0; i < samples.size(); ++i) {
    eval::VsiRecord r;
    r.id = samples[i].id;
    r.question_type = samples[i].question_type;
    r.options = samples[i].options;
    r.ground_truth = samples[i].ground_truth;
    r.prediction = run.predictions[i].prediction;
    by_hand.push_back(eval::score_record(r));
    EXPECT_EQ(nlohmann::json::parse(score_lines[i]), nlohmann::json(by_hand.back().to_json())) << score_lines[i];
  }
  const auto aggregate = eval::aggregate(by_hand);
  EXPECT_EQ(nlohmann::json::parse(read_file(out / "aggregate.json")), nlohmann::json(aggregate));
  EXPECT_EQ(read_file(out / "table.md"), eval::markdown_table(eval::vsi_headings(), {eval::vsi_row(aggregate)}));
}

TEST(SampleEncoder, PromptLengthCountsTheTokensWithoutDecoding) {
  const auto samples = data::read_samples(eval_set());
  auto& t = tiny();
  for (const auto& s : samples) {
    const std::string text = eval::vsi_prompt_text(s, "Answer briefly.");
    const auto in = t.encoder.prompt(s, text);
    EXPECT_EQ(t.encoder.prompt_length(text, 42, 56), in.input_ids.size(1)) << s.id;
  }
  // 2 frames of 56x42 -> 56x56 after the resize: one temporal patch of 4x4 patches, 2x2 merged: 4 video tokens;
  // 112x84 stays: 8x6 patches, 12 tokens.
  const std::string text = eval::vsi_prompt_text(samples[0], "");
  EXPECT_EQ(t.encoder.prompt_length(text, 84, 112) - t.encoder.prompt_length(text, 42, 56), 12 - 4);
}

TEST(Evaluator, ResumeAsksOnlyForMissingIds) {
  const auto samples = data::read_samples(eval_set());
  auto& t = tiny();
  const auto full = test::temp_dir("evaluator_full");
  eval::evaluate_with<prompt::Vanilla>(t.model, t.encoder, samples, options(), full);
  const auto all = lines_of(full / "predictions.jsonl");
  ASSERT_EQ(all.size(), samples.size());

  // An interrupted run: 3 complete lines (one edited, to show it is reused as is) and a torn fourth.
  const auto part = test::temp_dir("evaluator_resume");
  auto edited = nlohmann::json::parse(all[1]);
  edited["output"] = "SENTINEL";
  std::string text = all[0] + "\n" + edited.dump() + "\n" + all[2] + "\n" + all[3].substr(0, all[3].size() / 2);
  write_file_atomic(part / "predictions.jsonl", text);
  const auto run = eval::evaluate_with<prompt::Vanilla>(t.model, t.encoder, samples, options(), part);
  EXPECT_EQ(run.reused, 3);
  EXPECT_EQ(run.generated, static_cast<std::int64_t>(samples.size()) - 3);
  EXPECT_EQ(run.predictions[1].output, "SENTINEL");
  const auto resumed = lines_of(part / "predictions.jsonl");
  ASSERT_EQ(resumed.size(), samples.size());
  for (std::size_t i = 3; i < samples.size(); ++i) EXPECT_EQ(resumed[i], all[i]);

  // A finished file: no model work, files unchanged.
  const auto again = eval::evaluate_with<prompt::Vanilla>(t.model, t.encoder, samples, options(), part);
  EXPECT_EQ(again.generated, 0);
  EXPECT_EQ(lines_of(part / "predictions.jsonl"), resumed);
}

TEST(Evaluator, OfficialPromptAndLimit) {
  const auto samples = data::read_samples(eval_set());
  auto& t = tiny();
  auto o = options();
  o.prompt = "official";
  o.limit = 2;
  o.batch_size = 1;
  const auto run = eval::evaluate_with<prompt::Observe>(t.model, t.encoder, samples, o, test::temp_dir("evaluator_official"));
  ASSERT_EQ(run.predictions.size(), 2u);
  const auto in = t.encoder.prompt(samples[0], eval::vsibench_prompt(eval::to_vsi_record(samples[0])));
  const at::Tensor tokens = t.model.greedy(in, 6).tokens[0].contiguous();
  EXPECT_EQ(run.predictions[0].output,
            t.encoder.decode(std::span<const std::int64_t>(tokens.data_ptr<std::int64_t>(), tokens.numel())));
  o.prompt = "sometimes";
  EXPECT_THROW(eval::evaluate_with<prompt::Observe>(t.model, t.encoder, samples, o, test::temp_dir("evaluator_bad")),
               vsr::Error);
}

TEST(Evaluator, DebiasedAndOptionTextTablesSitBesideTheOfficialOne) {
  auto samples = data::read_samples(eval_set());
  ASSERT_GE(samples.size(), 4u);
  // VSI-Bench's test.jsonl marks the records VSI-Bench-Debiased prunes; here every other one.
  for (std::size_t i = 0; i < samples.size(); ++i) samples[i].meta["pruned"] = i % 2 == 1;
  auto& t = tiny();
  auto o = options();
  o.option_text = true;
  const auto dir = test::temp_dir("evaluator_debiased");
  const auto run = eval::evaluate_with<prompt::Vanilla>(t.model, t.encoder, samples, o, dir);
  // The official aggregate is over every record; the debiased one is the official aggregate of the kept records.
  std::vector<eval::RecordScore> kept;
  std::vector<eval::RecordScore> all;
  for (std::size_t i = 0; i < samples.size(); ++i) {
    all.push_back(eval::score_sample(samples[i], run.predictions[i].prediction, eval::ZeroTruth::kError));
    if (i % 2 == 0) kept.push_back(all.back());
  }
  EXPECT_EQ(run.aggregate.dump(), eval::aggregate(all).dump());
  EXPECT_EQ(run.debiased_aggregate.dump(), eval::aggregate(kept).dump());
  EXPECT_TRUE(fs::exists(dir / "aggregate_debiased.json"));
  EXPECT_TRUE(fs::exists(dir / "aggregate_option_text.json"));
  EXPECT_TRUE(run.option_text_aggregate.contains("option_text_matched"));
  const auto table = lines_of(dir / "table.md");
  std::string text;
  for (const auto& l : table) text += l + "\n";
  EXPECT_NE(text.find("VSI-Bench-Debiased"), std::string::npos) << text;
  EXPECT_NE(text.find("NOT the official score"), std::string::npos) << text;
}

TEST(Evaluator, MultipleChoiceAccuracyFromExtractedLetters) {
  const auto samples = data::read_samples(eval_set());
  auto& t = tiny();
  std::vector<eval::McRecord> records(3);
  for (int i = 0; i < 3; ++i) {
    records[i].id = "mc" + std::to_string(i);
    records[i].video = samples[0].video;
    records[i].question = "Question " + std::to_string(i) + "?";
    records[i].options = {"A. one", "B. two", "C. three"};
    records[i].answer = std::string(1, static_cast<char>('A' + i));
    records[i].category = i < 2 ? "x" : "y";
  }
  const auto run = eval::evaluate_mc(t.model, t.encoder, records, options(), test::temp_dir("evaluator_mc"));
  ASSERT_EQ(run.predictions.size(), 3u);
  std::size_t correct = 0;
  for (std::size_t i = 0; i < 3; ++i) {
    const auto letter = eval::extract_choice_letter(run.predictions[i].output, 3);
    EXPECT_EQ(run.predictions[i].format_ok, letter.has_value());
    correct += letter && std::string(1, *letter) == records[i].answer;
  }
  EXPECT_DOUBLE_EQ(run.aggregate["overall"].get<double>(), 100.0 * static_cast<double>(correct) / 3.0);
  EXPECT_EQ(run.aggregate["records"], 3);
}

TEST(EvalCli, EndToEnd) {
  const auto out = test::temp_dir("eval_cli") / "run";
  const std::string args = "eval --model " + (test::tiny_dir() / "model").string() + " --tokenizer " +
                           (test::tiny_dir() / "tokenizer").string() + " --records " + eval_set().string() +
                           " --mode think --frames 2 --eval.max_new_tokens 4 --eval.limit 4 --out " + out.string();
  const auto r = test::run_cli(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* f : {"predictions.jsonl", "scores.jsonl", "aggregate.json", "table.md", "config.ini"})
    EXPECT_TRUE(fs::exists(out / f)) << f;
  EXPECT_EQ(lines_of(out / "predictions.jsonl").size(), 4u);
  EXPECT_NE(r.out.find("4 answered, 0 resumed"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Obj. Count  Abs. Dist.  Obj. Size  Room Size  Rel. Dist."), std::string::npos) << r.out;
  EXPECT_EQ(read_file(out / "table.md").substr(0, 21), "| Avg. | Obj. Count |");
  const auto again = test::run_cli(args);
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("0 answered, 4 resumed"), std::string::npos) << again.out;
  const auto bad = test::run_cli("eval --model " + (test::tiny_dir() / "model").string() + " --records " +
                                 eval_set().string() + " --mode ponder --out " + out.string());
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("expected vanilla, think, observe or scene_graph"), std::string::npos) << bad.err;
}

}  // namespace
