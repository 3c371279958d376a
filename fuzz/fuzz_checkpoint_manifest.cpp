// libFuzzer target: a training checkpoint's manifest.json (io::CheckpointManifest::from_json) and the resume
// configuration helpers (io::resume_config, io::config_differences). Invariants: an accepted manifest written back
// with to_json() reads back to the same JSON; resume_config is idempotent; a configuration differs from itself in
// nothing.
#include "fuzz_support.hpp"
#include "vsr/io/checkpoint_manifest.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(vsr::fuzz::as_text(data, size));
  vsr::fuzz::expect_vsr_errors([&] {
    const auto manifest = vsr::io::CheckpointManifest::from_json(text, "fuzz/manifest.json");
    const std::string again = manifest.to_json().dump();
    std::string back;
    try {
      back = vsr::io::CheckpointManifest::from_json(again, "fuzz/to_json").to_json().dump();
    } catch (const vsr::Error& e) {
      vsr::fuzz::finding("to_json() of an accepted manifest is refused:", e.what());
    }
    vsr::fuzz::check(back == again, "to_json() does not round-trip", again);
  });
  const std::string config = vsr::io::resume_config(text);
  vsr::fuzz::check(vsr::io::resume_config(config) == config, "resume_config is not idempotent", config);
  vsr::fuzz::check(vsr::io::config_differences(config, config).empty(), "a configuration differs from itself", config);
  return 0;
}
