#pragma once
/// @file
/// The compiled evaluator: batched greedy answers of a Qwen2-VL model to VSI-Bench-style questions (vsGRPO, arXiv
/// 2504.00883, Tables 1-2) or general video multiple-choice questions (Table 3), written to a resumable
/// predictions.jsonl and scored with the official VSI-Bench scorer. The prompt mode is a header-only policy
/// (vsr::prompt::Think/Observe/Vanilla); evaluate_with<Mode> turns it into the PromptPolicy the compiled code takes,
/// so the mode's instruction and answer extraction have one source. Behaviour: docs/evaluation.md.

#include "vsr/concepts.hpp"
#include "vsr/core/config.hpp"
#include "vsr/core/error.hpp"
#include "vsr/data/sample.hpp"
#include "vsr/eval/mc.hpp"
#include "vsr/eval/predictions.hpp"
#include "vsr/prompt/observe.hpp"
#include "vsr/prompt/scene_graph.hpp"
#include "vsr/prompt/stage.hpp"
#include "vsr/prompt/think.hpp"
#include "vsr/prompt/vanilla.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace vsr::model {
class Qwen2VL;
class SampleEncoder;
}  // namespace vsr::model
namespace vsr::train {
class Distributed;
}  // namespace vsr::train

namespace vsr::eval {

/// Section [eval]: how an evaluation runs.
struct EvalOptions {
  static constexpr std::string_view kSection = "eval";  ///< INI section / command-line prefix
  int batch_size = 8;             ///< questions answered per greedy batch (left-padded)
  int max_new_tokens = 256;       ///< generation cap per answer (think/observe outputs need more than vanilla)
  int limit = 0;                  ///< evaluate only the first N records (0 = all)
  std::string zero_truth = "error";  ///< NA ground truth 0 with a numeric prediction: error | zero (docs/scoring.md)
  std::string prompt = "mode";    ///< mode: the mode's evaluation instruction (Table 1); train: its training
                                  ///< instruction (section 4.2); official: VSI-Bench's NA/MCA post-prompts
  std::string videos = "own";     ///< own | other-scene: every question asked with another scene's video
                                  ///< (with_other_scene_videos), a control for whether the answers use the video
  std::string sets;               ///< a recipe's evaluations, "MODE:PROMPT,..." (eval_sets); empty: the paper's
  bool option_text = false;       ///< also score with option-text matching (option_text.hpp), beside the official

  /// Declares the keys above.
  void describe(OptionSet& set);
  /// vsr::Error (field `eval.<key>`) unless every value is usable.
  void validate() const;
};

/// One evaluation of a trained run: a prompt mode, the instruction it is asked with (EvalOptions::prompt's values)
/// and its folder `eval/<name>`.
struct EvalSet {
  std::string mode;    ///< vanilla | think | observe | scene_graph
  std::string prompt;  ///< official | train | mode
  std::string name;    ///< `mode` when `prompt` is the paper's for it (vanilla: official, others: train), else
                       ///< "mode-prompt" (e.g. "vanilla-train")
};

/// The evaluations a recipe runs after training: `options.sets` ("vanilla:official,think:train"; a mode alone takes
/// the paper's prompt for it), or when empty the paper's (Tables 1-2, section 4.3.1): vanilla with VSI-Bench's
/// official prompts, and the recipe's own mode `own_mode` with its training prompt (vanilla-train for a vanilla
/// recipe). vsr::Error naming eval.sets for an unknown mode or prompt, or a set given twice.
std::vector<EvalSet> eval_sets(const EvalOptions& options, std::string_view own_mode);

/// What the compiled evaluator needs from a prompt mode: its name, the instruction appended to a question and the
/// answer extraction of its outputs (built from a vsr::PromptMode by prompt_policy).
struct PromptPolicy {
  std::string name;                                                      ///< "think", "observe", "vanilla"
  std::function<std::string(const data::Sample&)> instruction;           ///< text after question and options
  std::function<std::optional<std::string>(std::string_view)> extract;   ///< the answer in an output, if any
  std::function<bool(std::string_view)> format_ok;                       ///< whether an output has the mode's format
};

/// The policy of prompt mode `Mode` with its `stage` instructions.
template <PromptMode Mode>
PromptPolicy prompt_policy(prompt::Stage stage = prompt::Stage::Eval, Mode mode = {}) {
  PromptPolicy p;
  p.name = std::string(Mode::kName);
  p.instruction = [mode, stage](const data::Sample& s) { return std::string(mode.instruction(s, stage)); };
  p.extract = [mode](std::string_view out) { return std::optional<std::string>(mode.extract_answer(out)); };
  p.format_ok = [mode](std::string_view out) { return static_cast<bool>(mode.format_ok(out)); };
  return p;
}

/// The policy of a mode by name ("think", "observe", "vanilla", "scene_graph"); vsr::Error naming `origin` otherwise.
inline PromptPolicy prompt_policy_named(std::string_view name, prompt::Stage stage = prompt::Stage::Eval,
                                        std::string_view origin = "<command line>") {
  if (name == prompt::Think::kName) return prompt_policy<prompt::Think>(stage);
  if (name == prompt::Observe::kName) return prompt_policy<prompt::Observe>(stage);
  if (name == prompt::Vanilla::kName) return prompt_policy<prompt::Vanilla>(stage);
  if (name == prompt::SceneGraph::kName) return prompt_policy<prompt::SceneGraph>(stage);
  fail(origin, "mode", "expected vanilla, think, observe or scene_graph, found " + quote(std::string(name)));
}

/// The outcome of an evaluation.
struct EvalRun {
  std::vector<Prediction> predictions;  ///< one per evaluated record, in record order
  nlohmann::ordered_json aggregate;     ///< eval::aggregate (VSI-Bench) or mc_aggregate (multiple choice)
  nlohmann::ordered_json option_text_aggregate;  ///< with eval.option_text: the aggregate under option-text matching
  nlohmann::ordered_json debiased_aggregate;     ///< records with `pruned`: the VSI-Bench-Debiased aggregate
  std::string table;                    ///< the result table as plain text
  std::int64_t generated = 0;           ///< records the model answered in this call
  std::int64_t reused = 0;              ///< records whose prediction was already in predictions.jsonl
  std::int64_t unreadable = 0;          ///< predictions the benchmark's scorer cannot read (Prediction::readable)
};

/// Greedy answers of `texts[i]` about `samples[i]`'s video, all in one left-padded batch: the raw decoded outputs
/// (up to the first stop token, special tokens skipped).
std::vector<std::string> answer_batch(const model::Qwen2VL& model, const model::SampleEncoder& encoder,
                                      std::span<const data::Sample> samples, std::span<const std::string> texts,
                                      std::int64_t max_new_tokens);

/// Evaluates `samples` (VSI-Bench records or `vsr data build` output; the first EvalOptions::limit) into `out_dir`:
/// predictions.jsonl (appended per batch, resumed: ids already there are not asked again, a torn last line is
/// dropped), scores.jsonl (score_sample per record), aggregate.json (eval::aggregate) and table.md (paper column
/// order). The prompt text is vsi_prompt_text with policy.instruction, or official_instruction when
/// options.prompt == "official"; the prediction is policy.extract(output), or the trimmed output when that finds none.
/// When records carry VSI-Bench's `pruned` flag, aggregate_debiased.json and a second table score the records with
/// pruned = false (VSI-Bench-Debiased); with options.option_text, aggregate_option_text.json and a third table score
/// under option-text matching (option_text.hpp). The official files never change.
///
/// With `dist` naming a job of several processes (every rank calls this with the same records), rank r answers
/// the records i with i % world_size == r into predictions.rank<r>.jsonl (resumable like predictions.jsonl); after
/// a barrier rank 0 merges every rank's file and the earlier predictions.jsonl into predictions.jsonl in record
/// order (the rank files are then removed) and alone writes the other files; every rank returns the same EvalRun
/// (generated counts all ranks). Without `dist` (or with one process) nothing changes.
EvalRun evaluate_vsibench(const model::Qwen2VL& model, const model::SampleEncoder& encoder,
                          std::span<const data::Sample> samples, const PromptPolicy& policy,
                          const EvalOptions& options, const std::filesystem::path& out_dir,
                          const train::Distributed* dist = nullptr);

/// evaluate_vsibench with the policy of prompt mode `Mode`: its evaluation instructions, or its training ones when
/// options.prompt == "train".
template <PromptMode Mode>
EvalRun evaluate_with(const model::Qwen2VL& model, const model::SampleEncoder& encoder,
                      std::span<const data::Sample> samples, const EvalOptions& options,
                      const std::filesystem::path& out_dir, Mode mode = {}) {
  const auto stage = options.prompt == "train" ? prompt::Stage::Train : prompt::Stage::Eval;
  return evaluate_vsibench(model, encoder, samples, prompt_policy<Mode>(stage, mode), options, out_dir);
}

/// Evaluates multiple-choice records (mc.hpp) into `out_dir` with the same files and resumption as
/// evaluate_vsibench: prompt mc_prompt_text, prediction mc_prediction, aggregate mc_aggregate (no scores.jsonl:
/// a record's score is prediction == ground_truth), sharded across the ranks of `dist` as evaluate_vsibench does.
EvalRun evaluate_mc(const model::Qwen2VL& model, const model::SampleEncoder& encoder,
                    std::span<const McRecord> records, const EvalOptions& options,
                    const std::filesystem::path& out_dir, const train::Distributed* dist = nullptr);

}  // namespace vsr::eval
