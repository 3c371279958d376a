// The `vsr` program: dispatches `vsr <command> ...` to the registered sub-commands.
#include "command.hpp"

#include "vsr/core/error.hpp"
#include "vsr/version.hpp"

#include <algorithm>
#include <cstdio>
#include <exception>
#include <string>

namespace vsr::cli {
std::vector<Command>& registry() {
  static std::vector<Command> commands;
  return commands;
}
}  // namespace vsr::cli

namespace {

void usage(std::FILE* out) {
  std::fprintf(out, "vsr %s: visual-spatial reasoning with R1-Zero-like training (vsGRPO)\n\nUsage: vsr <command> [options]\n\nCommands:\n",
               vsr::kVersion);
  auto commands = vsr::cli::registry();
  std::sort(commands.begin(), commands.end(), [](auto& a, auto& b) { return a.name < b.name; });
  for (const auto& c : commands)
    std::fprintf(out, "  %-12.*s %.*s\n", static_cast<int>(c.name.size()), c.name.data(),
                 static_cast<int>(c.summary.size()), c.summary.data());
  std::fprintf(out, "\n`vsr <command> --help` lists a command's options.\n");
}

/// The first line of an exception message (LibTorch's c10::Error appends a backtrace).
std::string first_line(const char* what) {
  std::string s(what ? what : "");
  const auto nl = s.find('\n');
  return nl == std::string::npos ? s : s.substr(0, nl);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    usage(stderr);
    return 2;
  }
  const std::string name = argv[1];
  if (name == "--help" || name == "-h" || name == "help") {
    usage(stdout);
    return 0;
  }
  if (name == "--version") {
    std::printf("vsr %s\n", vsr::kVersion);
    return 0;
  }
  for (const auto& c : vsr::cli::registry()) {
    if (c.name != name) continue;
    std::string program = "vsr " + name;
    std::vector<const char*> args{program.c_str()};
    for (int i = 2; i < argc; ++i) args.push_back(argv[i]);
    try {
      return c.run(static_cast<int>(args.size()), args.data());
    } catch (const vsr::Error& e) {
      std::fprintf(stderr, "vsr %s: error: %s\n", name.c_str(), e.what());
      return 2;
    } catch (const std::exception& e) {
      std::fprintf(stderr, "vsr %s: error: %s\n", name.c_str(), first_line(e.what()).c_str());
      return 1;
    }
  }
  std::fprintf(stderr, "vsr: error: unknown command \"%s\" (run `vsr --help` for the list)\n", name.c_str());
  return 2;
}
