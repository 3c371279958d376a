// `vsr checkpoint verify DIR`: a training checkpoint against its manifest.json (sizes and SHA-256 of every file).
#include "command.hpp"

#include "vsr/core/config.hpp"
#include "vsr/core/error.hpp"
#include "vsr/io/checkpoint_manifest.hpp"

#include <fmt/format.h>

#include <filesystem>

VSR_COMMAND(cmd_checkpoint, "checkpoint", "verify a training checkpoint against its manifest (sizes, SHA-256)") {
  vsr::Config cfg(argv[0]);
  cfg.allow_positional(2);
  if (!cfg.parse(argc, argv)) {
    std::printf("\n  vsr checkpoint verify RUN/checkpoints/step-N\n");
    return 0;
  }
  const auto& pos = cfg.positional();
  if (pos.size() != 2 || pos[0] != "verify")
    vsr::fail("<command line>", "", "expected `vsr checkpoint verify DIR` (a checkpoint folder with manifest.json)");
  const std::filesystem::path dir = pos[1];
  if (!std::filesystem::is_directory(dir)) vsr::fail(dir.string(), "", "not a folder");
  if (const auto problem = vsr::io::verify_folder(dir)) vsr::fail(dir.string(), "", *problem);
  const auto manifest = vsr::io::read_manifest(dir);
  std::uint64_t bytes = 0;
  for (const auto& f : manifest.files) bytes += f.bytes;
  fmt::print("{}: intact: step {}, {} files, {} bytes, configuration {}\n", dir.string(), manifest.step,
             manifest.files.size(), bytes, manifest.config_sha256.substr(0, 12));
  return 0;
}
