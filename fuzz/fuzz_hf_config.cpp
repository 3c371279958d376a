// libFuzzer target: Hugging Face Qwen2-VL config.json text (Qwen2VLConfig::from_json). Invariant: an accepted config
// written back with to_json() reads back to the same to_json() text.
#include "fuzz_support.hpp"
#include "vsr/io/hf_config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  vsr::fuzz::expect_vsr_errors([&] {
    const auto config = vsr::io::Qwen2VLConfig::from_json(vsr::fuzz::as_text(data, size), "fuzz/config.json");
    const std::string text = config.to_json();
    std::string again;
    try {
      again = vsr::io::Qwen2VLConfig::from_json(text, "fuzz/to_json").to_json();
    } catch (const vsr::Error& e) {
      vsr::fuzz::finding("to_json() of an accepted config is refused:", e.what());
    }
    vsr::fuzz::check(again == text, "to_json() does not round-trip", text);
  });
  return 0;
}
