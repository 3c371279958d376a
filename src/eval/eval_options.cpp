// Section [eval] of the evaluator (torch-free so that configs can be checked without LibTorch).
#include "vsr/core/error.hpp"
#include "vsr/eval/evaluator.hpp"
#include "vsr/eval/vsi_eval.hpp"

#include <algorithm>

namespace vsr::eval {

void EvalOptions::describe(OptionSet& set) {
  set.add("batch_size", batch_size, "questions per greedy batch")
      .add("max_new_tokens", max_new_tokens, "generated tokens per answer at most")
      .add("limit", limit, "evaluate only the first N records (0 = all)")
      .add("zero_truth", zero_truth, "NA ground truth 0 with a numeric prediction: error | zero")
      .add("prompt", prompt, "instruction: mode (the mode's evaluation prompt) | train (its training prompt) | official")
      .add("videos", videos, "own (each question's video) | other-scene (a blind control: another scene's video)")
      .add("sets", sets, "a recipe's evaluations MODE:PROMPT,... (empty: vanilla:official and its own mode:train)")
      .add("option_text", option_text, "also score answers equal to an option's text as its letter (reported apart)");
}

namespace {

/// The prompt the paper reports a mode with: VSI-Bench's official one for vanilla, the training prompt otherwise.
std::string paper_prompt(std::string_view mode) { return mode == "vanilla" ? "official" : "train"; }

}  // namespace

std::vector<EvalSet> eval_sets(const EvalOptions& options, std::string_view own_mode) {
  std::string spec = options.sets;
  if (spec.empty()) spec = own_mode == "vanilla" ? "vanilla:official,vanilla:train" : "vanilla:official," + std::string(own_mode) + ":train";
  std::vector<EvalSet> sets;
  std::size_t start = 0;
  while (start <= spec.size()) {
    const std::size_t comma = std::min(spec.find(',', start), spec.size());
    std::string item = spec.substr(start, comma - start);
    start = comma + 1;
    item.erase(0, item.find_first_not_of(' '));
    item.erase(item.find_last_not_of(' ') + 1);
    if (item.empty()) continue;
    const auto colon = item.find(':');
    EvalSet set;
    set.mode = item.substr(0, colon);
    set.prompt = colon == std::string::npos ? paper_prompt(set.mode) : item.substr(colon + 1);
    if (set.mode != "vanilla" && set.mode != "think" && set.mode != "observe" && set.mode != "scene_graph")
      fail("[eval]", "eval.sets", "expected modes vanilla, think, observe or scene_graph, found " + quote(set.mode));
    if (set.prompt != "official" && set.prompt != "train" && set.prompt != "mode")
      fail("[eval]", "eval.sets", "expected prompts official, train or mode, found " + quote(set.prompt));
    set.name = set.prompt == paper_prompt(set.mode) ? set.mode : set.mode + "-" + set.prompt;
    for (const auto& earlier : sets)
      if (earlier.name == set.name) fail("[eval]", "eval.sets", "the evaluation " + quote(item) + " is listed twice");
    sets.push_back(std::move(set));
  }
  if (sets.empty()) fail("[eval]", "eval.sets", "expected at least one MODE:PROMPT");
  return sets;
}

void EvalOptions::validate() const {
  if (batch_size < 1) fail("[eval]", "eval.batch_size", "expected >= 1, found " + std::to_string(batch_size));
  if (max_new_tokens < 1) fail("[eval]", "eval.max_new_tokens", "expected >= 1, found " + std::to_string(max_new_tokens));
  if (limit < 0) fail("[eval]", "eval.limit", "expected >= 0, found " + std::to_string(limit));
  parse_zero_truth(zero_truth);
  if (prompt != "mode" && prompt != "train" && prompt != "official")
    fail("[eval]", "eval.prompt", "expected mode, train or official, found " + quote(prompt));
  if (videos != "own" && videos != "other-scene")
    fail("[eval]", "eval.videos", "expected own or other-scene, found " + quote(videos));
}

}  // namespace vsr::eval
