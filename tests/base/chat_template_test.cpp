// Tests of the Qwen2-VL chat template: every processor golden's messages render to its prompt, whose ids are the
// golden's raw_input_ids; plus multi-turn, system and vision-label cases written out from the Jinja template.
#include "test_support.hpp"
#include "vsr/core/error.hpp"
#include "vsr/core/run_dir.hpp"
#include "vsr/text/chat_template.hpp"
#include "vsr/text/tokenizer.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using vsr::text::ChatContent;
using vsr::text::ChatMessage;
using Kind = vsr::text::ChatContent::Kind;

}  // namespace

TEST(ChatTemplate, ProcessorGoldensRenderAndTokenizeExactly) {
  const auto tok = vsr::text::Tokenizer::from_dir(vsr::test::data_dir() / "qwen2vl-tiny" / "tokenizer");
  int seen = 0;
  for (const auto& entry : fs::directory_iterator(vsr::test::data_dir() / "qwen2vl-tiny" / "cases")) {
    if (entry.path().extension() != ".json") continue;
    SCOPED_TRACE(entry.path().filename().string());
    const json c = json::parse(vsr::read_file(entry.path()));
    const auto messages = vsr::text::parse_chat_messages(c["messages"].dump(), entry.path().string());
    const std::string prompt = vsr::text::render_chat(messages);
    EXPECT_EQ(prompt, c["prompt"].get<std::string>());
    EXPECT_EQ(tok.encode(prompt), c["raw_input_ids"].get<std::vector<std::int32_t>>());
    ++seen;
  }
  EXPECT_EQ(seen, 4);
}

TEST(ChatTemplate, MultiTurnWithSystemMessage) {
  const std::vector<ChatMessage> msgs = {
      {"system", {{Kind::Text, "Answer briefly."}}},
      {"user", {{Kind::Video, ""}, {Kind::Text, "How many chairs?"}}},
      {"assistant", {{Kind::Text, "<think>two</think><answer>2</answer>"}}},
      {"user", {{Kind::Image, ""}, {Kind::Text, "And here?"}, {Kind::Image, ""}}},
  };
  EXPECT_EQ(vsr::text::render_chat(msgs, false),
            "<|im_start|>system\nAnswer briefly.<|im_end|>\n"
            "<|im_start|>user\n<|vision_start|><|video_pad|><|vision_end|>How many chairs?<|im_end|>\n"
            "<|im_start|>assistant\n<think>two</think><answer>2</answer><|im_end|>\n"
            "<|im_start|>user\n<|vision_start|><|image_pad|><|vision_end|>And here?"
            "<|vision_start|><|image_pad|><|vision_end|><|im_end|>\n");
  vsr::text::ChatOptions labelled;
  labelled.add_vision_id = true;
  EXPECT_EQ(vsr::text::render_chat(msgs, labelled),
            "<|im_start|>system\nAnswer briefly.<|im_end|>\n"
            "<|im_start|>user\nVideo 1: <|vision_start|><|video_pad|><|vision_end|>How many chairs?<|im_end|>\n"
            "<|im_start|>assistant\n<think>two</think><answer>2</answer><|im_end|>\n"
            "<|im_start|>user\nPicture 1: <|vision_start|><|image_pad|><|vision_end|>And here?"
            "Picture 2: <|vision_start|><|image_pad|><|vision_end|><|im_end|>\n"
            "<|im_start|>assistant\n");
}

TEST(ChatTemplate, DefaultSystemOnlyBeforeAFirstNonSystemMessage) {
  const std::vector<ChatMessage> msgs = {{"user", {{Kind::Text, "hi"}}}, {"system", {{Kind::Text, "late"}}}};
  EXPECT_EQ(vsr::text::render_chat(msgs),
            "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\nhi<|im_end|>\n"
            "<|im_start|>system\nlate<|im_end|>\n<|im_start|>assistant\n");
  EXPECT_EQ(vsr::text::render_chat(std::vector<ChatMessage>{}), "<|im_start|>assistant\n");
}

TEST(ChatTemplate, ParsesStringAndListContentAsTheTemplateDoes) {
  const auto msgs = vsr::text::parse_chat_messages(
      R"([{"role": "user", "content": "plain"},
          {"role": "user", "content": [{"type": "image", "image": "a.jpg"}, {"image_url": "u"}, {"video": "v.mp4"},
                                       {"type": "text", "text": "q"}, {"type": "audio"}]}])",
      "msgs.json");
  ASSERT_EQ(msgs.size(), 2u);
  ASSERT_EQ(msgs[0].content.size(), 1u);
  EXPECT_EQ(msgs[0].content[0].text, "plain");
  ASSERT_EQ(msgs[1].content.size(), 4u);  // the audio item renders nothing in the template
  EXPECT_EQ(msgs[1].content[0].kind, Kind::Image);
  EXPECT_EQ(msgs[1].content[1].kind, Kind::Image);
  EXPECT_EQ(msgs[1].content[2].kind, Kind::Video);
  EXPECT_EQ(msgs[1].content[3].kind, Kind::Text);
  try {
    vsr::text::parse_chat_messages(R"([{"role": "user", "content": 3}])", "msgs.json");
    FAIL() << "no error";
  } catch (const vsr::Error& e) {
    EXPECT_STREQ(e.what(), "msgs.json: [0].content: expected a string or an array of items");
  }
}
