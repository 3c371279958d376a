#pragma once
/// @file
/// The `vsr` program's sub-command registry: each src/cli/cmd_*.cpp file registers one sub-command with
/// VSR_COMMAND; main.cpp dispatches on the first argument and turns vsr::Error into one line on stderr.

#include <string_view>
#include <vector>

namespace vsr::cli {

/// One sub-command: `vsr <name> ...`; `run` gets argv with argv[0] = "vsr <name>".
struct Command {
  std::string_view name;
  std::string_view summary;
  int (*run)(int argc, const char* const* argv);
};

/// All registered sub-commands, in registration order.
std::vector<Command>& registry();

/// Registers a sub-command at static-initialisation time.
struct Registration {
  explicit Registration(Command c) { registry().push_back(c); }
};

}  // namespace vsr::cli

/// Declares and registers sub-command `fn` as `vsr <name>`; follow it with the function body.
#define VSR_COMMAND(fn, name, summary)                                           \
  static int fn(int argc, const char* const* argv);                              \
  static const ::vsr::cli::Registration fn##_registration{{name, summary, &fn}}; \
  static int fn(int argc, const char* const* argv)
