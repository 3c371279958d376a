#pragma once
/// @file
/// From a chat and its images/videos to Qwen2-VL's model inputs, as Qwen2VLProcessor does (transformers 4.45.1):
/// chat template -> token ids -> each <|image_pad|>/<|video_pad|> expanded to its grid's token count, with the
/// processor's pixel values; and left-padded batching of several such inputs.

#include "vsr/model/qwen2vl.hpp"
#include "vsr/text/chat_template.hpp"
#include "vsr/text/tokenizer.hpp"
#include "vsr/vision/processor.hpp"

#include <ATen/core/Tensor.h>

#include <span>
#include <vector>

namespace vsr::model {

/// The pictures of a chat, in the order their placeholders appear: images uint8 [H, W, 3], videos uint8 [T, H, W, 3].
struct ChatVisuals {
  std::vector<at::Tensor> images;  ///< one tensor per image placeholder
  std::vector<at::Tensor> videos;  ///< one tensor per video placeholder
};

/// The inputs of one chat (a batch of one, ready for generation): Qwen2-VL chat template with the generation
/// prompt, tokenised, pads expanded, pixel values from the processor. vsr::Error when the placeholders and the
/// pictures disagree in number.
MultimodalInputs build_chat_inputs(const text::Tokenizer& tokenizer, std::span<const text::ChatMessage> messages,
                                   const ChatVisuals& visuals, const vision::ProcessorOptions& processor,
                                   const Qwen2VLConfig& config);

/// One batch from several inputs: rows left-padded with `pad_id` to the longest (attention mask 0 on padding), pixel
/// values and grids concatenated in row order (as a Hugging Face processor batch).
MultimodalInputs collate_left_padded(std::span<const MultimodalInputs> rows, std::int64_t pad_id);

}  // namespace vsr::model
