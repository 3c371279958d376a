// The compiled evaluator: batched greedy answers, resumable predictions.jsonl, official scoring, tables.
#include "vsr/eval/evaluator.hpp"
#include "vsr/eval/option_text.hpp"

#include <fmt/format.h>

#include "vsr/core/progress.hpp"
#include "vsr/core/run_dir.hpp"
#include "vsr/eval/answer_format.hpp"
#include "vsr/eval/qa_score.hpp"
#include "vsr/eval/table.hpp"
#include "vsr/eval/vsi_eval.hpp"
#include "vsr/eval/vsibench.hpp"
#include "vsr/model/inputs.hpp"
#include "vsr/model/qwen2vl.hpp"
#include "vsr/model/sample_encoder.hpp"
#include "vsr/train/distributed.hpp"

#include <torch/torch.h>

#include <map>
#include <set>

namespace vsr::eval {

namespace fs = std::filesystem;

std::vector<std::string> answer_batch(const model::Qwen2VL& model, const model::SampleEncoder& encoder,
                                      std::span<const data::Sample> samples, std::span<const std::string> texts,
                                      std::int64_t max_new_tokens) {
  require(samples.size() == texts.size(), "<evaluator>", "texts", "one text per sample expected");
  if (samples.empty()) return {};
  torch::NoGradGuard no_grad;
  std::vector<model::MultimodalInputs> rows;
  rows.reserve(samples.size());
  for (std::size_t i = 0; i < samples.size(); ++i) rows.push_back(encoder.prompt(samples[i], texts[i]));
  const auto batch = rows.size() == 1 ? rows[0] : model::collate_left_padded(rows, encoder.pad_id());
  const at::Tensor tokens = model.greedy(batch, max_new_tokens).tokens.to(at::kCPU).contiguous();
  std::vector<std::string> out;
  for (std::int64_t b = 0; b < tokens.size(0); ++b) {
    const at::Tensor row = tokens[b].contiguous();
    const std::int64_t* p = row.data_ptr<std::int64_t>();
    out.push_back(encoder.decode(std::span<const std::int64_t>(p, static_cast<std::size_t>(row.numel()))));
  }
  return out;
}

namespace {

/// Answers the samples without a prediction in `path` (a batch at a time, appended as produced) and returns every
/// sample's prediction in sample order.
std::vector<Prediction> predict_all(const model::Qwen2VL& model, const model::SampleEncoder& encoder,
                                    std::span<const data::Sample> samples,
                                    const std::function<std::string(const data::Sample&)>& text_of,
                                    const std::function<Prediction(std::size_t, const std::string&)>& prediction_of,
                                    const EvalOptions& options, const fs::path& path, EvalRun& run,
                                    const train::Distributed* dist) {
  std::set<std::string> ids;
  for (const auto& s : samples)
    if (!ids.insert(s.id).second) fail("<records>", "id", "repeated id " + quote(s.id) + " (predictions are keyed by id)");
  const bool sharded = dist != nullptr && dist->active();
  const bool main = dist == nullptr || dist->is_main();
  const fs::path own = sharded ? path.parent_path() / ("predictions.rank" + std::to_string(dist->rank()) + ".jsonl") : path;
  std::map<std::string, Prediction> done;
  for (auto& p : load_predictions_for_resume(path)) done.insert_or_assign(p.id, std::move(p));
  if (sharded)
    for (auto& p : load_predictions_for_resume(own)) done.insert_or_assign(p.id, std::move(p));
  std::vector<std::size_t> todo;
  for (std::size_t i = 0; i < samples.size(); ++i)
    if (!done.count(samples[i].id) && (!sharded || static_cast<int>(i % static_cast<std::size_t>(dist->world_size())) == dist->rank()))
      todo.push_back(i);
  run.reused = static_cast<std::int64_t>(samples.size()) - static_cast<std::int64_t>(todo.size());
  if (!todo.empty()) {
    ProgressBar bar("eval", static_cast<std::int64_t>(todo.size()), "questions", main ? -1 : 0);
    const auto step = static_cast<std::size_t>(options.batch_size);
    for (std::size_t start = 0; start < todo.size(); start += step) {
      const std::size_t end = std::min(todo.size(), start + step);
      std::vector<data::Sample> batch;
      std::vector<std::string> texts;
      for (std::size_t k = start; k < end; ++k) {
        batch.push_back(samples[todo[k]]);
        texts.push_back(text_of(samples[todo[k]]));
      }
      const auto outputs = answer_batch(model, encoder, batch, texts, options.max_new_tokens);
      std::vector<Prediction> fresh;
      for (std::size_t k = start; k < end; ++k) fresh.push_back(prediction_of(todo[k], outputs[k - start]));
      append_predictions(own, fresh);
      for (auto& p : fresh) done.insert_or_assign(p.id, std::move(p));
      run.generated += static_cast<std::int64_t>(end - start);
      bar.tick(static_cast<std::int64_t>(end - start));
    }
    bar.finish();
  }
  if (sharded) {
    // Rank 0 merges the ranks' files (and what predictions.jsonl held) in record order; the others read the result.
    const auto generated = dist->all_reduce_sum({static_cast<double>(run.generated)});
    run.generated = static_cast<std::int64_t>(generated[0]);
    run.reused = static_cast<std::int64_t>(samples.size()) - run.generated;
    dist->barrier();
    if (main) {
      std::vector<fs::path> parts;
      for (int r = 0; r < dist->world_size(); ++r)
        parts.push_back(path.parent_path() / ("predictions.rank" + std::to_string(r) + ".jsonl"));
      for (const auto& part : parts)
        for (auto& p : load_predictions_for_resume(part)) done.insert_or_assign(p.id, std::move(p));
      std::vector<Prediction> ordered;
      for (const auto& s : samples)
        if (const auto it = done.find(s.id); it != done.end()) ordered.push_back(it->second);
      const fs::path tmp = path.parent_path() / ".predictions.merge.jsonl";
      fs::remove(tmp);
      append_predictions(tmp, ordered);
      fs::rename(tmp, path);
      for (const auto& part : parts) fs::remove(part);
    }
    dist->barrier();
    if (!main)
      for (auto& p : load_predictions_for_resume(path)) done.insert_or_assign(p.id, std::move(p));
  }
  std::vector<Prediction> out;
  out.reserve(samples.size());
  for (const auto& s : samples) out.push_back(done.at(s.id));
  return out;
}

std::span<const data::Sample> limited(std::span<const data::Sample> samples, int limit) {
  if (limit > 0 && static_cast<std::size_t>(limit) < samples.size()) return samples.first(static_cast<std::size_t>(limit));
  return samples;
}

/// Resumed answers must have been asked with the same videos: `videos.txt` records eval.videos (absent = "own").
void check_videos_setting(const RunDir& dir, const std::string& videos, bool main) {
  const auto marker = dir.file("videos.txt");
  std::error_code ec;
  const std::string before = fs::exists(marker, ec) ? trim(read_file(marker)) : "own";
  if (fs::exists(dir.file("predictions.jsonl"), ec) && before != videos)
    fail(dir.file("predictions.jsonl").string(), "eval.videos",
         "holds answers asked with " + quote(before) + " videos, not " + quote(videos) + "; use another --out");
  if (main) write_file_atomic(marker, videos + "\n");
}

}  // namespace

EvalRun evaluate_vsibench(const model::Qwen2VL& model, const model::SampleEncoder& encoder,
                          std::span<const data::Sample> all, const PromptPolicy& policy, const EvalOptions& options,
                          const fs::path& out_dir, const train::Distributed* dist) {
  options.validate();
  const bool main = dist == nullptr || dist->is_main();
  const auto zero_truth = parse_zero_truth(options.zero_truth);
  std::vector<data::Sample> blind;
  if (options.videos == "other-scene") blind = with_other_scene_videos(limited(all, options.limit));
  const auto samples = blind.empty() ? limited(all, options.limit) : std::span<const data::Sample>(blind);
  if (samples.empty()) fail("<records>", "", "no records to evaluate");
  RunDir dir(out_dir);
  check_videos_setting(dir, options.videos, main);
  const bool official = options.prompt == "official";
  auto text_of = [&](const data::Sample& s) {
    return vsi_prompt_text(s, official ? std::string(official_instruction(s)) : policy.instruction(s));
  };
  auto prediction_of = [&](std::size_t i, const std::string& output) {
    const auto& s = samples[i];
    Prediction p;
    p.id = s.id;
    p.question_type = s.question_type;
    p.ground_truth = s.ground_truth;
    p.output = output;
    const auto answer = policy.extract(output);
    p.prediction = answer ? *answer : trim(output);
    p.format_ok = policy.format_ok(output);
    p.readable = benchmark_readable(s, p.prediction);
    return p;
  };
  EvalRun run;
  run.predictions =
      predict_all(model, encoder, samples, text_of, prediction_of, options, dir.file("predictions.jsonl"), run, dist);

  std::vector<RecordScore> scores;
  std::string score_text;
  for (std::size_t i = 0; i < samples.size(); ++i) {
    run.predictions[i].readable = benchmark_readable(samples[i], run.predictions[i].prediction);  // reused lines too
    run.unreadable += run.predictions[i].readable ? 0 : 1;
    scores.push_back(is_vsibench_sample(samples[i])
                         ? score_sample(samples[i], run.predictions[i].prediction, zero_truth)
                         : score_generic(samples[i], run.predictions[i].prediction));
    score_text += scores.back().to_json().dump() + "\n";
  }
  // VSI-Bench's official aggregate and columns when every record is a VSI-Bench question; the generic per-task
  // aggregate (eval/qa_score.hpp) for the generic QA format's own tasks.
  const bool vsibench = std::all_of(samples.begin(), samples.end(), [](const auto& s) { return is_vsibench_sample(s); });
  run.aggregate = vsibench ? aggregate(scores) : generic_aggregate(scores);
  const auto headings = vsibench ? vsi_headings() : generic_headings(run.aggregate);
  const std::vector<std::vector<std::string>> rows{vsibench ? vsi_row(run.aggregate) : generic_row(run.aggregate)};
  std::string table_md = markdown_table(headings, rows);
  run.table = plain_table(headings, rows);
  // VSI-Bench-Debiased: VSI-Bench's records carry `pruned`; the debiased benchmark is the records not pruned.
  const auto pruned = [](const data::Sample& s) { return s.meta.contains("pruned") && s.meta["pruned"] == true; };
  if (vsibench && std::any_of(samples.begin(), samples.end(), [](const auto& s) { return s.meta.contains("pruned"); })) {
    std::vector<RecordScore> kept;
    for (std::size_t i = 0; i < samples.size(); ++i)
      if (!pruned(samples[i])) kept.push_back(scores[i]);
    if (!kept.empty()) {
      run.debiased_aggregate = aggregate(kept);
      const std::vector<std::vector<std::string>> debiased_rows{vsi_row(run.debiased_aggregate)};
      const std::string note = fmt::format(
          "\nVSI-Bench-Debiased: the {} of {} records with pruned = false (same answers, same scorer).\n\n", kept.size(),
          samples.size());
      table_md += note + markdown_table(headings, debiased_rows);
      run.table += note + plain_table(headings, debiased_rows);
      if (main) write_file_atomic(dir.file("aggregate_debiased.json"), run.debiased_aggregate.dump(2) + "\n");
    }
  }
  if (options.option_text && vsibench) {
    // vsr's opt-in reading (option_text.hpp), scored and written apart from the official files.
    std::vector<RecordScore> matched_scores;
    std::int64_t matched = 0;
    for (std::size_t i = 0; i < samples.size(); ++i) {
      const auto& prediction = run.predictions[i].prediction;
      const std::string read = option_text_prediction(samples[i], prediction);
      matched += read != prediction ? 1 : 0;
      matched_scores.push_back(score_sample(samples[i], read, zero_truth));
    }
    run.option_text_aggregate = aggregate(matched_scores);
    run.option_text_aggregate["option_text_matched"] = matched;
    const std::vector<std::vector<std::string>> matched_rows{vsi_row(run.option_text_aggregate)};
    const std::string note = fmt::format(
        "\nWith option-text matching (vsr's opt-in eval.option_text, NOT the official score): {} of {} answers equal "
        "to an option's text counted as its letter.\n\n",
        matched, samples.size());
    table_md += note + markdown_table(headings, matched_rows);
    run.table += note + plain_table(headings, matched_rows);
    if (main) write_file_atomic(dir.file("aggregate_option_text.json"), run.option_text_aggregate.dump(2) + "\n");
  }
  if (main) {
    write_file_atomic(dir.file("scores.jsonl"), score_text);
    write_file_atomic(dir.file("aggregate.json"), run.aggregate.dump(2) + "\n");
    write_file_atomic(dir.file("table.md"), table_md);
  }
  return run;
}

EvalRun evaluate_mc(const model::Qwen2VL& model, const model::SampleEncoder& encoder,
                    std::span<const McRecord> all_records, const EvalOptions& options, const fs::path& out_dir,
                    const train::Distributed* dist) {
  options.validate();
  const bool main = dist == nullptr || dist->is_main();
  auto records = all_records;
  if (options.limit > 0 && static_cast<std::size_t>(options.limit) < records.size())
    records = records.first(static_cast<std::size_t>(options.limit));
  if (records.empty()) fail("<records>", "", "no records to evaluate");
  if (options.videos != "own")
    fail("[eval]", "eval.videos", "the multiple-choice benchmark asks with each record's own video; found " +
                                      quote(options.videos));
  RunDir dir(out_dir);
  std::vector<data::Sample> samples;
  std::map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < records.size(); ++i) {
    data::Sample s;
    s.id = records[i].id;
    s.question_type = records[i].category;
    s.question = records[i].question;
    s.options = records[i].options;
    s.ground_truth = records[i].answer;
    s.video = records[i].video;
    index[s.id] = i;
    samples.push_back(std::move(s));
  }
  auto text_of = [&](const data::Sample& s) { return mc_prompt_text(records[index.at(s.id)]); };
  auto prediction_of = [&](std::size_t i, const std::string& output) { return mc_prediction(records[i], output); };
  EvalRun run;
  run.predictions =
      predict_all(model, encoder, samples, text_of, prediction_of, options, dir.file("predictions.jsonl"), run, dist);
  for (const auto& p : run.predictions) run.unreadable += p.readable ? 0 : 1;
  run.aggregate = mc_aggregate(records, run.predictions);
  if (main) {
    write_file_atomic(dir.file("aggregate.json"), run.aggregate.dump(2) + "\n");
    write_file_atomic(dir.file("table.md"), mc_table(run.aggregate, true));
  }
  run.table = mc_table(run.aggregate, false);
  return run;
}

}  // namespace vsr::eval
