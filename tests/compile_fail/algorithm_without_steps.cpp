// Must NOT compile: an algorithm without its per-run Steps class (the concept vsr::AlgorithmFor is named).
#include <vsr/experiment.hpp>
#include <vsr/prompt/vanilla.hpp>

struct NoSteps {
  static constexpr std::string_view kName = "no_steps";
  static constexpr bool kUsesRollouts = false;
  static constexpr bool kNeedsReference = false;
  using Options = vsr::algo::SftOptions;
  Options options;
};
static_assert(vsr::Algorithm<NoSteps>);  // it is an Algorithm, but Experiment cannot run it

using Recipe = vsr::Experiment<NoSteps, vsr::prompt::Vanilla>;
Recipe recipe;
