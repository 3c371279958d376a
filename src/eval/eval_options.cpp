// Section [eval] of the evaluator (torch-free so that configs can be checked without LibTorch).
#include "vsr/core/error.hpp"
#include "vsr/eval/evaluator.hpp"
#include "vsr/eval/vsi_eval.hpp"

namespace vsr::eval {

void EvalOptions::describe(OptionSet& set) {
  set.add("batch_size", batch_size, "questions per greedy batch")
      .add("max_new_tokens", max_new_tokens, "generated tokens per answer at most")
      .add("limit", limit, "evaluate only the first N records (0 = all)")
      .add("zero_truth", zero_truth, "NA ground truth 0 with a numeric prediction: error | zero")
      .add("prompt", prompt, "instruction: mode (the mode's evaluation prompt) | train (its training prompt) | official")
      .add("videos", videos, "own (each question's video) | other-scene (a blind control: another scene's video)");
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
