// libFuzzer target: transformers-style chat message JSON (parse_chat_messages) and its rendering with Qwen2-VL's
// chat template. Invariant: the rendering ends with the generation prompt.
#include "fuzz_support.hpp"
#include "vsr/text/chat_template.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  vsr::fuzz::expect_vsr_errors([&] {
    const auto messages = vsr::text::parse_chat_messages(vsr::fuzz::as_text(data, size), "fuzz/messages.json");
    const auto text = vsr::text::render_chat(messages, true);
    const std::string prompt = "<|im_start|>assistant\n";
    vsr::fuzz::check(text.size() >= prompt.size() && text.compare(text.size() - prompt.size(), prompt.size(), prompt) == 0,
                     "rendering does not end with the generation prompt");
    vsr::text::ChatOptions options;
    options.add_vision_id = true;
    (void)vsr::text::render_chat(messages, options);
  });
  return 0;
}
