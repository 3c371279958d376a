// Qwen2-VL's chat template, statement by statement:
//   {% set image_count = namespace(value=0) %}{% set video_count = namespace(value=0) %}
//   {% for message in messages %}
//     {% if loop.first and message['role'] != 'system' %}<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n{% endif %}
//     <|im_start|>{{ message['role'] }}\n
//     {% if message['content'] is string %}{{ message['content'] }}<|im_end|>\n
//     {% else %}{% for content in message['content'] %}
//       {% if content['type'] == 'image' or 'image' in content or 'image_url' in content %}
//         {% set image_count.value = image_count.value + 1 %}{% if add_vision_id %}Picture {{ image_count.value }}: {% endif %}
//         <|vision_start|><|image_pad|><|vision_end|>
//       {% elif content['type'] == 'video' or 'video' in content %} ... Video N: ... <|video_pad|> ...
//       {% elif 'text' in content %}{{ content['text'] }}{% endif %}
//     {% endfor %}<|im_end|>\n{% endif %}
//   {% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}
// (A string content renders exactly as a single text item, so ChatMessage keeps only the list form.)
#include "vsr/text/chat_template.hpp"

#include "vsr/core/error.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace vsr::text {

std::string render_chat(std::span<const ChatMessage> messages, const ChatOptions& options) {
  std::string out;
  int images = 0, videos = 0;
  for (std::size_t m = 0; m < messages.size(); ++m) {
    const ChatMessage& msg = messages[m];
    if (m == 0 && msg.role != "system") {
      out += "<|im_start|>system\n";
      out += kQwen2VLDefaultSystem;
      out += "<|im_end|>\n";
    }
    out += "<|im_start|>";
    out += msg.role;
    out += '\n';
    for (const ChatContent& c : msg.content) {
      switch (c.kind) {
        case ChatContent::Kind::Image:
          ++images;
          if (options.add_vision_id) out += fmt::format("Picture {}: ", images);
          out += "<|vision_start|><|image_pad|><|vision_end|>";
          break;
        case ChatContent::Kind::Video:
          ++videos;
          if (options.add_vision_id) out += fmt::format("Video {}: ", videos);
          out += "<|vision_start|><|video_pad|><|vision_end|>";
          break;
        case ChatContent::Kind::Text:
          out += c.text;
          break;
      }
    }
    out += "<|im_end|>\n";
  }
  if (options.add_generation_prompt) out += "<|im_start|>assistant\n";
  return out;
}

std::string render_chat(std::span<const ChatMessage> messages, bool add_generation_prompt) {
  ChatOptions options;
  options.add_generation_prompt = add_generation_prompt;
  return render_chat(messages, options);
}

std::vector<ChatMessage> parse_chat_messages(std::string_view json_text, std::string_view origin) {
  using nlohmann::json;
  json j;
  try {
    j = json::parse(json_text);
  } catch (const json::parse_error& e) {
    fail(origin, "", fmt::format("not valid JSON ({})", e.what()));
  } catch (const json::out_of_range& e) {  // 406: a number beyond double's range ("1e999")
    fail(origin, "", fmt::format("not valid JSON ({})", e.what()));
  }
  if (!j.is_array()) fail(origin, "", "expected an array of messages");
  std::vector<ChatMessage> messages;
  for (std::size_t i = 0; i < j.size(); ++i) {
    const json& m = j[i];
    const std::string field = fmt::format("[{}]", i);
    if (!m.is_object()) fail(origin, field, "expected a message object");
    ChatMessage msg;
    if (!m.contains("role") || !m["role"].is_string()) fail(origin, field + ".role", "expected a string");
    msg.role = m["role"].get<std::string>();
    if (!m.contains("content")) fail(origin, field + ".content", "missing");
    const json& content = m["content"];
    if (content.is_string()) {
      msg.content.push_back({ChatContent::Kind::Text, content.get<std::string>()});
    } else if (content.is_array()) {
      for (std::size_t k = 0; k < content.size(); ++k) {
        const json& c = content[k];
        const std::string cfield = fmt::format("{}.content[{}]", field, k);
        if (!c.is_object()) fail(origin, cfield, "expected an object");
        const std::string type = c.contains("type") && c["type"].is_string() ? c["type"].get<std::string>() : "";
        if (type == "image" || c.contains("image") || c.contains("image_url")) {
          msg.content.push_back({ChatContent::Kind::Image, {}});
        } else if (type == "video" || c.contains("video")) {
          msg.content.push_back({ChatContent::Kind::Video, {}});
        } else if (c.contains("text")) {
          if (!c["text"].is_string()) fail(origin, cfield + ".text", "expected a string");
          msg.content.push_back({ChatContent::Kind::Text, c["text"].get<std::string>()});
        }
      }
    } else {
      fail(origin, field + ".content", "expected a string or an array of items");
    }
    messages.push_back(std::move(msg));
  }
  return messages;
}

}  // namespace vsr::text
