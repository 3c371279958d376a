// `vsr golden DIR`: the conformance run against transformers' goldens (see include/vsr/model/conformance.hpp).
#include "command.hpp"

#include "vsr/core/config.hpp"
#include "vsr/core/error.hpp"
#include "vsr/model/conformance.hpp"
#include "vsr/runtime/runtime.hpp"

#include <cstdio>

VSR_COMMAND(run_golden, "golden", "check tokenizer, processor and model against a transformers golden folder") {
  vsr::Config cfg(argv[0]);
  auto& runtime = cfg.add<vsr::RuntimeOptions>();
  vsr::model::GoldenOptions o;
  bool quiet = false;
  cfg.top_level()
      .add("atol", o.atol, "absolute tolerance of float checks")
      .add("rtol", o.rtol, "relative tolerance (times max|want|) of float checks")
      .add("vision-tol", o.vision_tol, "tolerance of the vision tower's intermediate outputs")
      .add("quiet", quiet, "print only failures and the summary");
  cfg.allow_positional(1);
  if (!cfg.parse(argc, argv)) return 0;
  if (cfg.positional().empty()) vsr::fail("<command line>", "DIR", "expected a golden folder: vsr golden DIR");
  vsr::apply_runtime(runtime);
  o.dtype = runtime.dtype == "bfloat16" ? at::kBFloat16 : at::kFloat;
  o.device = runtime.device;
  vsr::CheckList checks;
  vsr::model::run_golden_folder(cfg.positional()[0], o, checks);
  if (quiet) {
    for (const auto& r : checks.results())
      if (!r.passed) std::printf("FAIL %s %s\n", r.name.c_str(), r.detail.c_str());
    checks.print(stdout, /*each=*/false);
  } else {
    checks.print(stdout);
  }
  return checks.failed() == 0 ? 0 : 1;
}
