#pragma once
/// @file
/// Qwen2-VL's chat template (the Jinja template in Qwen2-VL's tokenizer_config.json, as
/// `processor.apply_chat_template(messages, add_generation_prompt=True)` renders it in transformers 4.45.1),
/// written out in C++: `<|im_start|>role\n...<|im_end|>\n` per message, a default system message when the first
/// message is not one, `<|vision_start|><|image_pad|><|vision_end|>` per image and
/// `<|vision_start|><|video_pad|><|vision_end|>` per video (optionally labelled "Picture N: " / "Video N: ").

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace vsr::text {

/// One item of a message's content (`{"type": "text", "text": ...}`, `{"type": "image"}`, `{"type": "video"}`).
struct ChatContent {
  /// What the item is.
  enum class Kind {
    Text,   ///< literal text
    Image,  ///< one image: `<|vision_start|><|image_pad|><|vision_end|>`
    Video,  ///< one video: `<|vision_start|><|video_pad|><|vision_end|>`
  };
  Kind kind = Kind::Text;  ///< text, image or video
  std::string text;        ///< the text of a Text item (empty for images and videos)
};

/// One chat message: a role ("system", "user", "assistant") and its content items in order.
struct ChatMessage {
  std::string role;                  ///< the role, written verbatim after `<|im_start|>`
  std::vector<ChatContent> content;  ///< the items, in order
};

/// Options of render_chat beyond the messages.
struct ChatOptions {
  bool add_generation_prompt = true;  ///< end with `<|im_start|>assistant\n`
  bool add_vision_id = false;         ///< label images "Picture N: " and videos "Video N: " (counted over all messages)
};

/// The default system prompt Qwen2-VL's template inserts when the first message is not a system message.
inline constexpr std::string_view kQwen2VLDefaultSystem = "You are a helpful assistant.";

/// Renders `messages` with Qwen2-VL's chat template.
std::string render_chat(std::span<const ChatMessage> messages, const ChatOptions& options);

/// Renders `messages` with Qwen2-VL's chat template (`add_vision_id` off).
std::string render_chat(std::span<const ChatMessage> messages, bool add_generation_prompt = true);

/// Parses transformers-style messages from JSON text: an array of {"role": ..., "content": string or
/// [{"type": "text", "text": ...} | {"type": "image", ...} | {"type": "video", ...}]}; as in the template, an item
/// with an "image"/"image_url" key counts as an image, one with a "video" key as a video, other items with "text"
/// as text, and items that are none of these are dropped. Throws vsr::Error naming `origin` and the field.
std::vector<ChatMessage> parse_chat_messages(std::string_view json_text, std::string_view origin);

}  // namespace vsr::text
