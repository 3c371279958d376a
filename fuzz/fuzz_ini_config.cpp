// libFuzzer target: INI configuration text (Config::parse_ini) against a set of options of every value type the
// components use. Invariant: the resolved INI of an accepted file parses back to the same resolved INI.
#include "fuzz_support.hpp"
#include "vsr/core/config.hpp"

namespace {

/// A component with one option of each type.
struct FuzzOptions {
  static constexpr const char* kSection = "grpo";
  int group_size = 8;
  double beta = 0.04;
  bool use_kl = true;
  std::string mode = "think";
  std::uint64_t seed = 0;
  std::int64_t steps = 100;
  float lr = 1e-6f;
  void describe(vsr::OptionSet& set) {
    set.add("group_size", group_size, "an int")
        .add("beta", beta, "a double")
        .add("use_kl", use_kl, "a bool")
        .add("mode", mode, "a string")
        .add("seed", seed, "an unsigned 64-bit integer")
        .add("steps", steps, "a signed 64-bit integer")
        .add("lr", lr, "a float");
  }
};

/// A configuration holding FuzzOptions and two top-level keys.
struct FuzzConfig {
  vsr::Config cfg{"vsr fuzz"};
  std::string tokenizer;
  bool decode = false;
  FuzzConfig() {
    cfg.add<FuzzOptions>();
    cfg.top_level().add("tokenizer", tokenizer, "a path").add("decode", decode, "a flag");
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  vsr::fuzz::expect_vsr_errors([&] {
    FuzzConfig a;
    a.cfg.parse_ini(vsr::fuzz::as_text(data, size), "fuzz.ini");
    const std::string resolved = a.cfg.resolved_ini();
    FuzzConfig b;
    try {
      b.cfg.parse_ini(resolved, "fuzz-resolved.ini");
    } catch (const vsr::Error& e) {
      vsr::fuzz::finding("the resolved INI of an accepted file is refused:", std::string(e.what()) + "\n" + resolved);
    }
    vsr::fuzz::check(b.cfg.resolved_ini() == resolved, "resolved INI does not round-trip", resolved);
  });
  return 0;
}
