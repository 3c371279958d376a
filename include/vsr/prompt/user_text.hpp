#pragma once
/// @file
/// The user text a recipe trains on: VSI-Bench's layout (eval::vsi_prompt_text: "These are frames of a video." for
/// video records,
/// the question, the options, then the prompt mode's training instruction of vsGRPO section 4.2). Training and
/// evaluation share this one layout, so a model is asked at test time in the words it was trained on; only the
/// instruction differs between `vsr eval --prompt mode|train|official`.

#include "vsr/data/sample.hpp"
#include "vsr/eval/vsi_eval.hpp"
#include "vsr/prompt/stage.hpp"

#include <string>

namespace vsr::prompt {

/// The user text of `sample` in prompt mode `mode`: eval::vsi_prompt_text with the mode's `stage` instruction.
template <class Mode>
std::string user_text(const data::Sample& sample, const Mode& mode, Stage stage = Stage::Train) {
  return eval::vsi_prompt_text(sample, mode.instruction(sample, stage));
}

}  // namespace vsr::prompt
